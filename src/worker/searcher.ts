// The page's Search card on the engine side: KNN-MIPS beside the exact top-K for every user on one
// epoch's embeddings. The item graph is the costly part and depends only on the embeddings and E,
// so the last one is kept for the next request, which usually changes only R or T.
import { buildItemGraph, compareSearch } from '../search/compare';
import type { KnnMips } from '../search/knnMips';
import type { SearchSettings } from '../search/settings';
import type { Trainer } from '../train/trainer';
import type { Snapshot } from '../train/types';
import type { SearchReport } from './protocol';

export class Searcher {
  private kept: { trainer: Trainer; epoch: number; graph: KnnMips } | null = null;

  /** Both searches on `snapshot` (an epoch of `trainer`'s run), each user's seen items (training and validation) left out, as in the test ranking. */
  async run(trainer: Trainer, snapshot: Snapshot, settings: SearchSettings): Promise<SearchReport> {
    let buildMs = 0;
    const k = this.kept;
    if (!k || k.trainer !== trainer || k.epoch !== snapshot.epoch || k.graph.neighbors !== settings.expansions) {
      this.drop();
      const built = await buildItemGraph(trainer.gpu.device, snapshot.item, snapshot.channels, settings.expansions);
      this.kept = { trainer, epoch: snapshot.epoch, graph: built.graph };
      buildMs = built.buildMs;
    }
    const { graph } = this.kept!;
    const c = await compareSearch(graph, snapshot.user, { k: snapshot.k, settings, exclude: trainer.data.seen, seed: trainer.settings.seed });
    return { epoch: snapshot.epoch, settings, k: c.k, numUsers: c.numUsers, numItems: graph.numItems, recall: c.recall, knnMs: c.knnMs, exactMs: c.exactMs, buildMs };
  }

  /** Frees the kept graph (the run it was built for has ended). */
  drop(): void {
    this.kept?.graph.destroy();
    this.kept = null;
  }
}
