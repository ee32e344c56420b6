// `npm run bench:toy-ab -- OLD_ROOT [NEW_ROOT] [--no-eval] [--data PATH --hidden N] [--rounds R --epochs E]`:
// the seed's toy run (7 steps an epoch, Recall@1 and the full graph's MSE every epoch) of two
// checkouts in one process, alternating, so that both see the same load on a shared machine
// (issue 8: SwiftShader no slower than before on the toy). NEW_ROOT defaults to this checkout.
// Build an older one with
//   git worktree add /tmp/wt-old <commit> && cp -al node_modules /tmp/wt-old/
// Prints each side's fuse decisions (step width, evaluation width) and, over ROUNDS runs of EPOCHS
// epochs each after a warm-up, the median wall ms per epoch and the CPU ms per epoch of the
// process's other threads (on SwiftShader, its workers: the GPU work). Wall time on a shared
// machine follows the load; a thread's CPU time barely does, so the CPU figure is the one to
// compare there (Linux only: read from /proc). --no-eval evaluates only the last epoch of a run:
// the steps alone. --data runs a dataset full batch instead, with the settings the page applies to
// real data (REAL_DATA_SETTINGS: 4 negatives per rating, Recall@20 every epoch) at --hidden N
// (default 12), a few epochs per run (an epoch of ml-latest-small takes seconds on SwiftShader).
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseFlags } from '../src/cli/args';
import { loadRatings } from '../src/cli/data';
import { takeAdapterFlag } from '../src/gpu/adapterChoice';
import { installNodeWebGPU } from '../src/gpu/node';
import type { Ratings } from '../src/graph/types';
import { REAL_DATA_SETTINGS } from '../src/train/settings';

const { choice, rest } = takeAdapterFlag(process.argv.slice(2), 'bench:toy-ab');
const spec = { value: true, help: '' };
const { flags, rest: roots } = parseFlags(rest, { 'no-eval': { value: false, help: '' }, data: spec, hidden: spec, rounds: spec, epochs: spec }, 'bench:toy-ab');
if (roots.length < 1) {
  console.error('usage: npm run bench:toy-ab -- OLD_ROOT [NEW_ROOT] [--no-eval] [--data PATH --hidden N] [--rounds R --epochs E]');
  process.exit(2);
}
const noEval = flags['no-eval'] === true;
const dataPath = typeof flags.data === 'string' ? flags.data : null;
const real: Ratings | null = dataPath ? loadRatings(dataPath) : null;
const EPOCHS = Number(flags.epochs ?? (real ? 2 : 128));
const ROUNDS = Number(flags.rounds ?? (real ? 3 : 6));
const WARMUP = real ? 1 : 64;
const overrides = { ...(real ? { ...REAL_DATA_SETTINGS, hidden: Number(flags.hidden ?? 12) } : {}), ...(noEval ? { evalEvery: 1e6 } : {}) };
const sides = { old: resolve(roots[0]), new: resolve(roots[1] ?? '.') };

/** ns of CPU time the process's threads other than the main one have run (0 without /proc). */
function workerNs(): number {
  let ns = 0;
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      if (Number(tid) !== process.pid) ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
  } catch {
    return 0;
  }
  return ns;
}

interface Run {
  wallMs: number;
  workerMs: number;
}

/** A warmed-up trainer of the checkout at `root` (the toy, or --data), and a function timing EPOCHS more epochs. */
async function load(root: string): Promise<() => Promise<Run>> {
  const imp = (p: string) => import(`${root}/src/${p}`);
  const [{ createGpu }, { createKernels }, { toyRatings }, { SEED_SETTINGS }, { Trainer }] = await Promise.all(
    ['gpu/device.ts', 'gpu/kernels.ts', 'graph/toy.ts', 'train/settings.ts', 'train/trainer.ts'].map(imp),
  );
  const gpu = await createGpu();
  const t = Trainer.create(gpu, await createKernels(gpu.device), real ?? toyRatings(), { ...SEED_SETTINGS, ...overrides });
  await t.train(WARMUP);
  console.log(`${root}: steps ${t.fusion ? (t.fusion.fusedWidth ?? 'per op') : '(no decision)'}, evaluation ${t.evalFusion ? (t.evalFusion.fusedWidth ?? 'per op') : '(no decision)'}`);
  return async () => {
    const [t0, c0] = [performance.now(), workerNs()];
    await t.train(EPOCHS);
    return { wallMs: (performance.now() - t0) / EPOCHS, workerMs: (workerNs() - c0) / 1e6 / EPOCHS };
  };
}

await installNodeWebGPU(choice);
console.log(`${real ? `${dataPath}, full batch, hidden ${overrides.hidden}` : 'toy'}${noEval ? ', no evaluation' : ''}: ${ROUNDS} rounds of ${EPOCHS} epochs`);
const runs = { old: await load(sides.old), new: await load(sides.new) };
const ms: Record<keyof typeof runs, Run[]> = { old: [], new: [] };
for (let r = 0; r < ROUNDS; r++) for (const k of r % 2 ? (['new', 'old'] as const) : (['old', 'new'] as const)) ms[k].push(await runs[k]());
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const k of ['old', 'new'] as const) {
  const wall = ms[k].map((r) => r.wallMs);
  const worker = ms[k].map((r) => r.workerMs);
  console.log(`${k}: wall min ${Math.min(...wall).toFixed(2)}, median ${median(wall).toFixed(2)} ms/epoch (runs ${wall.map((x) => x.toFixed(2)).join(' ')}); worker CPU min ${Math.min(...worker).toFixed(2)}, median ${median(worker).toFixed(2)} ms/epoch`);
}
// Each round ran both sides back to back: the ratio of a round's pair shares its load, so their
// median holds where the figures themselves follow the load.
const ratio = (f: (r: Run) => number) => median(ms.new.map((r, i) => f(r) / f(ms.old[i]))).toFixed(3);
console.log(`new/old, median of the rounds' ratios: wall ${ratio((r) => r.wallMs)}, worker CPU ${ratio((r) => r.workerMs)}`);
process.exit(0);
