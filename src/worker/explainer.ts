// The explain panel's data: the engine's explanation of one (user, item) score at a snapshot.
import { explain } from '../explain/explain';
import type { HeadChoice } from '../explain/attention';
import type { Trainer } from '../train/trainer';
import type { Snapshot } from '../train/types';
import type { ExplanationData } from './protocol';

/** Counterfactual forward passes per explanation at most: bounds the work between training chunks. */
const COUNTERFACTUALS = 24;
/** On large graphs each forward pass costs more: fewer of them. */
const COUNTERFACTUALS_LARGE = 10;
const LARGE_GRAPH_EDGES = 20_000;
/** While training runs at full speed: the strongest few only. */
const COUNTERFACTUALS_BRIEF = 3;
/** Connecting paths listed; each costs a forward pass too (its ratings taken out), so fewer on large graphs and while training runs. */
const PATHS = 8;
const PATHS_LARGE = 4;
const PATHS_BRIEF = 3;

export async function explainPair(trainer: Trainer, snapshot: Snapshot, user: number, item: number, head: HeadChoice, weightsEpoch: number, brief = false): Promise<ExplanationData> {
  const large = trainer.evaluator.graph.edgeSrc.length > LARGE_GRAPH_EDGES;
  const counterfactuals = brief ? COUNTERFACTUALS_BRIEF : large ? COUNTERFACTUALS_LARGE : COUNTERFACTUALS;
  const e = await explain(trainer, snapshot, user, item, { head, counterfactuals, paths: brief ? PATHS_BRIEF : large ? PATHS_LARGE : PATHS });
  return { ...e, weightsEpoch, brief };
}
