// Forward passes with a run's current weights on graphs other than its own (an edge taken away,
// for the explanations), in a workspace of their own that grows to the largest graph asked for.
import { submitPass } from '../gpu/kernels';
import { countsOf, packGraph } from '../gpu/graphBuffer';
import type { GraphArrays } from '../graph/types';
import { type Capacity, type ModelOnGpu, Workspace } from '../model/gpuModel';

export class Probe {
  private workspace: Workspace | null = null;

  constructor(
    private readonly model: ModelOnGpu,
    private readonly features: GPUBuffer,
    private readonly numUsers: number,
    private readonly numItems: number,
  ) {}

  /** The encoder's output on `graph`, which must have the run's users and items: one forward pass, no training. */
  async embeddings(graph: GraphArrays): Promise<{ user: Float32Array; item: Float32Array }> {
    const { numUsers, numItems } = this;
    if (graph.numUsers !== numUsers || graph.numItems !== numItems) {
      throw new Error(`embeddingsFor: the graph has ${graph.numUsers} users and ${graph.numItems} items, the run ${numUsers} and ${numItems}`);
    }
    const c = countsOf(graph);
    const need: Capacity = { ...c, lossSlots: 1 };
    if (!this.workspace?.fits(need)) {
      this.workspace?.destroy();
      this.workspace = new Workspace(this.model, this.features, need);
    }
    const ws = this.workspace;
    const { device } = this.model;
    device.queue.writeBuffer(ws.graph, 0, packGraph(graph));
    submitPass(device, (pass) => ws.encodeForward(pass, c), 'embeddingsFor');
    const emb = await ws.readEmbeddings(c.nodes);
    const C = this.model.shape.hidden;
    return { user: emb.slice(0, numUsers * C), item: emb.slice(numUsers * C) };
  }

  destroy(): void {
    this.workspace?.destroy();
  }
}
