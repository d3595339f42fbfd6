"""Decide what a candidate pair really is, with the similarity figures that justify it."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

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
_PASSAGE_TERMS, _PASSAGE_OVERLAP = 6, 0.6  # a shared passage: sentences sharing 6 content terms and 60 % of the shorter's
_MARGIN = 1e-9  # rounding slack when screening candidates with the thresholds
_DENSE_LIMIT = 1 << 22  # multiply-adds up to which sentence pairs are counted by a matrix product (≤ 16 MB a matrix)


def idf(terms: np.ndarray, stats: CountTable) -> np.ndarray:
    """Inverse document frequency of content terms: rare names and figures weigh more than common words."""
    df = stats.get(terms).astype(np.float64)
    return np.log((stats.documents + IDF_PRIOR) / (df + 1.0))


def verify(id_a: str, fa: Features, id_b: str, fb: Features, stats: CountTable, config: Config) -> Pair | None:
    """The relationship between two articles, or None when they are not related."""
    return Verifier(id_a, fa, stats, config)(id_b, fb)


class Verifier:
    """verify with article A fixed: what depends on A alone (its IDF mass, its term-by-sentence matrix) is
    computed once, however many candidates a check compares it with. stats must not change meanwhile."""

    def __init__(self, id_a: str, fa: Features, stats: CountTable, config: Config):
        self.id, self.features, self.stats, self.config = id_a, fa, stats, config

    def __call__(self, id_b: str, fb: Features) -> Pair | None:
        """The relationship between A and fb, or None when they are not related."""
        fa, config = self.features, self.config
        if fa.exact == fb.exact:
            return Pair(self.id, id_b, DUPLICATE, 1.0, 1.0, 1.0, 0)
        if min(fa.n_words, fb.n_words) < config.min_words:
            return None  # too short to compare: no relationship can be claimed
        jaccard, containment, shared = shingle_overlap(fa, fb)
        at = np.searchsorted(fa.term_set, fb.term_set)  # where each of B's terms is, or would be, in A's
        in_a = _found(fa.term_set, fb.term_set, at)
        rewrite = _rewrite_score(self._term_weight, idf(fb.term_set, self.stats), in_a)
        if _near(jaccard, containment, config):
            return Pair(self.id, id_b, NEAR, jaccard, containment, rewrite, 0)
        if rewrite < config.rewrite_score / 2 and shared < _VERBATIM_PASSAGE:
            return None  # too little in common to hold even one reused passage: skip the sentence matching
        passages = self._passages(fb, at[in_a], in_a)
        if rewrite >= config.rewrite_score and np.count_nonzero(in_a) >= config.rewrite_min_shared:
            return Pair(self.id, id_b, REWRITE, jaccard, containment, rewrite, passages)
        if passages >= config.partial_passages:
            return Pair(self.id, id_b, PARTIAL, jaccard, containment, rewrite, passages)
        return None

    def screen(self, candidates: list[Features]) -> np.ndarray:
        """Which candidates this could relate to A, decided for all at once (a call costs ~100 µs, and most
        term-LSH candidates share a topic, not a story). A candidate is dropped only when __call__ would return
        None before matching passages, by its own figures, with a margin for rounding."""
        n = len(candidates)
        if not n:
            return np.ones(0, dtype=bool)
        fa, cfg = self.features, self.config
        exact = np.array([f.exact == fa.exact for f in candidates])
        long_enough = np.array([min(f.n_words, fa.n_words) >= cfg.min_words for f in candidates])
        shingles = [f.shingles for f in candidates]
        values = np.concatenate(shingles)
        hit = _found(fa.shingles, values, np.searchsorted(fa.shingles, values))
        shared = np.bincount(_owners(shingles)[hit], minlength=n)
        sizes = np.array([len(x) for x in shingles])
        union = sizes + len(fa.shingles) - shared
        jac = np.divide(shared, union, out=np.zeros(n), where=union > 0)
        containment = shared / np.maximum(1, np.minimum(sizes, len(fa.shingles)))
        term_sets = [f.term_set for f in candidates]
        all_terms = np.concatenate(term_sets)
        owner = _owners(term_sets)
        weights = idf(all_terms, self.stats)
        common = _found(fa.term_set, all_terms, np.searchsorted(fa.term_set, all_terms))
        inter = np.bincount(owner[common], weights=weights[common], minlength=n)
        total = self._term_weight + np.bincount(owner, weights=weights, minlength=n)
        rewrite = np.divide(inter, total - inter, out=np.zeros(n), where=total > inter)
        near = (jac >= cfg.near_jaccard - _MARGIN) | (containment >= cfg.near_containment - _MARGIN)
        related = near | (rewrite >= cfg.rewrite_score / 2 - _MARGIN) | (shared >= _VERBATIM_PASSAGE)
        return exact | (long_enough & related)

    @cached_property
    def _term_weight(self) -> np.float64:
        """Σ idf of A's distinct content terms."""
        return idf(self.features.term_set, self.stats).sum()

    @cached_property
    def _sentences(self) -> tuple[np.ndarray, np.ndarray]:
        """A's term-by-sentence matrix and the distinct terms of each sentence."""
        return _sentence_matrix(self.features)

    def _passages(self, fb: Features, a_rows: np.ndarray, b_rows: np.ndarray) -> int:
        """Sentence pairs sharing ≥ _PASSAGE_TERMS content terms and ≥ _PASSAGE_OVERLAP of the shorter sentence's
        terms, matched one to one, most shared first. The shared terms are a_rows of A's term_set, b_rows of B's.

        The shared-term counts of all sentence pairs are one product of term-by-sentence matrices, or, past
        _DENSE_LIMIT multiply-adds (very long articles), counted from the sentence pairs holding each term."""
        fa = self.features
        if not len(a_rows):
            return 0  # no sentence pair shares a term
        if _sentence_count(fa) * _sentence_count(fb) * max(len(fa.term_set), len(fb.term_set)) > _DENSE_LIMIT:
            i, j, counts = _sparse_pair_counts(fa, fb)
            a_size, b_size = fa.sentence_terms[2], fb.sentence_terms[2]
            ok = (counts >= _PASSAGE_TERMS) & (counts >= _PASSAGE_OVERLAP * np.minimum(a_size[i], b_size[j]))
            i, j, counts = i[ok], j[ok], counts[ok]
        else:
            (a, a_size), (b, b_size) = self._sentences, _sentence_matrix(fb)
            counts = a[a_rows].T @ b[b_rows]  # A sentence × B sentence; exact: sums of ones, far below 2^24
            ok = (counts >= _PASSAGE_TERMS) & (counts >= _PASSAGE_OVERLAP * np.minimum.outer(a_size, b_size))
            i, j = np.nonzero(ok)  # in (i, j) order, as the term-by-term count lists them
            counts = counts[i, j].astype(np.int64)
        return _one_to_one(i.tolist(), j.tolist(), counts)


