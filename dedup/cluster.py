"""Group verified pairs into stories without chaining loose rewrite edges across a topic."""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Callable, Hashable, Iterable

from .verify import NEAR, PARTIAL, REWRITE, Pair


@dataclass
class Cluster:
    """One story: its members, the article that stands for it, and the verified pairs inside it."""

    id: int
    canonical: str
    members: list[str]
    pairs: list[Pair] = field(default_factory=list)


class UnionFind:
    """Disjoint sets with path compression; the smaller key names each set."""

    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:  # path compression
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def copy_groups(edges: Iterable[tuple[Hashable, Hashable, Hashable | None]]) -> UnionFind:
    """Groups of copies from verified copy pairs (a, b, held): held is None for the same text or a near-duplicate
    by shingle Jaccard, else the one of a and b held whole in the other (near by containment). Copies join
    transitively: a copy of a copy is a copy. A text held whole in articles of two or more groups (it or its own
    copies) joins none of them: a page of site chrome alone is contained in every article that carries the chrome,
    a quote in every report that quotes it, and either would chain unrelated stories into one. (A text that holds
    others, as a wire story holds its trimmed copies, joins them all.)"""
    uf = UnionFind()
    held: list[tuple[Hashable, Hashable]] = []  # (the held text, the one holding it)
    for a, b, inner in edges:
        if inner is None:
            uf.union(a, b)
        else:
            held.append((inner, b if inner == a else a))
    by_group: dict[Hashable, list[tuple[Hashable, Hashable]]] = {}  # each held group's (held, holder) pairs
    for inner, outer in held:
        by_group.setdefault(uf.find(inner), []).append((inner, outer))
    while by_group:  # joins only merge groups, so the result is the same in any order: its least fixed point
        joining = [g for g, pairs in by_group.items() if len({uf.find(x) for pair in pairs for x in pair}) <= 2]
        if not joining:
            break
        for g in joining:  # (held in one group besides its own, perhaps since its holders were joined)
            for inner, outer in by_group.pop(g):
                uf.union(inner, outer)
    return uf


def cluster(
    pairs: list[Pair],
    copies: UnionFind,
    similarity: dict[tuple[str, str], float],
    threshold: float,
    canonical_key: Callable[[str], tuple],
) -> tuple[list[Cluster], list[Pair]]:
    """Stories from verified pairs: (clusters with ≥ 2 members, links between clusters).

    The groups of copies (`copies`: copy_groups of the copy pairs, merged further in place) are merged by average
    linkage on the scores in `similarity` (verified pairs between groups, by their rewrite score): two stories merge
    only while the mean score over *all* pairs between them (unmeasured pairs count as 0) is at least `threshold`,
    so a chain of loose rewrite edges through a topic cannot pull unrelated stories together.
    """
    uf = copies
    # Average linkage over groups of copies; weight between groups = best measured score between members.
    weights: dict[tuple[str, str], float] = {}
    for (a, b), s in similarity.items():
        ga, gb = uf.find(a), uf.find(b)
        if ga != gb:
            key = (ga, gb) if ga < gb else (gb, ga)
            weights[key] = max(weights.get(key, 0.0), s)
    size: dict[str, int] = {}
    links: dict[str, dict[str, float]] = {}
    for (ga, gb), w in weights.items():
        links.setdefault(ga, {})[gb] = w
        links.setdefault(gb, {})[ga] = w
        size[ga] = size[gb] = 1
    heap = [(-w, ga, gb) for (ga, gb), w in weights.items() if w >= threshold]
    heapq.heapify(heap)
    merged_into: dict[str, str] = {}
    while heap:
        neg, x, y = heapq.heappop(heap)
        if x in merged_into or y in merged_into:
            continue
        current = links[x].get(y, 0.0) / (size[x] * size[y])
        if abs(current + neg) > 1e-12:  # stale entry: the clusters changed since it was pushed
            continue
        keep, gone = (x, y) if len(links[x]) >= len(links[y]) else (y, x)
        merged_into[gone] = keep
        uf.union(keep, gone)
        for other, w in links.pop(gone).items():
            if other == keep:
                continue
            links[other].pop(gone, None)
            total = links[keep].get(other, 0.0) + w
            links[keep][other] = links[other][keep] = total
        links[keep].pop(gone, None)
        size[keep] += size.pop(gone)
        for other, total in links[keep].items():
            mean = total / (size[keep] * size[other])
            if mean >= threshold:
                heapq.heappush(heap, (-mean, keep, other))
    # Anything merged by union above must now resolve through the union-find as well.
    members: dict[str, list[str]] = {}
    for p in pairs:
        for x in (p.a, p.b):
            members.setdefault(uf.find(x), [])
    seen: set[str] = set()
    for p in pairs:
        for x in (p.a, p.b):
            if x not in seen:
                seen.add(x)
                members[uf.find(x)].append(x)
    clusters: list[Cluster] = []
    root_to_cluster: dict[str, Cluster] = {}
    for root, ms in sorted(members.items(), key=lambda kv: (-len(kv[1]), min(kv[1]))):
        if len(ms) < 2:
            continue
        ms.sort()
        c = Cluster(id=len(clusters) + 1, canonical=min(ms, key=canonical_key), members=ms)
        clusters.append(c)
        root_to_cluster[root] = c
    cross: list[Pair] = []
    for p in pairs:
        ca, cb = root_to_cluster.get(uf.find(p.a)), root_to_cluster.get(uf.find(p.b))
        if ca is not None and ca is cb:  # (a partial pair inside one story is one of its pairs, not a link between stories)
            ca.pairs.append(p)
        elif p.relation in (PARTIAL, REWRITE, NEAR):  # (a near-duplicate across stories: one kept out by copy_groups)
            cross.append(p)
    return clusters, cross
