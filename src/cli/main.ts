// `gatlab`: the engine of the page, run from a terminal (WebGPU in Node, through Dawn).
import { installNodeWebGPU } from '../gpu/node';
import { takeAdapterFlag } from '../gpu/adapterChoice';
import { NoWebGPUError } from '../gpu/device';
import { InputError } from '../util/errors';
import { DivergedError } from '../train/types';
import { trainCommand } from './train';
import { caseCommand } from './case';
import { recommendCommand } from './recommend';

const HELP = `GAT Lab: a graph attention network recommender trained on WebGPU.

Usage:
  gatlab train [options]                         train (the seed's toy data and hyperparameters by default)
  gatlab recommend --weights FILE --user NAME    a user's top-K items with scores
  gatlab case IN.json OUT.json                   run a PyG fixture case on the GPU
  gatlab <command> --help                        the options of a command

Every command takes --adapter auto|hardware|software: the GPU when the machine has one, else
SwiftShader (auto, the default); or force one.
`;

/** A command, given its arguments and why its adapter was chosen (to print beside the adapter's name). */
const COMMANDS: Record<string, (argv: string[], adapterWhy: string) => Promise<void>> = {
  train: trainCommand,
  recommend: recommendCommand,
  case: caseCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`gatlab: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  try {
    const { choice, rest: args } = takeAdapterFlag(rest, `gatlab ${command}`);
    const chosen = await installNodeWebGPU(choice);
    await run(args, chosen?.why ?? 'WebGPU already installed');
    return 0;
  } catch (e) {
    // What the user handed us was wrong, or the GPU is missing, or the run diverged: say so plainly.
    if (e instanceof InputError || e instanceof NoWebGPUError || e instanceof DivergedError) {
      process.stderr.write(`\ngatlab ${command}: ${e.message}\n`);
      return e instanceof DivergedError ? 3 : 2;
    }
    throw e;
  }
}

// Dawn keeps Node alive after the work is done, so the exit is explicit.
process.exit(await main(process.argv.slice(2)));
