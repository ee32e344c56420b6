// The Search card: the seed's KNN-MIPS ("Learning Stage 5") beside the exact top-K, on the current
// epoch's embeddings, run on demand in the engine worker between training chunks. It shows how much
// of the exact top-K the greedy walks find, and what each search and the item graph took.
import { useState } from 'react';
import { SEARCH_LIMITS, type SearchSettings } from '../search/settings';
import { fmt } from './format';
import { Hint } from './Hint';
import { useActions, useRunShallow } from './StoreContext';

const KNOBS: { key: keyof SearchSettings; name: string; hint: string }[] = [
  { key: 'restarts', name: 'R', hint: 'R, restarts: how many walks start from random movies for each user; more walks find more of the top-K and take longer' },
  { key: 'steps', name: 'T', hint: 'T, steps: how many greedy steps each walk takes from movie to better-scoring neighbour' },
  { key: 'expansions', name: 'E', hint: 'E, expansions: how many similar movies each movie links to in the neighbour graph' },
];

const KNN_MIPS_HELP =
  'K-nearest-neighbour maximum inner product search: instead of scoring every movie for a user (exact top-K), walk a graph that links each movie to the movies most like it, always stepping to the neighbour with the higher score. Much faster on many movies; it can miss some of the exact top-K, which the recall below measures.';

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : fmt.int(Math.round(x))} ms`;

export function SearchCard() {
  const s = useRunShallow((s) => ({
    settings: s.searchSettings,
    issues: s.searchIssues,
    report: s.searchReport,
    error: s.searchError,
    busy: s.searching,
    ready: s.info !== null,
    k: s.info?.k ?? null,
    epoch: s.epoch,
  }));
  const actions = useActions();
  const r = s.report;
  const ratio = r ? r.exactMs / r.knnMs : 1;
  return (
    <section className="search card" aria-label="Search" data-testid="search">
      <div className="card-head">
        <div>
          <h2>Search</h2>
          <p className="sub">
            Exact top-{s.k ?? 'K'} against <Hint text={KNN_MIPS_HELP}>KNN-MIPS</Hint> (greedy walks over a neighbour graph of the movies), for every user at the current epoch.
          </p>
        </div>
        <div className="search-knobs">
          {KNOBS.map((k) => (
            <Knob key={k.key} id={k.key} name={k.name} hint={`${k.hint} (1 to ${SEARCH_LIMITS[k.key].max})`} value={s.settings[k.key]} onCommit={(raw) => actions.setSearchSettings({ [k.key]: raw })} />
          ))}
          <button className="btn small" data-testid="search-run" disabled={!s.ready || s.busy} onClick={() => actions.runSearch()}>
            {s.busy ? 'Comparing…' : 'Compare'}
          </button>
        </div>
      </div>
      {s.issues.map((i) => (
        <div key={i.key} className="notice warn small" role="alert">
          {i.message}
        </div>
      ))}
      {s.error && <div className="notice warn">The search failed: {s.error}</div>}
      {r && (
        <div className="search-result" data-testid="search-result" data-recall={r.recall} data-epoch={r.epoch}>
          <div className="search-recall">
            <span className="search-number">{r.recall.toFixed(3)}</span>
            <span className="muted small">
              recall@{r.k} of KNN-MIPS against the exact top-{r.k}, mean over {fmt.int(r.numUsers)} users
            </span>
          </div>
          <p className="small">
            Exact {ms(r.exactMs)} · KNN-MIPS {ms(r.knnMs)} ({ratio >= 1 ? `${ratio.toFixed(1)}× faster` : `${(1 / ratio).toFixed(1)}× slower`}) ·{' '}
            {r.buildMs > 0 ? `item graph built in ${ms(r.buildMs)}` : 'item graph of this epoch and E reused'}
          </p>
          <p className="muted small">
            Epoch {fmt.int(r.epoch)}
            {r.epoch !== s.epoch && ` (the run is at ${fmt.int(s.epoch)} now)`} · R {r.settings.restarts} · T {r.settings.steps} · E {r.settings.expansions} · {fmt.int(r.numItems)} movies
          </p>
        </div>
      )}
    </section>
  );
}

/** A number that applies on Enter or when it loses focus (so that typing "16" does not first ask for 1). */
function Knob({ id, name, hint, value, onCommit }: { id: string; name: string; hint: string; value: number; onCommit: (raw: string) => void }) {
  // What is typed, until it applies; then the store's value (clamped, if it had to be) shows again.
  const [draft, setDraft] = useState<string | null>(null);
  const commit = () => {
    if (draft !== null && draft.trim() !== String(value)) onCommit(draft.trim());
    setDraft(null);
  };
  return (
    <label className="search-knob">
      <Hint text={hint}>{name}</Hint>
      <input
        data-testid={`search-${id}`}
        type="text"
        inputMode="numeric"
        spellCheck={false}
        value={draft ?? String(value)}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setDraft(null);
        }}
      />
    </label>
  );
}
