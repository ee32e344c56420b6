// The PyG script a run exports, without torch (tests/pyg-handoff.test.ts runs it under real PyG): Python compiles it, and
// Python's own parser reads back what it would load and build. Its state_dict names are exactly
// params.ts's for the shape, and those of real PyG's state_dict (the fixtures); its modules and
// metadata make those names; the graph it carries decodes to the run's features and ratings; its
// check pairs hold GAT Lab's scores from a run on real WebGPU.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toyRatings } from '../src/graph/toy';
import { parseU100kData, parseU100kItems } from '../src/graph/movielens100k';
import type { Ratings } from '../src/graph/types';
import { paramTable, type ModelShape } from '../src/model/params';
import { predictionChecks, pygScript, type RatedPairs } from '../src/formats/pygScript';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import { caseShape, loadCase } from './helpers/fixtures';
import { openGpu } from './helpers/gpu';
import { REPO_DIR } from './helpers/paths';

// The script is Python: without python3 there is nothing to compile or parse it with.
const PYTHON = spawnSync('python3', ['--version']).status === 0;

/** What Python's parser finds in a script: the literals, the Encoder's modules and forward, the calls that matter. */
interface Parsed {
  STATE_DICT_KEYS: string[];
  METADATA: [string[], [string, string, string][]];
  HIDDEN: number;
  HEADS: number;
  LR: number;
  MESSAGE_PASSING: string;
  BATCH_SIZE: number | 'full';
  NEIGHBORS: number[];
  NEG_RATIO: number;
  CHECKS: [number, number, number, string, string][];
  GRAPH: { num_users: number; num_items: number; item_dim: number; x_item: number[]; user: number[]; item: number[]; rating: number[]; train: number[] };
  modules: { name: string; call: string; args: string[]; keywords: Record<string, unknown> }[];
  forward: string[];
  calls: string[];
}

const READER = String.raw`
import array, ast, base64, json, sys
tree = ast.parse(open(sys.argv[1]).read())
out = {'modules': [], 'forward': [], 'calls': []}
def decode(text, code):
    a = array.array(code)
    a.frombytes(base64.b64decode(text))
    return a.tolist()
for node in tree.body:
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        name = node.targets[0].id
        if name == 'GRAPH':
            g = ast.literal_eval(node.value)
            codes = {'x_item': 'f', 'user': 'i', 'item': 'i', 'rating': 'f', 'train': 'B'}
            out[name] = {k: decode(v, codes[k]) if k in codes else v for k, v in g.items()}
        elif name in ('STATE_DICT_KEYS', 'METADATA', 'HIDDEN', 'HEADS', 'LR', 'MESSAGE_PASSING', 'CHECKS', 'BATCH_SIZE', 'NEIGHBORS', 'NEG_RATIO'):
            out[name] = ast.literal_eval(node.value)
    if isinstance(node, ast.ClassDef) and node.name == 'Encoder':
        for f in node.body:
            if isinstance(f, ast.FunctionDef) and f.name == '__init__':
                for s in f.body:
                    if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Attribute):
                        out['modules'].append({'name': s.targets[0].attr, 'call': ast.unparse(s.value.func),
                            'args': [ast.unparse(a) for a in s.value.args],
                            'keywords': {k.arg: ast.literal_eval(k.value) if not isinstance(k.value, ast.Name) else k.value.id for k in s.value.keywords}})
            if isinstance(f, ast.FunctionDef) and f.name == 'forward':
                out['forward'] = [ast.unparse(s) for s in f.body]
for node in ast.walk(tree):
    if isinstance(node, ast.Call) and ast.unparse(node.func) in ('to_hetero', 'encoder.load_state_dict', 'torch.tensor'):
        out['calls'].append(ast.unparse(node))
print(json.dumps(out))
`;

const { gpu, kernels } = await openGpu();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatlab-pyg-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A few epochs on real WebGPU, then the script of that epoch. */
async function exported(ratings: Ratings, patch: Partial<RunSettings>, epochs: number) {
  const settings = { ...SEED_SETTINGS, ...patch };
  const t = Trainer.create(gpu, kernels, ratings, settings);
  await t.train(epochs);
  await t.evaluate();
  const snap = await t.snapshot();
  const { data } = t;
  const train = new Uint8Array(data.ratings.user.length);
  for (const r of data.split.train) train[r] = 1;
  const rated: RatedPairs = { user: data.ratings.user, item: data.ratings.item, rating: data.ratings.rating, train, val: new Uint8Array(train.length) };
  const checks = predictionChecks(rated, snap.user, snap.item, snap.channels);
  const text = pygScript({
    settings,
    shape: t.shape,
    datasetName: 'test data',
    epoch: t.epoch,
    userNames: data.ratings.userNames,
    itemNames: data.ratings.itemNames,
    features: data.features,
    ratings: rated,
    checks,
  });
  const out = { t, text, rated, checks, snap };
  t.destroy();
  return out;
}

