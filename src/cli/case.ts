// `gatlab case IN.json OUT.json`: runs a PyG fixture case (../shared/fixtures/pyg/README.md) on
// WebGPU and writes what the engine computed, under the expected files' names.
import { writeFileSync } from 'node:fs';
import { createGpu } from '../gpu/device';
import { createKernels } from '../gpu/kernels';
import { parseCase } from '../formats/caseFile';
import { runCase } from '../train/caseRunner';
import { InputError } from '../util/errors';
import { parseFlags, usage, type FlagSpec } from './args';
import { readText } from './data';

const FLAGS: Record<string, FlagSpec> = {
  help: { value: false, help: 'show this help' },
};

const SYNOPSIS = `IN.json OUT.json

Runs a case in the format of the PyG fixtures (graph, label_edges, labels, params by PyG
state_dict name; optional "train": {steps, lr} and "eval": {k, exclude_edges, target_edges};
optional "loss": "mse" (the default), "bce" (labels 1 and 0) or "bpr" (n positive label_edges, then
their n negatives for the same users), with "bpr_reg": BPR's λ) on the GPU and writes embeddings, predictions, loss, grads, train.* and eval.* to OUT.json.`;

export async function caseCommand(argv: string[]): Promise<void> {
  const { flags, rest } = parseFlags(argv, FLAGS, 'case');
  if (flags.help) {
    process.stdout.write(usage('case', SYNOPSIS, FLAGS));
    return;
  }
  if (rest.length !== 2) {
    throw new InputError(`expected two files, IN.json and OUT.json, got ${rest.length} (see gatlab case --help)`);
  }
  const [inPath, outPath] = rest;
  // Check the case before the GPU starts, so a bad file fails fast.
  const spec = parseCase(readText(inPath), inPath);
  const gpu = await createGpu();
  const kernels = await createKernels(gpu.device);
  const result = await runCase(gpu, kernels, spec);
  // JSON would write NaN and ±Infinity as null: a result that is not all numbers is a failure, not a file.
  const bad = firstNonFinite(result, '');
  if (bad !== null) {
    throw new InputError(
      `${inPath}: the result's ${bad.path} is ${bad.value} (not a finite number), so ${outPath} was not written; are the case's values too large for 32-bit floats?`,
    );
  }
  try {
    writeFileSync(outPath, `${JSON.stringify(result)}\n`);
  } catch (e) {
    throw new InputError(`${outPath}: cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** The first number in a result that is NaN or infinite, by its path (`train.loss_history[3]`); null when all are finite. */
function firstNonFinite(value: unknown, path: string): { path: string; value: number } | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : { path, value };
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) {
      const bad = firstNonFinite(value[k], `${path}[${k}]`);
      if (bad) return bad;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      const bad = firstNonFinite(v, path === '' ? key : `${path}.${key}`);
      if (bad) return bad;
    }
  }
  return null;
}
