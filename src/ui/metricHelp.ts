// What the two training errors measure, said once for every place that names them: the mini-batch
// loss of training's sampled subgraphs, and the full graph's MSE, whose graph and scores are the
// ones the explanation and the tooltips show.

export const MINI_BATCH_HELP =
  'The loss training minimises, averaged over the epoch’s steps: each step sees a sampled subgraph (its ratings and a few sampled neighbours per hop), not the whole graph.';

export const FULL_GRAPH_HELP =
  'The mean squared error of the model’s scores for every training rating, with messages passing over the whole graph, measured whenever Recall is: the same graph and scores the explanation and the tooltips show.';

export const FULL_GRAPH_SCORES_HELP =
  'Every score, path and embedding here comes from one forward pass over the whole graph (every message-passing rating, nothing sampled): the pass whose scores the full-graph MSE is measured on. Training’s mini-batches see sampled subgraphs, so their loss can differ.';
