// The Python script that hands a run on to PyTorch Geometric: the seed's model (GATConv blocks with
// a Linear skip each, made heterogeneous by to_hetero, an inner-product decoder) for the run's
// shape, the run's graph (features, ratings, split), a loader for the weights GAT Lab exports,
// a check of PyG's predictions against GAT Lab's, and the training loop that goes on from there.
import type { Features, InputKind } from '../graph/types';
import type { RunSettings } from '../train/settings';
import { settingsToQuery } from '../train/settings';
import { EDGE_TYPES, NODE_TYPES, paramTable, type ModelShape } from '../model/params';
import { EPOCH_KEY, FINGERPRINT_KEY } from './weightsFile';
import { PYG_OBJECTIVE } from './pygObjective';

/** The ratings of the run, with its split: what the script's graph is made of. */
export interface RatedPairs {
  user: Uint32Array;
  /** Item index (0-based among items). */
  item: Uint32Array;
  rating: Float32Array;
  /** 1 where the rating trains, 0 where it is held out. */
  train: Uint8Array;
  /** 1 where the rating is held out for validation (train is 0 there), 0 elsewhere. */
  val: Uint8Array;
}

/** A pair and the score GAT Lab gives it with the exported weights: what the script checks PyG against. */
export interface PredictionCheck {
  user: number;
  item: number;
  score: number;
}

export interface PygRun {
  settings: RunSettings;
  shape: ModelShape;
  datasetName: string;
  /** Epochs the exported weights have trained. */
  epoch: number;
  userNames: readonly string[];
  itemNames: readonly string[];
  features: Features;
  ratings: RatedPairs;
  checks: PredictionCheck[];
}

/** Pairs the script checks: the held-out ratings first (the interesting ones), then training ones. */
const CHECKS = 5;
/** Base64 characters per line of the embedded graph. */
const LINE = 96;

/** The first few rated pairs, held-out ones first, with their inner-product scores from the embeddings. */
export function predictionChecks(ratings: RatedPairs, user: Float32Array, item: Float32Array, channels: number): PredictionCheck[] {
  const order = [...ratings.user.keys()].sort((a, b) => ratings.train[a] - ratings.train[b] || a - b).slice(0, CHECKS);
  return order.map((r) => {
    const u = ratings.user[r];
    const i = ratings.item[r];
    let score = 0;
    for (let c = 0; c < channels; c++) score += user[u * channels + c] * item[i * channels + c];
    return { user: u, item: i, score };
  });
}

