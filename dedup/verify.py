"""Decide what a candidate pair really is, with the similarity figures that justify it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Config
from .counts import CountTable
from .features import Features

DUPLICATE, NEAR, REWRITE, PARTIAL = "duplicate", "near-duplicate", "rewrite", "partial"
RELATIONS = (DUPLICATE, NEAR, REWRITE, PARTIAL)


@dataclass
class Pair:
    """A verified relationship between two articles and its evidence."""

    a: str
    b: str
    relation: str
    jaccard: float  # exact word-shingle Jaccard
    containment: float  # shared shingles / shingles of the shorter article
    rewrite: float  # IDF-weighted Jaccard of content terms
    passages: int  # sentence pairs that share most of their content terms

    def as_dict(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "relation": self.relation,
            "jaccard": round(self.jaccard, 4),
            "containment": round(self.containment, 4),
            "rewrite_score": round(self.rewrite, 4),
            "shared_passages": self.passages,
        }


_VERBATIM_PASSAGE = 10  # shared word shingles that make a verbatim passage worth looking at
IDF_PRIOR = 100  # pseudo-documents that contain no term: keeps weights flat in a tiny corpus


def idf(terms: np.ndarray, stats: CountTable) -> np.ndarray:
    """Inverse document frequency of content terms: rare names and figures weigh more than common words."""
    df = stats.get(terms).astype(np.float64)
    return np.log((stats.documents + IDF_PRIOR) / (df + 1.0))


def verify(id_a: str, fa: Features, id_b: str, fb: Features, stats: CountTable, config: Config) -> Pair | None:
    """The relationship between two articles, or None when they are not related."""
    if fa.exact == fb.exact:
        return Pair(id_a, id_b, DUPLICATE, 1.0, 1.0, 1.0, 0)
    if min(fa.n_words, fb.n_words) < config.min_words:
        return None  # too short to compare: no relationship can be claimed
    jaccard, containment, shared = shingle_overlap(fa, fb)
    rewrite, common = weighted_jaccard(fa, fb, stats)
    if jaccard >= config.near_jaccard or containment >= config.near_containment:
        return Pair(id_a, id_b, NEAR, jaccard, containment, rewrite, 0)
    if rewrite < config.rewrite_score / 2 and shared < _VERBATIM_PASSAGE:
        return None  # too little in common to hold even one reused passage: skip the sentence matching
    passages = shared_passages(fa, fb)
    if rewrite >= config.rewrite_score and common >= config.rewrite_min_shared:
        return Pair(id_a, id_b, REWRITE, jaccard, containment, rewrite, passages)
    if passages >= config.partial_passages:
        return Pair(id_a, id_b, PARTIAL, jaccard, containment, rewrite, passages)
    return None


def shingle_overlap(fa: Features, fb: Features) -> tuple[float, float, int]:
    """(exact shingle Jaccard, containment of the shorter in the longer, shared shingles)."""
    shared = len(np.intersect1d(fa.shingles, fb.shingles, assume_unique=True))
    union = len(fa.shingles) + len(fb.shingles) - shared
    return (shared / union if union else 0.0), shared / max(1, min(len(fa.shingles), len(fb.shingles))), shared


def is_copy(fa: Features, fb: Features, config: Config) -> bool:
    """Whether two articles are the same text, or near-duplicates by their word shingles."""
    if fa.exact == fb.exact:
        return True
    if min(fa.n_words, fb.n_words) < config.min_words:
        return False
    jaccard, containment, _ = shingle_overlap(fa, fb)
    return jaccard >= config.near_jaccard or containment >= config.near_containment


def weighted_jaccard(fa: Features, fb: Features, stats: CountTable) -> tuple[float, int]:
    """(Σ idf of shared content terms / Σ idf of all content terms of either article, shared term count)."""
    ta, tb = fa.term_set, fb.term_set
    shared = np.intersect1d(ta, tb, assume_unique=True)
    total = idf(ta, stats).sum() + idf(tb, stats).sum()
    inter = idf(shared, stats).sum()
    return (float(inter / (total - inter)) if total > inter else 0.0), len(shared)


def shared_passages(fa: Features, fb: Features, min_terms: int = 6, min_overlap: float = 0.6) -> int:
    """Sentence pairs sharing ≥ min_terms content terms and ≥ min_overlap of the shorter sentence's terms."""
    sa, sb = _sentence_sets(fa), _sentence_sets(fb)
    index: dict[int, list[int]] = {}
    for j, terms in enumerate(sb):
        for t in terms:
            index.setdefault(t, []).append(j)
    used: set[int] = set()
    count = 0
    for terms in sa:
        if len(terms) < min_terms:
            continue
        hits: dict[int, int] = {}
        for t in terms:
            for j in index.get(t, ()):
                hits[j] = hits.get(j, 0) + 1
        best = max(
            (j for j, n in hits.items() if j not in used and n >= min_terms and n >= min_overlap * min(len(terms), len(sb[j]))),
            key=lambda j: hits[j],
            default=None,
        )
        if best is not None:
            used.add(best)
            count += 1
    return count


def _sentence_sets(f: Features) -> list[set[int]]:
    if len(f.terms) == 0:
        return []
    out: list[set[int]] = [set() for _ in range(int(f.term_sentence[-1]) + 1)]
    for t, s in zip(f.terms.tolist(), f.term_sentence.tolist()):
        out[s].add(t)
    return out


def relation_rank(relation: str) -> int:
    """Strongest relation first: duplicate < near-duplicate < rewrite < partial."""
    return RELATIONS.index(relation)
