// Which ratings the run trains on: the seed's toy data, or files from this computer (MovieLens
// ratings.csv with movies.csv, MovieLens 100K u.data with u.item, or user,item,rating[,timestamp]).
import { useRef, useState } from 'react';
import { useActions, useRun } from './StoreContext';

export function DataPicker() {
  const a = useActions();
  const label = useRun((s) => s.datasetLabel);
  const info = useRun((s) => s.info);
  const kind = useRun((s) => s.dataset.kind);
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async (files: FileList | null) => {
    setError(null);
    if (!files || files.length === 0) return;
    const list = [...files];
    const movies = list.find((f) => /(^|[^a-z])(movies\.csv|u\.item)$/i.test(f.name));
    const ratings = list.find((f) => f !== movies);
    if (!ratings) {
      setError('Choose a ratings file too (ratings.csv, u.data, or user,item,rating[,timestamp]); the movies file only adds titles and genres.');
      return;
    }
    try {
      // MovieLens 100K's u.item is latin-1.
      const moviesText = movies ? (/u\.item$/i.test(movies.name) ? new TextDecoder('latin1').decode(await movies.arrayBuffer()) : await movies.text()) : undefined;
      const ratingsText = await ratings.text();
      a.loadDataset(
        { kind: 'csv', name: ratings.name, ratings: ratingsText, movies: moviesText, moviesName: movies?.name },
        movies ? `${ratings.name} + ${movies.name}` : ratings.name,
      );
    } catch (e) {
      setError(`The file could not be read: ${(e as Error).message}`);
    }
  };

  return (
    <div className="data-picker" data-testid="data">
      <div className="data-row">
        <div>
          <div className="field-name">DATA</div>
          <div className="data-label">{label}</div>
          {info && (
            <div className="field-hint" data-testid="data-counts">
              {info.numUsers.toLocaleString('en-US')} users · {info.numItems.toLocaleString('en-US')} movies · {info.ratings.user.length.toLocaleString('en-US')} ratings
            </div>
          )}
        </div>
        <div className="data-actions">
          {kind !== 'toy' && (
            <button className="btn small ghost" onClick={() => a.loadDataset({ kind: 'toy' }, 'Toy: the seed’s case study')}>Toy</button>
          )}
          <button className="btn small" onClick={() => input.current?.click()} title="Choose ratings.csv with movies.csv (MovieLens), u.data with u.item (MovieLens 100K), or a user,item,rating[,timestamp] CSV">Load data…</button>
        </div>
      </div>
      <input ref={input} type="file" accept=".csv,text/csv,.data,.item" multiple hidden onChange={(e) => void load(e.target.files)} />
      {error && <div className="field-issue">{error}</div>}
    </div>
  );
}
