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
state_dict name; optional "train": {steps, lr} and "eval": {k, exclude_edges, target_edges}) on
the GPU and writes embeddings, predictions, loss, grads, train.* and eval.* to OUT.json.`;

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
  try {
    writeFileSync(outPath, `${JSON.stringify(result)}\n`);
  } catch (e) {
    throw new InputError(`${outPath}: cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
