// One setting, drawn from its row of the settings table: its plain label with the seed's name for
// it, what it does, and a field: a list of its choices, or a text input that applies on Enter or
// when it loses focus. A typed value its rule does not take as it is (not a number, out of range,
// not whole) is marked and explained here and changes nothing, not even by a clamp, until it is
// fixed; the run goes on with the last good value.
import { useState } from 'react';
import { settingProblem, settingRow, type SettingKey } from '../train/settings';

export interface SettingFieldProps {
  settingKey: SettingKey;
  /** The value in force, as the field shows it. */
  value: string;
  /** The seed's value, to mark a changed setting. */
  seed: string;
  /** What the last change (or the link) had to fix in this setting. */
  issue?: string;
  onCommit: (raw: string) => void;
}

export function SettingField({ settingKey, value, seed, issue, onCommit }: SettingFieldProps) {
  const row = settingRow(settingKey);
  const [draft, setDraft] = useState(value);
  /** A commit was asked for with the draft as it is now, and refused. */
  const [refused, setRefused] = useState(false);
  // A new value in force (applied, reset, from the link) replaces whatever was typed.
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setDraft(value);
    setRefused(false);
  }
  const text = draft.trim();
  const problem = refused && text !== value ? settingProblem(settingKey, text) : undefined;
  const commit = () => {
    if (text === value) return;
    if (settingProblem(settingKey, text) !== undefined) setRefused(true);
    else onCommit(text);
  };
  const id = `setting-${settingKey}`;
  const said = problem ?? issue;
  return (
    <label className={`field ${said ? 'has-issue' : ''}`} htmlFor={id}>
      <span className="field-head">
        <span className="field-title">
          <span className="field-label">{row.label}</span>
          {row.seedName && <span className="field-seed-name" title="The seed’s name for it">{row.seedName}</span>}
        </span>
        {value !== seed && <span className="changed" title={`The seed uses ${seed}`}>seed {seed}</span>}
      </span>
      {row.choices ? (
        <select id={id} data-testid={id} value={value} onChange={(e) => onCommit(e.target.value)}>
          {row.choices.map((c) => (
            <option key={row.format(c.value)} value={row.format(c.value)}>{c.label}</option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          data-testid={id}
          type="text"
          inputMode={row.inputMode}
          spellCheck={false}
          value={draft}
          aria-invalid={problem !== undefined}
          aria-describedby={problem ? `${id}-problem` : undefined}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            if (e.key === 'Escape') {
              setDraft(value);
              setRefused(false);
            }
          }}
        />
      )}
      <span className="field-hint">{row.hint}</span>
      {problem && (
        <span className="field-issue" role="alert" id={`${id}-problem`} data-testid={`${id}-problem`}>
          Not applied: {problem}.
        </span>
      )}
      {!problem && issue && <span className="field-issue" role="alert">{issue}</span>}
    </label>
  );
}
