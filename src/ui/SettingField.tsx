// One setting: its name as the seed writes it, what it means, an input that applies on Enter or
// when it loses focus, and what was wrong with the last value asked for.
import { useEffect, useState } from 'react';

export interface SettingFieldProps {
  id: string;
  name: string;
  hint: string;
  value: string;
  /** The seed's value, to mark a changed setting. */
  seed: string;
  issue?: string;
  inputMode?: 'numeric' | 'decimal' | 'text';
  onCommit: (raw: string) => void;
}

export function SettingField({ id, name, hint, value, seed, issue, inputMode = 'decimal', onCommit }: SettingFieldProps) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft.trim() !== value) onCommit(draft.trim());
  };
  const changed = value !== seed;
  return (
    <label className={`field ${issue ? 'has-issue' : ''}`} htmlFor={`setting-${id}`}>
      <span className="field-head">
        <span className="field-name">{name}</span>
        {changed && <span className="changed" title={`The seed uses ${seed}`}>seed {seed}</span>}
      </span>
      <input
        id={`setting-${id}`}
        data-testid={`setting-${id}`}
        type="text"
        inputMode={inputMode}
        spellCheck={false}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setDraft(value);
        }}
      />
      <span className="field-hint">{hint}</span>
      {issue && <span className="field-issue" role="alert">{issue}</span>}
    </label>
  );
}
