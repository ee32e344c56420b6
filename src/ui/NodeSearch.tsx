// A search box for users and movies: suggestions as one types (a user id, any part of a title),
// picked with the arrow keys and Enter, or the pointer. Escape closes the list.
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { normalizeName, searchNodes, type NodeEntry, type SearchIndex } from './searchIndex';

interface Props {
  index: SearchIndex;
  /** Only users or only movies; both when left out. */
  type?: 'user' | 'item';
  label: string;
  placeholder: string;
  testId: string;
  /** What the box shows while nobody types in it (the current choice). */
  value?: string;
  onPick: (entry: NodeEntry) => void;
}

export function NodeSearch({ index, type, label, placeholder, testId, value = '', onPick }: Props) {
  const listId = useId();
  /** What is typed; null while the box shows `value`. */
  const [text, setText] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const query = text ?? '';
  const suggestions = useMemo(() => (text === null ? [] : searchNodes(index, text, { type })), [index, text, type]);
  const open = text !== null && query.trim() !== '';
  const kind = type === 'user' ? 'user' : type === 'item' ? 'movie' : 'user or movie';

  const pick = (entry: NodeEntry) => {
    setText(null);
    onPick(entry);
  };
  const keyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const n = suggestions.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (n > 0) setActive((active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (open && suggestions[active]) pick(suggestions[active]);
    } else if (e.key === 'Escape') {
      setText(null);
    }
  };

  return (
    <div className="node-search">
      <label className="picker">
        <span className="label">{label}</span>
        <input
          type="search"
          role="combobox"
          aria-expanded={open && suggestions.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && suggestions[active] ? `${listId}-${active}` : undefined}
          placeholder={placeholder}
          value={text ?? value}
          spellCheck={false}
          autoComplete="off"
          data-testid={testId}
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
          }}
          onFocus={(e) => e.target.select()}
          onBlur={() => setText(null)}
          onKeyDown={keyDown}
        />
      </label>
      {open && (
        <ul className="node-suggestions" id={listId} role="listbox" aria-label={`${label}: matches`} data-testid={`${testId}-suggestions`}>
          {suggestions.map((s, k) => (
            <li
              key={s.node}
              id={`${listId}-${k}`}
              role="option"
              aria-selected={k === active}
              className={k === active ? 'active' : ''}
              data-testid="node-suggestion"
              data-type={s.type}
              data-index={s.index}
              // Picking before the input's blur, which would close the list first.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(s);
              }}
              onMouseEnter={() => setActive(k)}
            >
              <span className={`kind ${s.type}`}>{s.type === 'user' ? 'User' : 'Movie'}</span>
              <span className="name">{s.label}</span>
              <span className="count">{s.ratings.toLocaleString('en-US')} rating{s.ratings === 1 ? '' : 's'}</span>
            </li>
          ))}
          {suggestions.length === 0 && (
            <li className="none" role="presentation" data-testid="node-search-none">
              {normalizeName(query) === '' ? `Type a ${type === 'item' ? 'title' : type === 'user' ? 'user id' : 'user id or a movie title'}: “${query.trim()}” has no letter or digit.` : `No ${kind} matches “${query.trim()}”.`}
            </li>
          )}
        </ul>
      )}
    </div>
  );
}
