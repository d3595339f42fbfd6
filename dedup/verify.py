"""Decide what a candidate pair really is, with the similarity figures that justify it."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .config import Config
from .counts import CountTable
from . import accel
from .arrays import owners, spans
from .features import Features, unpack

DUPLICATE, NEAR, REWRITE, PARTIAL = "duplicate", "near-duplicate", "rewrite", "partial"
RELATIONS = (DUPLICATE, NEAR, REWRITE, PARTIAL)  # strongest first: what a check's matches are sorted by first


@dataclass
class Pair:
    """A verified relationship between two articles and its evidence."""

    a: str
    b: str
    relation: str
    jaccard: float  # exact word-shingle Jaccard
    containment: float  # shared shingles / shingles of the shorter article
    rewrite_score: float  # IDF-weighted Jaccard of content terms
    shared_passages: int  # sentence pairs that share most of their content terms

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


_VERBATIM_PASSAGE = 10  # shared word shingles that make a verbatim passage worth looking at
IDF_PRIOR = 100  # pseudo-documents that contain no term: keeps weights flat in a tiny corpus
PASSAGE_TERMS, PASSAGE_OVERLAP = 6, 0.6  # a shared passage: sentences sharing 6 content terms and 60 % of the shorter's


def shares_passage(shared, size_a, size_b):
    """Whether two sentences of size_a and size_b distinct content terms, sharing `shared`, hold one passage
    (numbers, or arrays element by element; at least PASSAGE_OVERLAP of the shorter's): the rule every count of shared passages and align's pairing by
    shared terms follow. Written without min() so that one expression serves both, and no numpy call slows align.
    """
    return (shared >= PASSAGE_TERMS) & ((shared >= PASSAGE_OVERLAP * size_a) | (shared >= PASSAGE_OVERLAP * size_b))


def idf(terms: np.ndarray, stats: CountTable) -> np.ndarray:
    """Inverse document frequency of content terms: rare names and figures weigh more than common words."""
    df = stats.get(terms).astype(np.float64)
    return np.log((stats.documents + IDF_PRIOR) / (df + 1.0))


def verify(id_a: str, fa: Features, id_b: str, fb: Features, stats: CountTable, config: Config) -> Pair | None:
    """The relationship between two articles, or None when they are not related."""
    return verify_pairs([id_a, id_b], [fa, fb], np.array([[0, 1]]), stats, config)[0]


def verify_pairs(ids: list[str], features: list[Features], pairs: np.ndarray, stats: CountTable, config: Config) -> list[Pair | None]:
    """The relationship of each pair (a, b) of articles (indexes into ids and features), None when unrelated.

    Duplicates are equal texts; near-duplicates share enough word shingles; a rewrite shares enough IDF-weighted
    content terms; a partial shares passages. The figures of all pairs come from one pass over the articles'
    arrays (a story reprinted on hundreds of sites makes hundreds of candidates, and a loop of small array
    operations per pair would cost far more than the comparisons); sentence pairs are matched only for the
    pairs that can be neither copies nor hopeless (too little in common to hold even one reused passage)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if not len(pairs):
        return []
    relation, jaccard, containment, rewrite, passages = verdicts(features, pairs[:, 0], pairs[:, 1], stats, config)
    out: list[Pair | None] = []
    for i, j, r, jac, con, rw, n in zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), relation.tolist(), jaccard.tolist(),
                                        containment.tolist(), rewrite.tolist(), passages.tolist()):
        out.append(None if r == UNRELATED else Pair(ids[i], ids[j], RELATIONS[r], jac, con, rw, n))
    return out


UNRELATED = -1  # verdicts' relation code of an unrelated pair; the others index RELATIONS (its rank)