function compiles(text: string, name: string): void {
  const file = join(dir, name);
  writeFileSync(file, text);
  execFileSync('python3', ['-m', 'py_compile', file], { stdio: 'pipe' });
}

function parse(text: string, name: string): Parsed {
  const file = join(dir, name);
  writeFileSync(file, text);
  return JSON.parse(execFileSync('python3', ['-c', READER, file], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Parsed;
}

/**
 * The state_dict names the script's modules make: GATConv's own parameters and its lin_src and
 * lin_dst for each edge type of METADATA, Linear's weight and bias for each node type, as
 * to_hetero names its copies ('src__rel__dst', 'node type').
 */
function namesOfModules(p: Parsed): Set<string> {
  const [nodeTypes, edgeTypes] = p.METADATA;
  const names = new Set<string>();
  for (const m of p.modules) {
    if (m.call === 'GATConv') {
      for (const et of edgeTypes) for (const part of ['att_src', 'att_dst', 'bias', 'lin_src.weight', 'lin_dst.weight']) names.add(`${m.name}.${et.join('__')}.${part}`);
    } else if (m.call === 'Linear') {
      for (const t of nodeTypes) for (const part of ['weight', 'bias']) names.add(`${m.name}.${t}.${part}`);
    } else {
      throw new Error(`unexpected module ${m.name} = ${m.call}(...)`);
    }
  }
  return names;
}

describe.skipIf(!PYTHON)('the PyG script', () => {
  it("compiles, and its modules, metadata and names are the seed's model for the toy run's shape", async () => {
    const { t, text } = await exported(toyRatings(), {}, 3);
    compiles(text, 'toy.py');
    const p = parse(text, 'toy.py');
    const table = paramTable(t.shape);
    expect(p.STATE_DICT_KEYS).toEqual(table.map((e) => e.name));
    expect(namesOfModules(p)).toEqual(new Set(p.STATE_DICT_KEYS));
    expect(p.METADATA).toEqual([['user', 'item'], [['user', 'rates', 'item'], ['item', 'rev_rates', 'user']]]);
    expect([p.HIDDEN, p.HEADS, p.LR, p.MESSAGE_PASSING]).toEqual([12, 2, 0.01, 'train']);
    expect([p.BATCH_SIZE, p.NEIGHBORS, p.NEG_RATIO]).toEqual([1, [1], 0]);

    // Three blocks as the seed's: GATConv((-1, -1), C, heads, concat=False, add_self_loops=False) and Linear(-1, C).
    const convs = p.modules.filter((m) => m.call === 'GATConv');
    const lins = p.modules.filter((m) => m.call === 'Linear');
    expect(convs.map((m) => m.name)).toEqual(['conv1', 'conv2', 'conv3']);
    expect(lins.map((m) => m.name)).toEqual(['lin1', 'lin2', 'lin3']);
    for (const c of convs) {
      expect(c.args).toEqual(['(-1, -1)', 'hidden_channels']);
      expect(c.keywords).toEqual({ heads: 'heads', concat: false, add_self_loops: false });
    }
    for (const l of lins) expect(l.args).toEqual(['-1', 'hidden_channels']);
    expect(p.forward).toEqual([
      'x = (self.conv1(x, edge_index) + self.lin1(x)).relu()',
      'x = (self.conv2(x, edge_index) + self.lin2(x)).relu()',
      'x = (self.conv3(x, edge_index) + self.lin3(x)).relu()',
      'return x',
    ]);
    expect(p.calls).toContain("to_hetero(Encoder(HIDDEN, HEADS), METADATA, aggr='sum')");
    expect(p.calls).toContain('encoder.load_state_dict({k: torch.tensor(named[k], dtype=torch.float32) for k in STATE_DICT_KEYS}, strict=True)');
  });

  it('names exactly the tensors of real PyG’s state_dict (the fixtures), for their shapes', async () => {
    for (const name of ['tiny', 'multi_edges_heads3']) {
      const { input, expected } = loadCase(name);
      const shape: ModelShape = caseShape(input);
      const settings = { ...SEED_SETTINGS, hidden: shape.hidden, heads: shape.heads, layers: shape.layers };
      // Only names and shapes matter here: a run of the fixture's shape on a graph of its sizes.
      const numUsers = shape.userDim;
      const features = { userDim: numUsers, itemDim: shape.itemDim, userKind: 'onehot' as const, itemKind: 'dense' as const, user: new Float32Array(0), item: new Float32Array(input.graph.num_items * shape.itemDim) };
      const rated: RatedPairs = { user: new Uint32Array(0), item: new Uint32Array(0), rating: new Float32Array(0), train: new Uint8Array(0), val: new Uint8Array(0) };
      const text = pygScript({ settings, shape, datasetName: name, epoch: 0, userNames: names(numUsers), itemNames: names(input.graph.num_items), features, ratings: rated, checks: [] });
      compiles(text, `${name}.py`);
      const p = parse(text, `${name}.py`);
      expect(p.STATE_DICT_KEYS).toEqual(expected.param_keys);
      expect(namesOfModules(p)).toEqual(new Set(expected.param_keys));
    }
  });

  it.each<[string, Partial<RunSettings> & { layers: number; hidden: number }]>([
    ['one block, three heads, all ratings passing messages, full batch', { layers: 1, heads: 3, hidden: 5, messagePassing: 'all', batchSize: 'full' }],
    ['five blocks, mini-batches of 2 with negatives', { layers: 5, hidden: 4, batchSize: 2, neighbors: [2, -1], negRatio: 1.5 }],
  ])('follows the shape: %s', async (_, patch) => {
    const { t, text } = await exported(toyRatings(), patch, 2);
    compiles(text, 'shape.py');
    const p = parse(text, 'shape.py');
    expect(p.STATE_DICT_KEYS).toEqual(paramTable(t.shape).map((e) => e.name));
    expect(namesOfModules(p)).toEqual(new Set(p.STATE_DICT_KEYS));
    expect(p.forward.length).toBe(patch.layers + 1);
    expect([p.HIDDEN, p.HEADS, p.MESSAGE_PASSING]).toEqual([patch.hidden, patch.heads ?? 2, patch.messagePassing ?? 'train']);
    expect([p.BATCH_SIZE, p.NEIGHBORS, p.NEG_RATIO]).toEqual([patch.batchSize, patch.neighbors ?? [1], patch.negRatio ?? 0]);
  });

  it('carries the run’s graph (features, ratings, split) and GAT Lab’s scores for the check', async () => {
    const dataDir = join(REPO_DIR, 'tests/data/ml-100k');
    const items = parseU100kItems(readFileSync(join(dataDir, 'u.item'), 'latin1'), 'u.item');
    const ratings = parseU100kData(readFileSync(join(dataDir, 'u.data'), 'utf8'), 'u.data', items);
    for (const [what, data, patch] of [
      ['toy', toyRatings(), {}],
      ['MovieLens 100K sample, genre features', ratings, { features: 'genres' as const, split: 0.75 }],
    ] as const) {
      const { t, text, rated, checks, snap } = await exported(data, patch, 4);
      const p = parse(text, `${what}.py`);
      const g = p.GRAPH;
      expect([g.num_users, g.num_items, g.item_dim], what).toEqual([t.data.numUsers, t.data.numItems, t.data.features.itemDim]);
      expect(g.x_item, what).toEqual(Array.from(t.data.features.item));
      expect(g.user, what).toEqual(Array.from(rated.user));
      expect(g.item, what).toEqual(Array.from(rated.item));
      expect(g.rating, what).toEqual(Array.from(rated.rating));
      expect(g.train, what).toEqual(Array.from(rated.train));
      // Held-out ratings first; each score is the inner product of the snapshot's embeddings.
      expect(p.CHECKS.length, what).toBe(Math.min(5, rated.user.length));
      const heldOut = rated.train.filter((x) => x === 0).length;
      const isHeldOut = ([u, i]: Parsed['CHECKS'][number]) => rated.user.some((ru, r) => ru === u && rated.item[r] === i && rated.train[r] === 0);
      expect(p.CHECKS.map(isHeldOut), what).toEqual(p.CHECKS.map((_, k) => k < heldOut));
      expect(p.CHECKS.map(([u, i]) => [u, i]), what).toEqual(checks.map((c) => [c.user, c.item]));
      for (const [u, i, score, who, movie] of p.CHECKS) {
        const C = snap.channels;
        let dot = 0;
        for (let c = 0; c < C; c++) dot += snap.user[u * C + c] * snap.item[i * C + c];
        expect(score, what).toBe(dot);
        expect([who, movie], what).toEqual([t.data.ratings.userNames[u], t.data.ratings.itemNames[i]]);
      }
    }
  });
});

const names = (n: number) => Array.from({ length: n }, (_, k) => `n${k}`);
