// The exported PyG script's objective (src/formats/pygScript.ts puts it in): the pairs each epoch
// trains on and the loss PyTorch computes on them, for the run's LOSS, NEG_RATIO and BPR_REG, as
// GAT Lab's sampler (src/graph/sampler.ts) and loss kernels (shaders/loss.wgsl) do.
export const PYG_OBJECTIVE = `def with_negatives(pairs, labels, known, num_users, num_items):
    # A fresh draw each epoch, as GAT Lab's sampler: for 'bce', NEG_RATIO pairs per rating that
    # are no rating (label 0) after the ratings; for 'bpr', the ratings then one item each rating's
    # user has not rated, in the same order (a user with every item rated sits out). Draws that
    # hit a rating are drawn again, up to 1000 times.
    if LOSS == 'mse':
        return pairs, labels
    device = pairs.device
    users = torch.randint(num_users, (round(NEG_RATIO * labels.numel()),), device=device) if LOSS == 'bce' else pairs[0]
    items = torch.randint(num_items, (users.numel(),), device=device)
    for _ in range(1000):
        rated = torch.isin(users * num_items + items, known)
        if not rated.any():
            break
        items[rated] = torch.randint(num_items, (int(rated.sum()),), device=device)
    free = ~torch.isin(users * num_items + items, known)
    negatives = torch.stack([users[free], items[free]])
    zeros = torch.zeros(negatives.size(1), device=device)
    if LOSS == 'bce':
        return torch.cat([pairs, negatives], 1), torch.cat([labels, zeros])
    return torch.cat([pairs[:, free], negatives], 1), torch.cat([labels[free], zeros])


def objective(decoder, h, pairs, labels):
    scores = decoder(h, pairs)
    if LOSS == 'mse':
        return F.mse_loss(scores, labels)
    if LOSS == 'bce':
        return F.binary_cross_entropy_with_logits(scores, labels)
    n = scores.numel() // 2
    # LightGCN.recommendation_loss regularises the embeddings of the batch's nodes: here the
    # decoder's embeddings of the pairs' users and items, each once.
    nodes = torch.cat([h['user'][pairs[0].unique()], h['item'][pairs[1].unique()]])
    return BPRLoss(BPR_REG)(scores[:n], scores[n:], nodes)


`;
