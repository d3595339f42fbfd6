"""Clustering scores against ground truth: adjusted Rand index and pairwise precision / recall / F1."""
from __future__ import annotations

from collections import Counter
from math import comb


def labels_from_clusters(ids: list[str], clusters: list[list[str]]) -> dict[str, int]:
    """Every id's cluster number; ids in no cluster are singletons."""
    label = {}
    for n, members in enumerate(clusters):
        for m in members:
            label[m] = n
    nxt = len(clusters)
    for i in ids:
        if i not in label:
            label[i] = nxt
            nxt += 1
    return label


def adjusted_rand_index(truth: dict[str, int], found: dict[str, int]) -> float:
    """Hubert & Arabie's ARI over the ids of `truth` (1.0 = identical partitions, ≈ 0 = chance)."""
    ids = list(truth)
    pairs = Counter((truth[i], found[i]) for i in ids)
    sum_cells = sum(comb(n, 2) for n in pairs.values())
    sum_truth = sum(comb(n, 2) for n in Counter(truth[i] for i in ids).values())
    sum_found = sum(comb(n, 2) for n in Counter(found[i] for i in ids).values())
    total = comb(len(ids), 2)
    expected = sum_truth * sum_found / total if total else 0.0
    best = (sum_truth + sum_found) / 2
    return 1.0 if best == expected else (sum_cells - expected) / (best - expected)


def pairwise_scores(truth: dict[str, int], found: dict[str, int]) -> dict:
    """Precision, recall and F1 over the pairs placed in one cluster."""
    pairs = Counter((truth[i], found[i]) for i in truth)
    tp = sum(comb(n, 2) for n in pairs.values())
    found_pairs = sum(comb(n, 2) for n in Counter(found[i] for i in truth).values())
    true_pairs = sum(comb(n, 2) for n in Counter(truth.values()).values())
    p = tp / found_pairs if found_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}
