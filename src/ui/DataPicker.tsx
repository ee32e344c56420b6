// Which ratings the run trains on: the seed's toy data, or files from this computer (a MovieLens
// ZIP as downloaded, ratings.csv with movies.csv, MovieLens 1M ratings.dat with movies.dat,
// MovieLens 100K u.data with u.item, or any CSV of users, items and ratings with its columns mapped), picked here or dropped anywhere on the page. While files load
// the current run goes on; if they cannot be used, it stays and the reason is shown here.
import { useMemo, useRef } from 'react';
import { ratingScale } from '../graph/ratingScale';
import { ColumnMappingDialog } from './ColumnMapping';
import { fmt } from './format';
import { LoadProgress } from './LoadProgress';
import { useActions, useRun, useRunShallow } from './StoreContext';

export const FILE_HINT =
  'a MovieLens ZIP as downloaded, ratings.csv with movies.csv, ratings.dat with movies.dat and users.dat (MovieLens 1M), u.data with u.item and u.user (MovieLens 100K), or any CSV of user, item, rating[, timestamp] columns; with them, user-features.csv and item-features.csv (an id, then numbers) if you like';

export function DataPicker() {
  const a = useActions();
  const s = useRunShallow((s) => ({
    label: s.datasetLabel,
    info: s.info,
    kind: s.dataset.kind,
    loading: s.loading,
    error: s.loadError,
    notice: s.loadNotice,
    ms: s.loadMs,
  }));
  const mapping = useRun((s) => s.mappingRequest);
  // The scale is stated, not assumed: MovieLens rates 0.5–5, other sets 0–10, −10…10 or 0/1.
  const scale = useMemo(() => (s.info ? ratingScale(s.info.ratings) : null), [s.info]);
  const input = useRef<HTMLInputElement>(null);
  // The next pick opens the column dialog even for a CSV whose header is known.
  const ask = useRef(false);

  const pick = (askColumns: boolean) => {
    ask.current = askColumns;
    input.current?.click();
  };

  return (
    <div className="data-picker" data-testid="data">
      <div className="data-row">
        <div className="field-name">DATA</div>
        <div className="data-actions">
          {s.kind !== 'toy' && (
            <button className="btn small ghost" onClick={() => a.loadDataset({ kind: 'toy' }, 'Toy: the seed’s case study')}>Toy</button>
          )}
          <button className="btn small" data-testid="load-data" disabled={s.loading !== null} onClick={() => pick(false)} title={`Choose ${FILE_HINT}. You can also drop them on the page.`}>
            Load data…
          </button>
        </div>
      </div>
      <div className="data-label" data-testid="data-label">{s.label}</div>
      {s.info && (
        <div className="field-hint" data-testid="data-counts">
          {fmt.int(s.info.numUsers)} users · {fmt.int(s.info.numItems)} movies · {fmt.int(s.info.ratings.user.length)} ratings
          {s.ms !== null && (
            <span data-testid="load-time" data-ms={s.ms}> · loaded in {(s.ms / 1000).toFixed(1)} s</span>
          )}
        </div>
      )}
      {scale && (
        <div className={`field-hint${scale.warning ? ' warn' : ''}`} data-testid="data-scale" title={scale.warning ?? undefined}>
          {scale.text}
          {scale.warning && ` · ${scale.warning}`}
        </div>
      )}
      <button className="link-btn" data-testid="load-mapped" disabled={s.loading !== null} onClick={() => pick(true)}>
        Choose a CSV’s columns myself…
      </button>
      <input
        ref={input}
        type="file"
        accept=".csv,text/csv,.tsv,.zip,.dat,.data,.item,.user,.base,.test,.txt"
        multiple
        hidden
        data-testid="data-input"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          // Cleared so that picking the same file again (after fixing it) loads it again.
          e.target.value = '';
          if (files.length > 0) void a.loadFiles(files, ask.current ? 'ask' : undefined);
        }}
      />
      {s.loading && <LoadProgress load={s.loading} />}
      {s.error && (
        <div className="load-error" role="alert" data-testid="load-error">
          <strong>Not loaded.</strong> {s.error}
          <div className="load-error-keep">The run and its data are unchanged.</div>
        </div>
      )}
      {s.notice && <div className="load-notice" role="status" data-testid="load-notice">{s.notice}</div>}
      {mapping && <ColumnMappingDialog request={mapping} onLoad={a.mapColumns} onCancel={a.cancelMapping} />}
    </div>
  );
}