def shingle_overlap(fa: Features, fb: Features) -> tuple[float, float, int]:
    """(exact shingle Jaccard, containment of the shorter in the longer, shared shingles)."""
    merged = np.concatenate((fa.shingles, fb.shingles))
    merged.sort(kind="stable")  # two sorted runs: one merge
    shared = int(np.count_nonzero(merged[1:] == merged[:-1]))  # each side has no repeats
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
    in_a = _found(fa.term_set, fb.term_set, np.searchsorted(fa.term_set, fb.term_set))
    return _rewrite_score(idf(fa.term_set, stats).sum(), idf(fb.term_set, stats), in_a), int(np.count_nonzero(in_a))


def _rewrite_score(a_weight: np.float64, b_weights: np.ndarray, in_a: np.ndarray) -> float:
    """weighted_jaccard from A's Σ idf, the idf of each of B's terms and which of them A has: the shared terms'
    weights are a subset of B's, the same values in the same sorted order as looked up alone, so the same sums."""
    total = a_weight + b_weights.sum()
    inter = b_weights[in_a].sum()
    return float(inter / (total - inter)) if total > inter else 0.0


def _owners(arrays: list[np.ndarray]) -> np.ndarray:
    """For the concatenation of arrays, the index of the array each value came from."""
    return np.repeat(np.arange(len(arrays)), [len(x) for x in arrays])


def _found(sorted_set: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Which values are in sorted_set (sorted, no repeats), given at = np.searchsorted(sorted_set, values)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    return sorted_set[np.minimum(at, len(sorted_set) - 1)] == values


def _sentence_count(f: Features) -> int:
    """Sentences up to the last one holding a content term (those after it cannot share any)."""
    return int(f.term_sentence.max()) + 1 if len(f.term_sentence) else 0


def _sentence_matrix(f: Features) -> tuple[np.ndarray, np.ndarray]:
    """(term_set × sentence float32 matrix, 1 where the sentence holds the term; distinct terms of each sentence)."""
    m = np.zeros((len(f.term_set), _sentence_count(f)), dtype=np.float32)
    m[np.searchsorted(f.term_set, f.terms), f.term_sentence] = 1.0
    return m, (np.ones(len(m), dtype=np.float32) @ m).astype(np.int64)  # column sums, faster than m.sum(axis=0)


def _sparse_pair_counts(fa: Features, fb: Features) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A sentence, B sentence, shared distinct terms) of every sentence pair sharing a term, in (i, j) order,
    from one entry per pair of sentences holding the same term (memory follows co-occurrences, not sentence
    counts); nothing when the articles share fewer terms than a passage needs."""
    a_terms, a_sent, _ = fa.sentence_terms
    b_terms, b_sent, b_size = fb.sentence_terms
    shared = np.intersect1d(a_terms, b_terms)
    if len(shared) < _PASSAGE_TERMS:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    in_a, in_b = np.isin(a_terms, shared), np.isin(b_terms, shared)
    sa, sb = a_sent[in_a], b_sent[in_b]
    na = np.unique(a_terms[in_a], return_counts=True)[1]  # sentences of A holding each shared term
    nb = np.unique(b_terms[in_b], return_counts=True)[1]
    reps = np.repeat(nb, na)
    b_first = np.repeat(np.cumsum(nb) - nb, na)
    out_start = np.cumsum(reps) - reps
    total = int(reps.sum())
    a_idx = np.repeat(np.arange(len(sa)), reps)
    b_idx = np.repeat(b_first, reps) + np.arange(total) - np.repeat(out_start, reps)
    codes, counts = np.unique(sa[a_idx].astype(np.int64) * (len(b_size) + 1) + sb[b_idx], return_counts=True)
    i, j = np.divmod(codes, len(b_size) + 1)
    return i, j, counts


def _one_to_one(i: list[int], j: list[int], counts: np.ndarray) -> int:
    """Size of the greedy one-to-one matching of sentence pairs, most shared terms first (ties in list order)."""
    used_a: set[int] = set()
    used_b: set[int] = set()
    for k in np.argsort(-counts, kind="stable").tolist():
        if i[k] not in used_a and j[k] not in used_b:
            used_a.add(i[k])
            used_b.add(j[k])
    return len(used_a)


def relation_rank(relation: str) -> int:
    """Strongest relation first: duplicate < near-duplicate < rewrite < partial."""
    return RELATIONS.index(relation)
