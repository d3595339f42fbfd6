"""The seed articles read as an editor would: 000–003 one story, 004 a later story linked to it as partial."""
from __future__ import annotations

from pathlib import Path

from dedup import Config, scan

from .clusters import adjusted_rand_index, labels_from_clusters

EXPECTED = [["000", "001", "002", "003"], ["004"]]


def evaluate_seeds(folder: Path, config: Config | None = None) -> dict:
    result = scan([folder], config or Config())
    key = lambda x: x[:3]  # noqa: E731  (file names start with the seed number; the engine never sees this)
    ids = [key(i) for i in result.articles]
    found = [[key(m) for m in c.members] for c in result.clusters]
    truth = labels_from_clusters(ids, EXPECTED)
    partial = any(p.relation == "partial" and "004" in (key(p.a), key(p.b)) for p in result.links)
    return {
        "clusters_found": sorted(sorted(c) for c in found),
        "expected": EXPECTED,
        "ari": round(adjusted_rand_index(truth, labels_from_clusters(ids, found)), 4),
        "partial_link_to_004_found": partial,
    }
