// The column-mapping dialog: a CSV's header and first rows, and which columns hold the user, the
// item, the rating and (optionally) the time. It starts from the engine's guess; the choice goes
// with the dataset (DatasetSource.mapping), so later runs read the file the same way. The same
// choice on the command line is shown under the fields (gatlab's --columns and --sep).
import { useEffect, useId, useState } from 'react';
import { createPortal } from 'react-dom';
import type { ColumnMapping } from '../graph/csv';
import { separatorName, type Separator } from '../graph/csvRecords';
import type { MappingRequest } from '../worker/protocol';

type Role = 'user' | 'item' | 'rating' | 'time';

const ROLES: { role: Role; name: string; hint: string }[] = [
  { role: 'user', name: 'User', hint: 'who rated' },
  { role: 'item', name: 'Item', hint: 'what was rated' },
  { role: 'rating', name: 'Rating', hint: 'a number' },
  { role: 'time', name: 'Timestamp', hint: 'optional: without it, file order is time' },
];

type Choice = Record<Role, string>;

/** What is wrong with a choice, in words, or null when it can load. */
function problemOf(c: Choice): string | null {
  const missing = ROLES.filter((r) => r.role !== 'time' && c[r.role] === '').map((r) => r.name.toLowerCase());
  if (missing.length > 0) return `Choose the ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}.`;
  const chosen = ROLES.filter((r) => c[r.role] !== '');
  for (const [k, r] of chosen.entries()) {
    const other = chosen.slice(0, k).find((q) => c[q.role] === c[r.role]);
    if (other) return `“${c[r.role]}” is chosen for both ${other.name.toLowerCase()} and ${r.name.toLowerCase()}.`;
  }
  return null;
}

/** The command line's flags for a choice, as `gatlab train --data FILE` would take them. */
function cliFlags(c: Choice, sep: Separator | undefined): string {
  const quote = (s: string) => (/^[\w.,=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const columns = ROLES.filter((r) => c[r.role] !== '').map((r) => `${r.role}=${c[r.role]}`).join(',');
  const sepFlag = sep && sep !== ',' ? ` --sep ${sep === '\t' ? 'tab' : quote(sep)}` : '';
  return `--columns ${quote(columns)}${sepFlag}`;
}

export function ColumnMappingDialog({ request, onLoad, onCancel }: { request: MappingRequest; onLoad: (m: ColumnMapping) => void; onCancel: () => void }) {
  const { guess } = request;
  const [choice, setChoice] = useState<Choice>({ user: guess.user ?? '', item: guess.item ?? '', rating: guess.rating ?? '', time: guess.time ?? '' });
  const titleId = useId();
  const problem = problemOf(choice);
  const roleOf = (column: string) => ROLES.find((r) => choice[r.role] === column);

  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onCancel();
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [onCancel]);

  const load = () => {
    if (problem) return;
    onLoad({ user: choice.user, item: choice.item, rating: choice.rating, ...(choice.time !== '' && { time: choice.time }) });
  };

  // In the page's body: a card (layout containment) would otherwise hold the fixed backdrop inside itself.
  return createPortal(
    <div className="modal-backdrop" onClick={(e) => e.target === e.currentTarget && onCancel()}>
      <div className="modal card" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="mapping-dialog">
        <h2 id={titleId}>Which columns hold what?</h2>
        <p className="sub">
          {request.reason === 'unknown'
            ? <><strong>{request.file}</strong> does not use the MovieLens column names (userId, movieId, rating, timestamp). Say which of its columns to read; the others are skipped.</>
            : <>Say which columns of <strong>{request.file}</strong> to read; the others are skipped.</>}
          {request.sep && request.sep !== ',' && <> Its fields are separated by {separatorName(request.sep)}.</>}
        </p>
        <div className="mapping-table-wrap">
          <table className="mapping-table" data-testid="mapping-preview">
            <thead>
              <tr>
                {request.columns.map((c, k) => (
                  <th key={k} className={roleOf(c) ? 'mapped' : ''}>
                    {c}
                    {roleOf(c) && <span className="mapped-as">{roleOf(c)!.name}</span>}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {request.rows.map((row, r) => (
                <tr key={r}>
                  {request.columns.map((c, k) => (
                    <td key={k} className={roleOf(c) ? 'mapped' : ''}>{row[k] ?? ''}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="mapping-fields">
          {ROLES.map(({ role, name, hint }) => (
            <label key={role} className="field">
              <span className="field-name">{name}</span>
              <select value={choice[role]} autoFocus={role === 'user'} data-testid={`mapping-${role}`} onChange={(e) => setChoice({ ...choice, [role]: e.target.value })}>
                <option value="">{role === 'time' ? '(none: file order)' : '(choose a column)'}</option>
                {request.columns.map((c, k) => (
                  <option key={k} value={c}>{c}</option>
                ))}
              </select>
              <span className="field-hint">{hint}</span>
            </label>
          ))}
        </div>
        {problem && <div className="field-issue" data-testid="mapping-problem">{problem}</div>}
        {!problem && (
          <div className="field-hint" data-testid="mapping-cli">
            On the command line: <code>{cliFlags(choice, request.sep)}</code>
          </div>
        )}
        <div className="modal-actions">
          <button className="btn small ghost" data-testid="mapping-cancel" onClick={onCancel}>Cancel</button>
          <button className="btn small primary" data-testid="mapping-load" disabled={problem !== null} onClick={load}>Load with these columns</button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