def verdicts(
    features: list[Features], a: np.ndarray, b: np.ndarray, stats: CountTable, config: Config
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """verify_pairs as arrays, one entry a pair: (relation: an index into RELATIONS or UNRELATED, jaccard,
    containment, rewrite score, shared passages), each figure as the Pair of that relation holds it (a duplicate:
    1.0, 1.0, 1.0, 0; a near-duplicate: no passages)."""
    cfg = config
    shared, jaccard, containment, shared_terms, rewrite = _figures(features, a, b, stats).T
    is_exact, long_enough, near = _copy_tests(features, a, b, jaccard, containment, config)
    hopeless = (rewrite < cfg.rewrite_score / 2) & (shared < _VERBATIM_PASSAGE)
    matched = np.flatnonzero(long_enough & ~near & ~hopeless & ~is_exact)
    passages = np.zeros(len(a), dtype=np.int64)
    if len(matched):
        passages[matched] = _passages(features, a[matched], b[matched])
    rewrite_ok = (rewrite >= cfg.rewrite_score) & (shared_terms >= cfg.rewrite_min_shared)
    partial_ok = passages >= cfg.partial_passages
    # The first test that holds decides, in verify_pairs' order: same text, too short, near, hopeless, rewrite,
    # partial; so each is written over the later ones (a few masked stores: cheaper than np.select on a check).
    relation = np.full(len(a), UNRELATED, dtype=np.int64)
    for test, code in ((partial_ok, PARTIAL), (rewrite_ok, REWRITE), (hopeless, None), (near, NEAR), (~long_enough, None), (is_exact, DUPLICATE)):
        relation[test] = UNRELATED if code is None else RELATIONS.index(code)
    copy = relation <= RELATIONS.index(NEAR)  # (UNRELATED too: its figures are never read)
    passages[copy] = 0
    jaccard, containment, rewrite = (np.where(is_exact, 1.0, x) for x in (jaccard, containment, rewrite))
    return relation, jaccard, containment, rewrite, passages


def check_verdicts(f: Features, blobs: list[bytes], stats: CountTable, config: Config) -> tuple[np.ndarray, ...]:
    """verdicts of one article against each of its candidates, given packed (features.pack): what a check asks.
    The compiled path reads the blobs as they are, rules out most candidates from figures that need none of their
    own terms' counts, and verifies the rest in one call; the same verdicts and figures as `verdicts`."""
    fast = accel.kernels()
    m = len(blobs)
    if fast is None or not m:
        return verdicts([f, *map(unpack, blobs)], np.zeros(m, dtype=np.int64), np.arange(1, m + 1), stats, config)
    sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=m)
    for k in np.flatnonzero(sizes % 4).tolist():
        unpack(blobs[k])  # raises: not packed features
    data = np.frombuffer(b"".join(blobs), dtype="<u4")
    lengths = sizes // 4
    starts = np.cumsum(lengths) - lengths
    weights = idf(f.term_set, stats)
    cfg, exact = config, np.uint64(f.exact)
    hopeless = cfg.rewrite_score / 2 * (1 - 1e-9)  # verdicts' bound, a hair lower: sums in another order
    figures, could, bad, term_at, dfp1, weight = fast.check_figures(
        data, starts, lengths, f.shingles, f.term_set, weights, f.n_words, exact, cfg.min_words, cfg.near_jaccard,
        cfg.near_containment, hopeless, _VERBATIM_PASSAGE, stats.counts, np.uint32(stats.mask),
        float(stats.documents + IDF_PRIOR))
    for k in np.flatnonzero(bad).tolist():
        unpack(blobs[k])  # raises: its header does not add up
    own = np.log((stats.documents + IDF_PRIOR) / dfp1)  # idf() of their terms
    relation, passages = np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64)
    fast.check_verdicts(data, starts, figures, could, term_at, own, weight, f.n_words, exact, f.terms, f.term_sentence,
                        cfg.min_words, cfg.near_jaccard, cfg.near_containment, cfg.rewrite_score, cfg.rewrite_min_shared,
                        cfg.partial_passages, _VERBATIM_PASSAGE, PASSAGE_TERMS, PASSAGE_OVERLAP, _PAIR_BINS, relation, passages)
    out = relation, figures[:, 1], figures[:, 2], figures[:, 4], passages
    undecided = np.flatnonzero(relation == fast.UNDECIDED)  # sentence pairs too many for one array: verdicts chunks them
    if len(undecided):
        again = verdicts([f, *(unpack(blobs[k]) for k in undecided.tolist())], np.zeros(len(undecided), dtype=np.int64),
                         np.arange(1, len(undecided) + 1), stats, config)
        for column, values in zip(out, again):
            column[undecided] = values
    return out


def copy_pairs(features: list[Features], pairs: np.ndarray, config: Config) -> list[tuple[float, float] | None]:
    """For each pair (a, b) of articles: (shingle Jaccard, containment) when they are the same text or
    near-duplicates, else None. verify_pairs' first tests, without the content terms (no statistics needed)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    a, b = pairs[:, 0], pairs[:, 1]
    _, jaccard, containment, _, _ = _figures(features, a, b, None).T
    is_exact, long_enough, near = _copy_tests(features, a, b, jaccard, containment, config)
    copy = (long_enough & near).tolist()
    return [(1.0, 1.0) if e else (jac, con) if c else None for e, c, jac, con in zip(is_exact.tolist(), copy, jaccard.tolist(), containment.tolist())]


def _copy_tests(
    features: list[Features], a: np.ndarray, b: np.ndarray, jaccard: np.ndarray, containment: np.ndarray, config: Config
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(same text, both long enough to compare, near-duplicate by shingles) of each pair."""
    exact = np.fromiter([f.exact for f in features], dtype=np.uint64, count=len(features))
    n_words = np.fromiter([f.n_words for f in features], dtype=np.int64, count=len(features))
    near = (jaccard >= config.near_jaccard) | (containment >= config.near_containment)
    same = (exact[a] == exact[b]) & (exact[a] != 0)  # 0: nothing left to compare (a blank text, only links)
    return same, np.minimum(n_words[a], n_words[b]) >= config.min_words, near


