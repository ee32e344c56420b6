# Real PyG 2.5.3 (torch, float64) on a case file with a "loss" (../shared/fixtures/pyg/README.md's
# format, plus "loss" and "bpr_reg"): the seed's model made heterogeneous by to_hetero, its loss
# as PyTorch defines it, F.binary_cross_entropy_with_logits for "bce" and torch_geometric's BPRLoss
# (LightGCN.recommendation_loss's) for "bpr", the node embeddings it regularises being the
# decoder's embeddings of the pairs' unique users and items. Writes the expected file's fields:
#   pyg_loss_case.py CASE.in.json CASE.expected.json
import json
import sys

import torch
import torch.nn.functional as F
import torch_geometric
from torch_geometric.nn import GATConv, Linear, to_hetero
from torch_geometric.nn.models.lightgcn import BPRLoss

torch.set_default_dtype(torch.float64)
case = json.load(open(sys.argv[1]))
g = case['graph']
layers = max(int(k.split('.')[0][3:]) for k in case['params'] if k.startswith('lin'))
hidden = len(case['params']['lin1.user.bias'])
heads = len(case['params']['conv1.user__rates__item.att_src'][0])
METADATA = (['user', 'item'], [('user', 'rates', 'item'), ('item', 'rev_rates', 'user')])


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        for l in range(1, layers + 1):
            setattr(self, f'conv{l}', GATConv((-1, -1), hidden, heads=heads, concat=False, add_self_loops=False))
            setattr(self, f'lin{l}', Linear(-1, hidden))

    def forward(self, x, edge_index):
        for l in range(1, layers + 1):
            x = (getattr(self, f'conv{l}')(x, edge_index) + getattr(self, f'lin{l}')(x)).relu()
        return x


x = {'user': torch.tensor(g['x_user']), 'item': torch.tensor(g['x_item'])}
rates = torch.tensor(g['edges']).t()
rev = torch.tensor(g['rev_edges']).t() if 'rev_edges' in g else rates.flip(0)
edge_index = {METADATA[1][0]: rates, METADATA[1][1]: rev}
model = to_hetero(Encoder(), METADATA, aggr='sum')
with torch.no_grad():
    model(x, edge_index)
model.load_state_dict({k: torch.tensor(v) for k, v in case['params'].items()}, strict=True)
pairs = torch.tensor(case['label_edges']).t()
labels = torch.tensor(case['labels'])
kind = case.get('loss', 'mse')
lambda_reg = case.get('bpr_reg', 0)


def objective(h):
    scores = (h['user'][pairs[0]] * h['item'][pairs[1]]).sum(dim=-1)
    if kind == 'mse':
        return scores, F.mse_loss(scores, labels)
    if kind == 'bce':
        return scores, F.binary_cross_entropy_with_logits(scores, labels)
    n = scores.numel() // 2
    emb = torch.cat([h['user'][pairs[0].unique()], h['item'][pairs[1].unique()]])
    return scores, BPRLoss(lambda_reg)(scores[:n], scores[n:], emb)


h = model(x, edge_index)
scores, loss = objective(h)
loss.backward()
out = {
    'pyg_version': torch_geometric.__version__,
    'dtype': 'float64',
    'param_keys': list(model.state_dict().keys()),
    'embeddings': {t: h[t].tolist() for t in ('user', 'item')},
    'predictions': scores.tolist(),
    'loss': loss.item(),
    'grads': {k: p.grad.tolist() for k, p in model.named_parameters()},
}
if 'train' in case:
    optimizer = torch.optim.Adam(model.parameters(), lr=case['train']['lr'])
    history = []
    for _ in range(case['train']['steps']):
        optimizer.zero_grad()
        _, loss = objective(model(x, edge_index))
        history.append(loss.item())
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        final = objective(model(x, edge_index))[1].item()
    out['train'] = {'loss_history': history, 'final_loss': final, 'final_params': {k: v.tolist() for k, v in model.state_dict().items()}}
json.dump(out, open(sys.argv[2], 'w'))
