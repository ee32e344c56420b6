// Saved runs in memory, where the page has IndexedDB: what the store's keeping tests save into and
// restore from, pruned and checked as the browser's archive is.
import { checkSavedRun, MAX_SAVED_RUNS, summaryOf, type RunArchive, type SavedRun } from '../../src/store/savedRun';
import type { SnapshotData } from '../../src/worker/protocol';

/** Saved runs in memory, where the page has IndexedDB (pruned as it is); `fail` makes every call fail as a full disk does. */
export function memoryArchive(runs: SavedRun[] = []) {
  const kept = new Map(runs.map((r) => [r.id, structuredClone(r)]));
  /** Snapshots by run id and epoch, as stored. */
  const snapshots = new Map<string, Map<number, SnapshotData>>();
  /** What each put wrote: the run's id and epoch, and the epochs of the snapshots. */
  const puts: { id: string; epoch: number; reached: number | undefined; snapshots: number[] }[] = [];
  let fail: Error | null = null;
  const check = () => {
    if (fail) throw fail;
  };
  const archive: RunArchive = {
    async list() {
      check();
      return [...kept.values()].map(summaryOf).sort((a, b) => b.savedAt - a.savedAt);
    },
    async get(id) {
      check();
      const r = kept.get(id);
      if (!r) return null;
      const run = checkSavedRun(structuredClone(r));
      const snaps = [...(snapshots.get(id)?.values() ?? [])].filter((x) => x.epoch <= run.checkpoint.epoch).sort((a, b) => a.epoch - b.epoch);
      return { run, snapshots: structuredClone(snaps) };
    },
    async put(run, snaps) {
      check();
      puts.push({ id: run.id, epoch: run.checkpoint.epoch, reached: run.reached, snapshots: snaps.map((x) => x.epoch) });
      kept.set(run.id, structuredClone(run));
      const of = snapshots.get(run.id) ?? new Map<number, SnapshotData>();
      for (const x of snaps) of.set(x.epoch, structuredClone(x));
      snapshots.set(run.id, of);
      for (const old of [...kept.values()].sort((a, b) => b.savedAt - a.savedAt).slice(MAX_SAVED_RUNS)) {
        kept.delete(old.id);
        snapshots.delete(old.id);
      }
    },
  };
  return { archive, kept, puts, failWith: (e: Error | null) => (fail = e) };
}

