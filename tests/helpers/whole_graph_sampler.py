# Runs a Python script with a stand-in for the neighbour sampling kernel of pyg-lib, which PyG
# 2.5.3's LinkNeighborLoader needs and Debian does not ship:
#   whole_graph_sampler.py SCRIPT [its arguments]
# The stand-in samples every node and every edge (seeds first, in PyG's order), so a batch is the
# whole graph with the batch's supervision edges: what the script does around the loader (the
# batches' features, edges, labels and negatives, DDP over them) runs as with the real kernel.
import runpy
import sys

import torch
import torch_geometric.typing
from torch_geometric.sampler import HeteroSamplerOutput
from torch_geometric.sampler.neighbor_sampler import NeighborSampler


def sample_whole_graph(self, seed, seed_time=None, **kwargs):
    node, local = {}, {}
    for node_type in self.node_types:
        seeds = seed.get(node_type, torch.empty(0, dtype=torch.long))
        rest = torch.ones(self.num_nodes[node_type], dtype=torch.bool)
        rest[seeds] = False
        node[node_type] = torch.cat([seeds, rest.nonzero().view(-1)])
        local[node_type] = torch.empty(self.num_nodes[node_type], dtype=torch.long)
        local[node_type][node[node_type]] = torch.arange(node[node_type].numel())
    row, col, edge = {}, {}, {}
    for rel_type, colptr in self.colptr_dict.items():
        src, _, dst = edge_type = self.to_edge_type[rel_type]
        destinations = torch.repeat_interleave(torch.arange(colptr.numel() - 1), colptr.diff())
        row[edge_type] = local[src][self.row_dict[rel_type]]
        col[edge_type] = local[dst][destinations]
        edge[edge_type] = torch.arange(destinations.numel())
    return HeteroSamplerOutput(node=node, row=row, col=col, edge=edge, batch=None)


NeighborSampler._sample = sample_whole_graph
torch_geometric.typing.WITH_PYG_LIB = True  # what the script asks before it takes the loader
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
