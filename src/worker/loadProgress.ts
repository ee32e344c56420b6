// A load's progress as the page gets it: each phase's start and end, and in between at most every
// PROGRESS_MS, since a large file reports thousands of times.
import type { FromWorker, LoadPhase } from './protocol';

const PROGRESS_MS = 50;

/** Posts the progress of the load `runId` through `post`, throttled. */
export function loadProgress(post: (message: FromWorker) => void, runId: number): (phase: LoadPhase, fraction: number, rows: number) => void {
  let phaseNow: LoadPhase | null = null;
  let last = 0;
  return (phase, fraction, rows) => {
    const now = performance.now();
    if (phase === phaseNow && fraction < 1 && now - last < PROGRESS_MS) return;
    phaseNow = phase;
    last = now;
    post({ type: 'loading', runId, phase, fraction, rows });
  };
}
