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
    if _near(jaccard, containment, config):
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


def copy_scores(fa: Features, fb: Features, config: Config) -> tuple[float, float] | None:
    """(shingle Jaccard, containment) when two articles are the same text or near-duplicates, else None."""
    if fa.exact == fb.exact:
        return 1.0, 1.0
    if min(fa.n_words, fb.n_words) < config.min_words:
        return None
    jaccard, containment, _ = shingle_overlap(fa, fb)
    return (jaccard, containment) if _near(jaccard, containment, config) else None


def _near(jaccard: float, containment: float, config: Config) -> bool:
    """The near-duplicate rule: enough shared shingles overall, or the shorter article nearly all in the longer."""
    return jaccard >= config.near_jaccard or containment >= config.near_containment


def weighted_jaccard(fa: Features, fb: Features, stats: CountTable) -> tuple[float, int]:
    """(Σ idf of shared content terms / Σ idf of all content terms of either article, shared term count)."""
    ta, tb = fa.term_set, fb.term_set
    shared = np.intersect1d(ta, tb, assume_unique=True)
    total = idf(ta, stats).sum() + idf(tb, stats).sum()
    inter = idf(shared, stats).sum()
    return (float(inter / (total - inter)) if total > inter else 0.0), len(shared)


def shared_passages(fa: Features, fb: Features, min_terms: int = 6, min_overlap: float = 0.6) -> int:
    """Sentence pairs sharing ≥ min_terms content terms and ≥ min_overlap of the shorter sentence's terms,
    matched one to one, most shared first (vectorised: one count per pair of sentences sharing a term)."""
    a_terms, a_sent, a_size = fa.sentence_terms
    b_terms, b_sent, b_size = fb.sentence_terms
    shared = np.intersect1d(a_terms, b_terms)
    if len(shared) < min_terms:
        return 0
    in_a, in_b = np.isin(a_terms, shared), np.isin(b_terms, shared)
    sa, sb = a_sent[in_a], b_sent[in_b]
    na = np.unique(a_terms[in_a], return_counts=True)[1]  # sentences of A holding each shared term
    nb = np.unique(b_terms[in_b], return_counts=True)[1]
    # Every (A sentence, B sentence) pair holding the same shared term, built without a Python loop.
    reps = np.repeat(nb, na)
    b_first = np.repeat(np.cumsum(nb) - nb, na)
    out_start = np.cumsum(reps) - reps
    total = int(reps.sum())
    a_idx = np.repeat(np.arange(len(sa)), reps)
    b_idx = np.repeat(b_first, reps) + np.arange(total) - np.repeat(out_start, reps)
    codes, counts = np.unique(sa[a_idx].astype(np.int64) * (len(b_size) + 1) + sb[b_idx], return_counts=True)
    i, j = np.divmod(codes, len(b_size) + 1)
    ok = (counts >= min_terms) & (counts >= min_overlap * np.minimum(a_size[i], b_size[j]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    for k in np.argsort(-counts[ok], kind="stable").tolist():
        x, y = int(i[ok][k]), int(j[ok][k])
        if x not in used_a and y not in used_b:
            used_a.add(x)
            used_b.add(y)
    return len(used_a)


def relation_rank(relation: str) -> int:
    """Strongest relation first: duplicate < near-duplicate < rewrite < partial."""
    return RELATIONS.index(relation)