export function pygScript(run: PygRun): string {
  const { shape, settings, features } = run;
  const numUsers = run.userNames.length;
  const numItems = run.itemNames.length;
  if (features.userDim !== shape.userDim || features.itemDim !== shape.itemDim) {
    throw new Error(`pygScript: features of ${features.userDim} and ${features.itemDim} columns, but a model of ${shape.userDim} and ${shape.itemDim} inputs`);
  }
  // One-hot users and items are made with torch.eye instead of carrying U² or I² numbers; other features travel as they are.
  const matrix = (kind: InputKind, values: Float32Array) => (kind === 'onehot' ? 'None' : blob(values));
  const layers = Array.from({ length: shape.layers }, (_, k) => k + 1);
  const edgeTypes = EDGE_TYPES.map((e) => `(${py(e.src)}, ${py(e.key.split('__')[1])}, ${py(e.dst)})`);
  const query = settingsToQuery(settings);
  const weights = weightsFileName(run.epoch);
  return `#!/usr/bin/env python3
# GAT Lab's run, rebuilt in PyTorch Geometric with the weights GAT Lab exported.
#
#   pip install torch torch_geometric
#   python ${SCRIPT_NAME} ${weights}                        # load the weights, check the predictions
#   python ${SCRIPT_NAME} ${weights} --epochs 100 --save trained.json   # then train on
#   torchrun --nproc_per_node 2 ${SCRIPT_NAME} ${weights} --distributed --epochs 100 --save trained.json   # on 2 processes
#
# Data: ${comment(run.datasetName)}, ${numUsers} users, ${numItems} items, ${run.ratings.user.length} ratings.
# Exported at epoch ${run.epoch} of ${settings.epochs}; GAT Lab settings: ${query ? `?${query}` : 'the seed’s'}.
# The run's graph (input features, ratings and their train/test split) is at the end of this file.
import argparse
import base64
import json
import os
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F
import torch_geometric.typing
from torch.nn.parallel import DistributedDataParallel
from torch_geometric.data import HeteroData
from torch_geometric.loader import LinkNeighborLoader
from torch_geometric.nn import GATConv, Linear, to_hetero
from torch_geometric.nn.models.lightgcn import BPRLoss
from torch_geometric.sampler import NegativeSampling

HIDDEN = ${shape.hidden}  # LATENT_DIM: the channels of every block
HEADS = ${shape.heads}  # attention heads, averaged (concat=False)
LR = ${pyNumber(settings.lr)}
# Which ratings carry messages: 'train' (the training ratings only) or 'all' (test ones too, as the seed's run).
MESSAGE_PASSING = ${py(settings.messagePassing)}
# The run's mini-batches, which --distributed makes with LinkNeighborLoader where it can sample:
# supervision edges per step ('full': the whole graph), neighbours per hop (-1: all), negatives (label 0) per edge.
BATCH_SIZE = ${settings.batchSize === 'full' ? "'full'" : settings.batchSize}
NEIGHBORS = [${settings.neighbors.join(', ')}]
NEG_RATIO = ${pyNumber(settings.negRatio)}
# The objective: 'mse' on the ratings, 'bce' (F.binary_cross_entropy_with_logits: ratings 1, NEG_RATIO
# unrated pairs per rating 0) or 'bpr' (torch_geometric's BPRLoss: each rating against one unrated
# item of the same user), with BPR_REG its lambda_reg over the pairs' users' and items' embeddings.
LOSS = ${py(settings.loss)}
BPR_REG = ${pyNumber(settings.loss === 'bpr' ? settings.bprReg : 0)}

METADATA = ([${NODE_TYPES.map(py).join(', ')}], [${edgeTypes.join(', ')}])


class Encoder(torch.nn.Module):
    # The seed's encoder: ${shape.layers} block${shape.layers > 1 ? 's' : ''}, each h <- relu(GAT(h) + Linear(h)).
    def __init__(self, hidden_channels, heads):
        super().__init__()
${layers
  .map(
    (l) => `        self.conv${l} = GATConv((-1, -1), hidden_channels, heads=heads, concat=False, add_self_loops=False)
        self.lin${l} = Linear(-1, hidden_channels)`,
  )
  .join('\n')}

    def forward(self, x, edge_index):
${layers.map((l) => `        x = (self.conv${l}(x, edge_index) + self.lin${l}(x)).relu()`).join('\n')}
        return x


class Decoder(torch.nn.Module):
    # The score of a (user, item) pair: the inner product of their embeddings.
    def forward(self, x, pairs):
        return (x['user'][pairs[0]] * x['item'][pairs[1]]).sum(dim=-1)


# The names GAT Lab's weights file holds, exactly those of to_hetero's state_dict for this model.
STATE_DICT_KEYS = [
${paramTable(shape)
  .map((e) => `    ${py(e.name)},`)
  .join('\n')}
]
# GAT Lab's fingerprint of the run (its data and settings) the weights belong to: not a tensor.
FINGERPRINT_KEY = ${py(FINGERPRINT_KEY)}
# Which epoch's weights GAT Lab saved (and the recalls it was chosen by): not a tensor, not written back.
EPOCH_KEY = ${py(EPOCH_KEY)}


def load_weights(encoder, path):
    """Loads the weights strictly; returns the fingerprint of the GAT Lab run they came from, if any."""
    with open(path) as f:
        named = json.load(f)
    missing = [k for k in STATE_DICT_KEYS if k not in named]
    unknown = [k for k in named if k not in STATE_DICT_KEYS and k not in (FINGERPRINT_KEY, EPOCH_KEY)]
    if missing or unknown:
        sys.exit(f'{path}: not the weights of this model (missing {missing[:3]}, unknown {unknown[:3]}); '
                 'export the weights and this script from the same GAT Lab run')
    encoder.load_state_dict({k: torch.tensor(named[k], dtype=torch.float32) for k in STATE_DICT_KEYS}, strict=True)
    return named.get(FINGERPRINT_KEY)


def array(text, dtype):
    # The arrays below are the engine's own bytes (little-endian), base64-encoded.
    data = base64.b64decode(text)
    return torch.frombuffer(bytearray(data), dtype=dtype).clone() if data else torch.zeros(0, dtype=dtype)


def graph():
    # The run's graph in to_hetero's terms, and its ratings as (users, items, ratings, is-training).
    g = GRAPH
    x_user = torch.eye(g['num_users']) if g['x_user'] is None else array(g['x_user'], torch.float32).view(g['num_users'], g['user_dim'])
    x_item = torch.eye(g['num_items']) if g['x_item'] is None else array(g['x_item'], torch.float32).view(g['num_items'], g['item_dim'])
    users = array(g['user'], torch.int32).long()
    items = array(g['item'], torch.int32).long()
    ratings = array(g['rating'], torch.float32)
    train = array(g['train'], torch.uint8).bool()
    passing = train if MESSAGE_PASSING == 'train' else torch.ones_like(train)
    rates = torch.stack([users[passing], items[passing]])
    edge_index = {METADATA[1][0]: rates, METADATA[1][1]: rates.flip(0)}
    return {'user': x_user, 'item': x_item}, edge_index, (users, items, ratings, train)


${PYG_OBJECTIVE}def check(encoder, decoder, x, edge_index, path, say):
    # PyG's scores for a few ratings (held-out ones first) against GAT Lab's, from the same weights.
    with torch.no_grad():
        h = encoder(x, edge_index)
    worst = 0.0
    for user, item, gatlab, who, what in CHECKS:
        pyg = decoder(h, torch.tensor([[user], [item]])).item()
        worst = max(worst, abs(pyg - gatlab) / max(1.0, abs(gatlab)))
        say(f'{who} -> {what}: PyG {pyg:.5f}, GAT Lab {gatlab:.5f}')
    if worst > 1e-5:
        sys.exit(f'PyG and GAT Lab differ by {worst:.1e}: {path} is not the epoch this script was exported with')
    say(f"PyG gives GAT Lab's predictions (largest relative difference {worst:.1e}).")


def start_distributed():
    # torchrun starts one process per worker and tells each its RANK, WORLD_SIZE and LOCAL_RANK.
    if 'LOCAL_RANK' not in os.environ:
        sys.exit('--distributed: start this script with torchrun, e.g. '
                 'torchrun --nproc_per_node 2 ${SCRIPT_NAME} WEIGHTS --distributed --epochs 100')
    if torch.cuda.is_available():
        dist.init_process_group('nccl')
        device = torch.device('cuda', int(os.environ['LOCAL_RANK']))
        torch.cuda.set_device(device)
        return device
    dist.init_process_group('gloo')
    return torch.device('cpu')


def shard(count, rank, world):
    # This process's share of the supervision edges: every world-th edge from its rank on. Every
    # process gets as many (up to world - 1 edges are left out), so all take the same steps, and
    # DDP's average of their gradients is the gradient of all their edges together.
    per_process = count // world
    return torch.arange(rank, per_process * world, world)


def can_sample():
    # PyG 2.5.3's neighbour sampling is compiled code: pyg-lib or torch-sparse (it has no pure-torch path).
    return torch_geometric.typing.WITH_PYG_LIB or torch_geometric.typing.WITH_TORCH_SPARSE


def link_batches(x, edge_index, pairs, labels, device):
    # The run's mini-batches as PyG makes them: BATCH_SIZE of these supervision edges, their
    # neighbourhoods sampled NEIGHBORS per hop, NEG_RATIO random non-edges (label 0) per edge.
    # (Where the smallest rating is 0, PyG adds 1 to every rating's label, so that 0 means a negative.)
    data = HeteroData()
    for node_type, features in x.items():
        data[node_type].x = features
    for edge_type, edges in edge_index.items():
        data[edge_type].edge_index = edges
    rates = METADATA[1][0]
    loader = LinkNeighborLoader(data, num_neighbors=NEIGHBORS, edge_label_index=(rates, pairs), edge_label=labels,
                                batch_size=BATCH_SIZE, shuffle=True,
                                neg_sampling=NegativeSampling('binary', amount=NEG_RATIO) if NEG_RATIO > 0 else None)

    def batches():
        for batch in loader:
            batch = batch.to(device)
            yield batch.x_dict, batch.edge_index_dict, batch[rates].edge_label_index, batch[rates].edge_label
    return batches


def main():
    parser = argparse.ArgumentParser(description="GAT Lab's model in PyTorch Geometric")
    parser.add_argument('weights', help='the weights file GAT Lab exported (JSON, PyG state_dict names)')
    parser.add_argument('--epochs', type=int, default=0, help='Adam epochs to train on after the check')
    parser.add_argument('--save', help='write the weights here at the end (the same JSON: GAT Lab imports it)')
    parser.add_argument('--distributed', action='store_true',
                        help='train with DistributedDataParallel, one process per torchrun worker (gloo on CPU, NCCL on CUDA)')
    args = parser.parse_args()

    device = start_distributed() if args.distributed else torch.device('cpu')
    rank, world = (dist.get_rank(), dist.get_world_size()) if args.distributed else (0, 1)
    say = print if rank == 0 else (lambda *_: None)

    x, edge_index, (users, items, ratings, train) = graph()
    encoder = to_hetero(Encoder(HIDDEN, HEADS), METADATA, aggr='sum')
    decoder = Decoder()
    with torch.no_grad():
        encoder(x, edge_index)  # PyG's lazy (-1) input sizes are fixed by a first pass over the data
    fingerprint = load_weights(encoder, args.weights)
    check(encoder, decoder, x, edge_index, args.weights, say)

    # Training goes on here, with Adam and fresh moments. One process: full batch, every training
    # rating each step. Distributed: each process takes its shard of the training ratings, in the
    # run's mini-batches where PyG can sample them; otherwise it passes messages over the whole
    # graph and takes the loss on its shard, one step per epoch. (For a graph split over machines,
    # torch_geometric.distributed partitions it and samples across them.)
    pairs = torch.stack([users[train], items[train]])
    # BCE and BPR learn that a rating happened, not its value.
    labels = ratings[train] if LOSS == 'mse' else torch.ones(int(train.sum()))
    num_users, num_items = x['user'].size(0), x['item'].size(0)
    known = torch.unique(users * num_items + items)
    model = encoder
    if args.distributed:
        mine = shard(labels.numel(), rank, world)
        pairs, labels = pairs[:, mine], labels[mine]
        x = {k: v.to(device) for k, v in x.items()}
        edge_index = {k: v.to(device) for k, v in edge_index.items()}
        pairs, labels, known = pairs.to(device), labels.to(device), known.to(device)
        # DDP gives every process rank 0's weights, then averages the processes' gradients at each backward.
        model = DistributedDataParallel(encoder.to(device), device_ids=[device.index] if device.type == 'cuda' else None)
    # LinkNeighborLoader's binary negatives serve MSE and BCE; BPR's pairs of the same user are drawn here.
    if args.distributed and BATCH_SIZE != 'full' and can_sample() and LOSS != 'bpr':
        batches = link_batches(x, edge_index, pairs, labels, device)
    else:
        if args.distributed and BATCH_SIZE != 'full' and LOSS == 'bpr':
            say("Each process passes messages over the whole graph and takes BPR's loss on its shard of the "
                "ratings, with pairs drawn here (LinkNeighborLoader's negatives are not per user).")
        elif args.distributed and BATCH_SIZE != 'full':
            say("Neither pyg-lib nor torch-sparse is installed, so LinkNeighborLoader cannot sample: each process "
                "passes messages over the whole graph and takes the loss on its shard of the ratings.")

        def batches():
            return [(x, edge_index, *with_negatives(pairs, labels, known, num_users, num_items))]
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    if args.distributed:
        say(f'{world} processes, {labels.numel()} training ratings each')
    for epoch in range(1, args.epochs + 1):
        loss_sum, count = 0.0, 0
        for batch_x, batch_edge_index, batch_pairs, batch_labels in batches():
            optimizer.zero_grad()
            loss = objective(decoder, model(batch_x, batch_edge_index), batch_pairs, batch_labels)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * batch_labels.numel()
            count += batch_labels.numel()
        total = torch.tensor([loss_sum, count], dtype=torch.float64, device=device)
        if args.distributed:
            dist.all_reduce(total)  # the loss over every process's ratings
        say(f'epoch {epoch}: {LOSS.upper()} {(total[0] / total[1]).item():.4f}')
    if args.save and rank == 0:
        with open(args.save, 'w') as f:
            # The same run's data and settings, so GAT Lab's --init and import take the file back.
            fingerprint_entry = {FINGERPRINT_KEY: fingerprint} if fingerprint is not None else {}
            json.dump({**fingerprint_entry, **{k: v.tolist() for k, v in encoder.state_dict().items()}}, f)
        print(f'wrote {args.save}')
    if args.distributed:
        dist.destroy_process_group()


# (user, item, GAT Lab's score at epoch ${run.epoch}, user name, item name)
CHECKS = [
${run.checks.map((c) => `    (${c.user}, ${c.item}, ${pyNumber(c.score)}, ${py(run.userNames[c.user])}, ${py(run.itemNames[c.item])}),`).join('\n')}
]

GRAPH = {
    'num_users': ${numUsers},
    'num_items': ${numItems},
    'user_dim': ${features.userDim},
    'x_user': ${matrix(features.userKind, features.user)},
    'item_dim': ${features.itemDim},
    'x_item': ${matrix(features.itemKind, features.item)},
    'user': ${blob(Int32Array.from(run.ratings.user))},
    'item': ${blob(Int32Array.from(run.ratings.item))},
    'rating': ${blob(run.ratings.rating)},
    'train': ${blob(run.ratings.train)},
}

if __name__ == '__main__':
    main()
`;
}

/** The file name the page gives the script. */
export const SCRIPT_NAME = 'gatlab_pyg.py';

/** The name the page gives the weights of an epoch (the script names it in its usage). */
export const weightsFileName = (epoch: number) => `gatlab-weights-epoch${epoch}.json`;

/** A Python string literal: JSON's escapes are Python's too. */
const py = (text: string) => JSON.stringify(text);

const comment = (text: string) => text.replace(/[\r\n]+/g, ' ');

/** A Python float literal (a score can be anything a float32 holds). */
const pyNumber = (x: number) => (Number.isFinite(x) ? String(x) : `float('${x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan'}')`);

/** An array's bytes as a Python string literal of base64, split over lines. */
function blob(values: Float32Array | Int32Array | Uint8Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  const text = btoa(binary);
  if (text.length <= LINE) return `'${text}'`;
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += LINE) lines.push(`        '${text.slice(at, at + LINE)}'`);
  return `(\n${lines.join('\n')}\n    )`;
}
