// The user and the movie to explain.
import { useActions, useRunShallow } from './StoreContext';

/** Longer lists are searched by typing instead of scrolled. */
const SELECT_LIMIT = 400;

export function PairPicker() {
  const a = useActions();
  const { info, pair } = useRunShallow((s) => ({ info: s.info, pair: s.pair }));
  if (!info || !pair) return null;
  return (
    <div className="pair-picker">
      <Picker label="User" testId="explain-user" names={info.userNames} value={pair.user} onPick={(user) => a.setPair({ user })} />
      <span className="pair-arrow" aria-hidden="true">→</span>
      <Picker label="Movie" testId="explain-item" names={info.itemNames} value={pair.item} onPick={(item) => a.setPair({ item })} />
    </div>
  );
}

function Picker({ label, testId, names, value, onPick }: { label: string; testId: string; names: string[]; value: number; onPick: (index: number) => void }) {
  if (names.length <= SELECT_LIMIT) {
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
  const listId = `${testId}-list`;
  return (
    <label className="picker">
      <span className="label">{label}</span>
      <input
        key={value}
        list={listId}
        defaultValue={names[value]}
        data-testid={testId}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          const k = names.indexOf((e.target as HTMLInputElement).value);
          if (k >= 0) onPick(k);
        }}
        onBlur={(e) => {
          const k = names.indexOf(e.target.value);
          if (k >= 0 && k !== value) onPick(k);
        }}
      />
      <datalist id={listId}>
        {names.slice(0, 5000).map((n, k) => (
          <option key={k} value={n} />
        ))}
      </datalist>
    </label>
  );
}
