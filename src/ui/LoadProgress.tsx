// How far a load has come: its four phases in order, the current one with a bar (a moving stripe
// where the engine cannot say how far it is: building the graph, the first evaluation), and the
// ratings parsed so far.
import type { LoadState } from '../store/loading';
import { LOAD_PHASES, type LoadPhase } from '../worker/protocol';
import { fmt } from './format';

const PHASE_NAMES: Record<LoadPhase, string> = {
  reading: 'Reading',
  parsing: 'Parsing',
  building: 'Building the graph',
  evaluating: 'First evaluation',
};

/** Phases whose progress the engine reports as it goes. */
const MEASURED = new Set<LoadPhase>(['reading', 'parsing']);

export function LoadProgress({ load }: { load: LoadState }) {
  const at = LOAD_PHASES.indexOf(load.phase);
  const measured = MEASURED.has(load.phase);
  const percent = Math.round(load.fraction * 100);
  return (
    <div className="load-progress" data-testid="load-progress" data-phase={load.phase} aria-live="polite">
      <div className="load-files">Loading {load.files.join(' + ')}</div>
      <ol className="load-phases">
        {LOAD_PHASES.map((p, k) => (
          <li key={p} className={k < at ? 'done' : k === at ? 'now' : ''}>{PHASE_NAMES[p]}</li>
        ))}
      </ol>
      <div
        className={`load-bar${measured ? '' : ' busy'}`}
        role="progressbar"
        aria-label={PHASE_NAMES[load.phase]}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={measured ? percent : undefined}
      >
        <span style={measured ? { width: `${percent}%` } : undefined} />
      </div>
      {load.rows > 0 && <div className="field-hint" data-testid="load-rows">{fmt.int(load.rows)} ratings read</div>}
    </div>
  );
}
