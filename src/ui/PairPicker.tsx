// The user and the movie to explain: a list to choose from for a small dataset, a search box for
// a large one.
import { NodeSearch } from './NodeSearch';
import { searchIndexOf } from './searchIndex';
import { useActions, useRunShallow } from './StoreContext';

/** Longer lists are searched by typing instead of scrolled. */
const SELECT_LIMIT = 400;

export function PairPicker() {
  const a = useActions();
  const { info, pair } = useRunShallow((s) => ({ info: s.info, pair: s.pair }));
  if (!info || !pair) return null;
  const search = (type: 'user' | 'item', label: string, testId: string, value: string) => (
    <NodeSearch index={searchIndexOf(info)} type={type} label={label} placeholder={type === 'user' ? 'User id' : 'Movie title'} testId={testId} value={value} onPick={(n) => a.setPair(type === 'user' ? { user: n.index } : { item: n.index })} />
  );
  return (
    <div className="pair-picker">
      {info.numUsers <= SELECT_LIMIT ? (
        <Picker label="User" testId="explain-user" names={info.userNames} value={pair.user} onPick={(user) => a.setPair({ user })} />
      ) : (
        search('user', 'User', 'explain-user', info.userNames[pair.user])
      )}
      <span className="pair-arrow" aria-hidden="true">→</span>
      {info.numItems <= SELECT_LIMIT ? (
        <Picker label="Movie" testId="explain-item" names={info.itemNames} value={pair.item} onPick={(item) => a.setPair({ item })} />
      ) : (
        search('item', 'Movie', 'explain-item', info.itemNames[pair.item])
      )}
    </div>
  );
}

function Picker({ label, testId, names, value, onPick }: { label: string; testId: string; names: string[]; value: number; onPick: (index: number) => void }) {
  return (
    <label className="picker">
      <span className="label">{label}</span>
      <select value={value} onChange={(e) => onPick(Number(e.target.value))} data-testid={testId}>
        {names.map((n, k) => (
          <option key={k} value={k}>{n}</option>
        ))}
      </select>
    </label>
  );
}
