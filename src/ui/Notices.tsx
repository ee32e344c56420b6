// Messages about the run: settings that were clamped or ignored, what the run adjusted, a run that
// could not start, and a run that diverged.
import { useActions, useRunShallow } from './StoreContext';

export function Notices() {
  const a = useActions();
  const s = useRunShallow((s) => ({ issues: s.issues, notes: s.info?.notes ?? NO_NOTES, runError: s.runError, notice: s.notice }));
  if (s.issues.length === 0 && s.notes.length === 0 && !s.runError && !s.notice) return null;
  return (
    <div className="notices">
      {s.notice && (
        <div className="notice danger" role="alert" data-testid="diverged">
          <strong>Paused.</strong> {s.notice}
          <span className="actions">
            <button className="btn small" onClick={a.reset}>Reset the run</button>
          </span>
        </div>
      )}
      {s.runError && (
        <div className="notice danger" role="alert" data-testid="run-error">
          <strong>This run could not start.</strong> {s.runError}
        </div>
      )}
      {s.issues.length > 0 && (
        <div className="notice warn" role="status" data-testid="settings-issues">
          <strong>Some settings were adjusted:</strong>
          <ul>
            {s.issues.map((i, k) => (
              <li key={k}>{capitalize(i.message)}.</li>
            ))}
          </ul>
          <span className="actions">
            <button className="btn small ghost" onClick={a.dismissIssues}>Dismiss</button>
          </span>
        </div>
      )}
      {s.notes.length > 0 && (
        <div className="notice info" role="status" data-testid="run-notes">
          {s.notes.map((n, k) => (
            <div key={k}>{n}</div>
          ))}
        </div>
      )}
    </div>
  );
}

const NO_NOTES: string[] = [];
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