def _passages(features: list[Features], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each pair (a, b): the sentence pairs (one of each article) sharing ≥ PASSAGE_TERMS content terms and
    ≥ PASSAGE_OVERLAP of the shorter sentence's terms, matched one to one, most shared first. Pairs go in chunks
    of at most _PAIR_BINS sentence pairs, each chunk counted at once."""
    out = np.zeros(len(a), dtype=np.int64)
    a_list, b_list = a.tolist(), b.tolist()
    if not a_list:
        return out
    used = sorted(set(a_list) | set(b_list))
    n_sent = {x: len(features[x].sentence_terms[2]) for x in used}
    bins = [n_sent[i] * n_sent[j] for i, j in zip(a_list, b_list)]
    fast = accel.kernels()
    if fast is not None and max(bins) <= _PAIR_BINS:  # compiled: one small count array per pair
        local = {x: k for k, x in enumerate(used)}
        terms, sents, sizes = zip(*(features[x].sentence_terms for x in used))
        fast.matched_sentences(np.concatenate(terms), np.concatenate(sents), _bounds(terms), np.concatenate(sizes), _bounds(sizes),
                               np.array([local[x] for x in a_list]), np.array([local[x] for x in b_list]),
                               PASSAGE_TERMS, PASSAGE_OVERLAP, out)
        return out
    start = 0
    while start < len(a):
        end, held = start + 1, bins[start]
        while end < len(a) and held + bins[end] <= _PAIR_BINS:
            held += bins[end]
            end += 1
        out[start:end] = _matched_sentences(features, a[start:end], b[start:end])
        start = end
    return out


_PAIR_BINS = 1 << 22  # sentence pairs counted at once (a 32 MB count array at most)


def _matched_sentences(features: list[Features], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """_passages of one chunk of pairs. Every (pair, sentence of a, sentence of b) gets a cell; each term a
    sentence of b shares with a sentence of a adds one to its cell. a's (article, term) keys are sorted as
    concatenated, so one search finds, for every pair at once, the sentences of a holding each term of b."""
    firsts = sorted(set(a.tolist()))
    local = np.searchsorted(firsts, a)  # each pair's a among firsts
    a_terms, a_sent, a_size = zip(*(features[x].sentence_terms for x in firsts))
    a_keys = _tagged(owners([len(t) for t in a_terms]), np.concatenate(a_terms))
    a_sent = np.concatenate(a_sent)
    a_first = _bounds(a_size)  # where each first article's sentence sizes start
    a_size = np.concatenate(a_size)
    b_terms, b_sent, b_size = zip(*(features[x].sentence_terms for x in b.tolist()))
    n_a, n_b = np.diff(a_first)[local], np.array([len(s) for s in b_size], dtype=np.int64)
    cell_base = np.cumsum(n_a * n_b) - n_a * n_b  # each pair's first cell
    b_first = np.cumsum(n_b) - n_b  # each pair's first sentence of b, counted over all the chunk's pairs
    pair = owners([len(t) for t in b_terms])
    probe = _tagged(local[pair], np.concatenate(b_terms))
    lo, hi = np.searchsorted(a_keys, probe, "left"), np.searchsorted(a_keys, probe, "right")
    pair = np.repeat(pair, hi - lo)
    cell = cell_base[pair] + a_sent[spans(lo, hi)] * n_b[pair] + np.repeat(np.concatenate(b_sent), hi - lo)
    total = int((n_a * n_b).sum())
    if total <= _PAIR_BINS:
        counts = np.bincount(cell, minlength=total)
        cells = np.flatnonzero(counts)  # (pair, sentence of a, sentence of b) in that order
        c = counts[cells]
    else:  # one pair of very long articles: count only the cells that occur
        cells, c = np.unique(cell, return_counts=True)
    who = np.searchsorted(cell_base, cells, "right") - 1
    i, j = np.divmod(cells - cell_base[who], n_b[who])
    b_size = np.concatenate(b_size)
    ok = shares_passage(c, a_size[a_first[local[who]] + i], b_size[b_first[who] + j])
    who, i, j, c = who[ok], i[ok], j[ok] + b_first[who[ok]], c[ok]
    order = np.lexsort((-c, who))  # by pair, most shared first; ties in (i, j) order
    out = np.zeros(len(a), dtype=np.int64)
    who, i, j = who[order], i[order], j[order]
    n_i, n_j = int(np.diff(a_first).max(initial=0)), int(n_b.sum())
    fast = accel.kernels()
    if fast is not None:
        fast.one_to_one(who, i, j, n_i, n_j, out)
        return out
    used_a, used_b = [-1] * n_i, [False] * n_j  # as the kernel: the pair that last matched each sentence of a
    for k, x, y in zip(who.tolist(), i.tolist(), j.tolist()):
        if used_a[x] != k and not used_b[y]:
            used_a[x], used_b[y] = k, True
            out[k] += 1
    return out


def _figures(features: list[Features], a: np.ndarray, b: np.ndarray, stats: CountTable | None) -> np.ndarray:
    """(pairs, 5) float64: for each pair of articles, shared word shingles, shingle Jaccard, containment of the
    shorter in the longer, shared distinct content terms, and IDF-weighted term Jaccard (zeros without stats).
    Every sum is added in order, so a pair's figures are the same alone or among many, compiled or not."""
    m = len(a)
    shingles = [f.shingles for f in features]
    term_sets = [f.term_set for f in features] if stats is not None else [np.empty(0, dtype=np.uint32)] * len(features)
    values, terms = np.concatenate(shingles), np.concatenate(term_sets)
    shingle_bounds, term_bounds = _bounds(shingles), _bounds(term_sets)
    fast = accel.kernels()
    weights = idf(terms, stats) if stats is not None else np.zeros(0)
    weight = _idf_sums(weights, term_bounds)  # Σ idf, in order
    out = np.empty((m, 5), dtype=np.float64)
    if fast is not None:
        fast.pair_figures(values, shingle_bounds, terms, term_bounds, weights, weight, a, b, out)
        return out
    term_owner = owners(np.diff(term_bounds))
    size_a, size_b = np.diff(shingle_bounds)[a], np.diff(shingle_bounds)[b]
    shared, _ = _shared(values, shingle_bounds, owners(np.diff(shingle_bounds)), a, b, None)
    union = size_a + size_b - shared
    out[:, 0] = shared
    out[:, 1] = np.divide(shared, union, out=np.zeros(m), where=union > 0)
    out[:, 2] = shared / np.maximum(1, np.minimum(size_a, size_b))
    out[:, 3], inter = _shared(terms, term_bounds, term_owner, a, b, weights)
    total = weight[a] + weight[b]
    out[:, 4] = np.divide(inter, total - inter, out=np.zeros(m), where=total > inter)
    return out


def _idf_sums(weights: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Σ of each article's run of weights (between its bounds), added in order from 0.0 (np.bincount's sums)."""
    fast = accel.kernels()
    if fast is not None:
        out = np.empty(len(bounds) - 1, dtype=np.float64)
        fast.run_sums(weights, bounds, out)
        return out
    return np.bincount(owners(np.diff(bounds)), weights=weights, minlength=len(bounds) - 1).astype(np.float64)


def _bounds(arrays: list[np.ndarray]) -> np.ndarray:
    """Where each array starts in their concatenation, and the total at the end."""
    bounds = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays)), out=bounds[1:])
    return bounds


def _shared(
    values: np.ndarray, bounds: np.ndarray, owner: np.ndarray, a: np.ndarray, b: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """numpy twin of the compiled merge: for each pair, how many of b's sorted values a's hold, and (with weights:
    b's weight of each value) the sum of those weights. Each article's values become keys (article << 32 | value),
    sorted as concatenated, so one search answers every pair."""
    keys = _tagged(owner, values)
    take = spans(bounds[b], bounds[b + 1])  # every value of every pair's b, pair by pair
    pair = owners(bounds[b + 1] - bounds[b])
    probe = _tagged(a[pair], values[take])
    hit = _found(keys, probe, np.searchsorted(keys, probe))
    shared = np.bincount(pair[hit], minlength=len(a))
    if weights is None:
        return shared, None
    return shared, np.bincount(pair[hit], weights=weights[take][hit], minlength=len(a)).astype(np.float64)


def _tagged(article: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(article << 32 | value) keys: the values of many articles, concatenated in article order, stay sorted."""
    return (article.astype(np.uint64) << np.uint64(32)) | values.astype(np.uint64)


def weighted_jaccard(fa: Features, fb: Features, stats: CountTable) -> tuple[float, int]:
    """(Σ idf of shared content terms / Σ idf of all content terms of either article, shared term count)."""
    figures = _figures([fa, fb], np.array([0]), np.array([1]), stats)[0]
    return float(figures[4]), int(figures[3])


def weighted_jaccards(features: list[Features], pairs: np.ndarray, stats: CountTable) -> np.ndarray:
    """weighted_jaccard of each pair (a, b) of articles (indexes into features), all at once."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return _figures(features, pairs[:, 0], pairs[:, 1], stats)[:, 4]


def _found(sorted_set: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Which values are in sorted_set (sorted, no repeats), given at = np.searchsorted(sorted_set, values)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    return sorted_set[np.minimum(at, len(sorted_set) - 1)] == values
