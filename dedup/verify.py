"""Decide what a candidate pair really is, with the similarity figures that justify it."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .config import Config
from .counts import CountTable
from . import accel
from .arrays import owners, spans, unique_sorted
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


def idf(terms: np.ndarray, stats: CountTable) -> np.ndarray:
    """Inverse document frequency of content terms: rare names and figures weigh more than common words."""
    df = stats.get(terms).astype(np.float64)
    return np.log((stats.documents + IDF_PRIOR) / (df + 1.0))


def verify(id_a: str, fa: Features, id_b: str, fb: Features, stats: CountTable, config: Config) -> Pair | None:
    """The relationship between two articles, or None when they are not related."""
    return Verifier(id_a, fa, stats, config)(id_b, fb)


class Verifier:
    """verify with article A fixed, against many candidates at once: what depends on A alone (its IDF mass, its
    terms by sentence) is computed once, and every figure of every candidate comes from a few array operations
    over all of them, not a loop of small ones (a story reprinted on hundreds of sites makes hundreds of
    candidates). stats must not change meanwhile."""

    def __init__(self, id_a: str, fa: Features, stats: CountTable, config: Config):
        self.id, self.features, self.stats, self.config = id_a, fa, stats, config

    def __call__(self, id_b: str, fb: Features) -> Pair | None:
        """The relationship between A and fb, or None when they are not related."""
        return self.many([id_b], [fb])[0]

    def many(self, ids: list[str], candidates: list[Features]) -> list[Pair | None]:
        """The relationship between A and each candidate (None: not related), in order.

        Duplicates are equal texts; near-duplicates share enough word shingles; a rewrite shares enough IDF-weighted
        content terms; a partial shares passages. Sentence pairs are matched only for the candidates that can be
        neither copies nor hopeless (too little in common to hold even one reused passage)."""
        n = len(candidates)
        if not n:
            return []
        fa, cfg = self.features, self.config
        exact = [f.exact == fa.exact for f in candidates]
        long_enough = np.minimum(np.fromiter((f.n_words for f in candidates), np.int64, n), fa.n_words) >= cfg.min_words
        shared, jaccard, containment, shared_terms, rewrite = _figures(fa, candidates, self.stats, self._term_weight).T
        near = (jaccard >= cfg.near_jaccard) | (containment >= cfg.near_containment)
        hopeless = (rewrite < cfg.rewrite_score / 2) & (shared < _VERBATIM_PASSAGE)
        matched = np.flatnonzero(long_enough & ~near & ~hopeless & ~np.array(exact))
        passages = np.zeros(n, dtype=np.int64)
        if len(matched):
            passages[matched] = self._passages([candidates[k] for k in matched.tolist()])
        rewrite_ok = (rewrite >= cfg.rewrite_score) & (shared_terms >= cfg.rewrite_min_shared)
        out: list[Pair | None] = []
        for k, (b, jac, con, rw) in enumerate(zip(ids, jaccard.tolist(), containment.tolist(), rewrite.tolist())):
            if exact[k]:
                out.append(Pair(self.id, b, DUPLICATE, 1.0, 1.0, 1.0, 0))
            elif not long_enough[k]:
                out.append(None)  # too short to compare: no relationship can be claimed
            elif near[k]:
                out.append(Pair(self.id, b, NEAR, jac, con, rw, 0))
            elif hopeless[k]:
                out.append(None)
            elif rewrite_ok[k]:
                out.append(Pair(self.id, b, REWRITE, jac, con, rw, int(passages[k])))
            elif passages[k] >= cfg.partial_passages:
                out.append(Pair(self.id, b, PARTIAL, jac, con, rw, int(passages[k])))
            else:
                out.append(None)
        return out

    @cached_property
    def _term_weight(self) -> np.float64:
        """Σ idf of A's distinct content terms."""
        return idf(self.features.term_set, self.stats).sum()

    def _passages(self, candidates: list[Features]) -> np.ndarray:
        """For each candidate, the sentence pairs (one of A, one of it) sharing ≥ _PASSAGE_TERMS content terms and
        ≥ _PASSAGE_OVERLAP of the shorter sentence's terms, matched one to one, most shared first.

        The shared-term count of every sentence pair comes from one entry per (A sentence, candidate sentence)
        holding the same term, binned: candidates go in chunks of at most _PAIR_BINS sentence pairs."""
        out = np.zeros(len(candidates), dtype=np.int64)
        a_terms, a_sent, a_size = self.features.sentence_terms
        if not len(a_terms):
            return out
        lengths = [int(f.term_sentence[-1]) + 1 if len(f.term_sentence) else 0 for f in candidates]
        per_chunk = max(1, _PAIR_BINS // len(a_size))
        start = 0
        while start < len(candidates):
            end, held = start + 1, lengths[start]
            while end < len(candidates) and held + lengths[end] <= per_chunk:
                held += lengths[end]
                end += 1
            out[start:end] = _matched_sentences(a_terms, a_sent, a_size, candidates[start:end], lengths[start:end])
            start = end
        return out


_PAIR_BINS = 1 << 22  # sentence pairs counted at once (a 32 MB count array at most)


def _matched_sentences(a_terms: np.ndarray, a_sent: np.ndarray, a_size: np.ndarray, candidates: list[Features], lengths: list[int]) -> np.ndarray:
    """_passages of one chunk of candidates (see there); lengths are their sentence counts."""
    first = np.cumsum(lengths) - lengths  # each candidate's first sentence among the chunk's
    n_b = int(sum(lengths))
    sentence = np.concatenate([f.term_sentence for f in candidates]).astype(np.int64) + np.repeat(first, [len(f.terms) for f in candidates])
    keys = unique_sorted((sentence.astype(np.uint64) << np.uint64(32)) | np.concatenate([f.terms for f in candidates]).astype(np.uint64))
    b_sent = (keys >> np.uint64(32)).astype(np.int64)  # distinct (candidate sentence, term) pairs
    b_term = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    b_size = np.bincount(b_sent, minlength=n_b)
    lo, hi = np.searchsorted(a_terms, b_term, "left"), np.searchsorted(a_terms, b_term, "right")
    cell = a_sent[spans(lo, hi)] * n_b + np.repeat(b_sent, hi - lo)  # one per (A sentence, B sentence, shared term)
    if len(a_size) * n_b <= _PAIR_BINS:
        counts = np.bincount(cell, minlength=len(a_size) * n_b).reshape(len(a_size), n_b)
        i, j = np.nonzero(counts)  # (A sentence, B sentence) in row-major order
        c = counts[i, j]
    else:  # one candidate longer than a chunk: count only the cells that occur
        cells, c = np.unique(cell, return_counts=True)
        i, j = np.divmod(cells, n_b)
    ok = (c >= _PASSAGE_TERMS) & (c >= _PASSAGE_OVERLAP * np.minimum(a_size[i], b_size[j]))
    i, j, c = i[ok], j[ok], c[ok]
    who = np.searchsorted(first, j, "right") - 1
    order = np.lexsort((-c, who))  # by candidate, most shared first; ties in (i, j) order
    out = np.zeros(len(candidates), dtype=np.int64)
    who, i, j = who[order], i[order], j[order]
    fast = accel.kernels()
    if fast is not None:
        fast.one_to_one(who, i, j, len(a_size), n_b, out)
        return out
    used_a, used_b = [-1] * len(a_size), [False] * n_b  # as the kernel: the candidate that last matched each A sentence
    for k, a, b in zip(who.tolist(), i.tolist(), j.tolist()):
        if used_a[a] != k and not used_b[b]:
            used_a[a], used_b[b] = k, True
            out[k] += 1
    return out


def _figures(fa: Features, candidates: list[Features], stats: CountTable, term_weight: float) -> np.ndarray:
    """(candidates, 5) float64: for each, shared word shingles, shingle Jaccard, containment of the shorter in the
    longer, shared distinct content terms, and IDF-weighted term Jaccard (term_weight: A's Σ idf). Each candidate's
    sums are added in order, so its figures are the same alone or among many, compiled or not."""
    n = len(candidates)
    shingles = [f.shingles for f in candidates]
    term_sets = [f.term_set for f in candidates]
    values, terms = np.concatenate(shingles), np.concatenate(term_sets)
    weights = idf(terms, stats)
    out = np.empty((n, 5), dtype=np.float64)
    fast = accel.kernels()
    if fast is not None:
        bounds = np.zeros((2, n + 1), dtype=np.int64)
        np.cumsum([len(x) for x in shingles], out=bounds[0, 1:])
        np.cumsum([len(x) for x in term_sets], out=bounds[1, 1:])
        fast.figures(fa.shingles, values, bounds[0], fa.term_set, terms, bounds[1], weights, float(term_weight), out)
        return out
    sizes = np.array([len(x) for x in shingles], dtype=np.int64)
    owner = owners(sizes)
    shared = np.bincount(owner[_found(fa.shingles, values, np.searchsorted(fa.shingles, values))], minlength=n)
    union = sizes + len(fa.shingles) - shared
    out[:, 0] = shared
    out[:, 1] = np.divide(shared, union, out=np.zeros(n), where=union > 0)
    out[:, 2] = shared / np.maximum(1, np.minimum(sizes, len(fa.shingles)))
    owner = owners([len(x) for x in term_sets])
    common = _found(fa.term_set, terms, np.searchsorted(fa.term_set, terms))
    out[:, 3] = np.bincount(owner[common], minlength=n)
    inter = np.bincount(owner[common], weights=weights[common], minlength=n).astype(np.float64)  # float even when empty
    total = term_weight + np.bincount(owner, weights=weights, minlength=n).astype(np.float64)
    out[:, 4] = np.divide(inter, total - inter, out=np.zeros(n), where=total > inter)
    return out


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


def _found(sorted_set: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Which values are in sorted_set (sorted, no repeats), given at = np.searchsorted(sorted_set, values)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    return sorted_set[np.minimum(at, len(sorted_set) - 1)] == values


def relation_rank(relation: str) -> int:
    """Strongest relation first: duplicate < near-duplicate < rewrite < partial."""
    return RELATIONS.index(relation)
