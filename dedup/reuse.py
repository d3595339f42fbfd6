"""Candidates for `partial` links: articles that share whole sentences.

A follow-up story that repeats two or three background sentences of a wire story shares too little of it for
either LSH table (5-shingle Jaccard ~0.05, content-term Jaccard often under 0.1), so a scan keys every long
sentence by its set of content terms and proposes the pairs of articles that share at least two such keys.
"""
from __future__ import annotations

import numpy as np

from . import accel
from .arrays import unique_sorted
from .features import Features
from .lsh import encode_pairs
from .verify import PASSAGE_TERMS

_STEP, _MIX = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9)  # splitmix64's: spread a term hash over 64 bits


def sentence_keys(f: Features) -> np.ndarray:
    """Sorted distinct keys of the article's sentences holding at least PASSAGE_TERMS distinct content terms: the
    same set of terms gives the same key, whatever their order, case, punctuation or stop words around them."""
    fast = accel.kernels()
    if fast is not None:
        return fast.sentence_keys(f.terms, f.term_sentence, PASSAGE_TERMS, _STEP, _MIX)
    terms, sentence, sizes = f.sentence_terms
    if not len(terms):
        return np.empty(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = (terms.astype(np.uint64) + _STEP) * _MIX  # (+ _STEP: a term hashed to 0 must not add 0)
        mixed ^= mixed >> np.uint64(29)
        mixed *= _MIX  # (a sum of raw hashes would let two term sets collide by arithmetic)
        by_sentence = mixed[np.argsort(sentence, kind="stable")]
        sums = np.add.reduceat(by_sentence, np.concatenate(([0], np.cumsum(sizes)[:-1])))
    return unique_sorted(sums[sizes >= PASSAGE_TERMS])


_CHUNK_PAIRS = 1 << 22  # bucket pairs made at a time: 2²² of them take ~100 MB while counted


def shared_sentence_pairs(keys: np.ndarray, rows: np.ndarray, groups: np.ndarray, min_shared: int, cap: int) -> np.ndarray:
    """Pair codes (lsh.encode_pairs) of the rows whose groups of copies share at least min_shared keys, from one
    entry per key a row holds (keys[k] held by rows[k], of group groups[k]). A group counts once for a key, and
    two groups sharing enough keys give, for each key, the pair of their first rows holding it and the pair of
    their fullest (most keys) rows holding it (a scan tries a few: the first rows are the pair found before, the
    fullest ones hold every shared sentence when trimmed copies come first). A key held by more than `cap` groups
    is left out: a sentence in that many stories is a template, not a passage one story took from another."""
    rows, groups = np.asarray(rows, dtype=np.int64), np.asarray(groups, dtype=np.int64)
    if len(keys) < 2:
        return np.empty(0, dtype=np.int64)
    # Each row's place in the order (group, most keys held, row): sorting entries by key, then by that place,
    # lines up each key's holders group by group, the fullest row of a group first.
    held = np.bincount(rows)
    group_of = np.zeros(len(held), dtype=np.int64)
    group_of[rows] = groups
    row_at = np.lexsort((np.arange(len(held)), -held, group_of))
    place = np.empty(len(held), dtype=np.int64)
    place[row_at] = np.arange(len(held))
    by_key = np.argsort(keys)
    keys = keys[by_key]
    same = keys[1:] == keys[:-1]
    shared = np.zeros(len(keys), dtype=bool)  # entries of a key held more than once (most keys are held once)
    shared[1:] |= same
    shared[:-1] |= same
    if not shared.any():
        return np.empty(0, dtype=np.int64)
    runs = np.cumsum(np.concatenate(([0], ~same)))[shared]  # each entry's key, numbered in key order
    ordered = np.sort((runs << 32) | place[rows[by_key[shared]]])  # (one sort of values, not an argsort)
    keys, rows = ordered >> 32, row_at[ordered & 0xFFFFFFFF]
    groups = group_of[rows]
    holder = np.flatnonzero(np.concatenate(([True], (keys[1:] != keys[:-1]) | (groups[1:] != groups[:-1]))))
    first = np.minimum.reduceat(rows, holder)  # the group's first row holding the key (`rows`: its fullest)
    keys, rows, groups = keys[holder], rows[holder], groups[holder]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    sizes = np.diff(np.concatenate((starts, [len(keys)])))
    kept = (sizes > 1) & (sizes <= cap)
    starts, sizes = starts[kept], sizes[kept]

    def bucket_pairs():
        """(p, q) entry indices of every two holders of a key, _CHUNK_PAIRS or so at a time."""
        p, q, made = [], [], 0
        for size in np.unique(sizes).tolist():
            i, j = np.triu_indices(size, 1)
            firsts = starts[sizes == size]
            step = max(1, _CHUNK_PAIRS // len(i))
            for at in range(0, len(firsts), step):
                first = firsts[at : at + step, None]
                p.append((first + i).ravel())
                q.append((first + j).ravel())
                made += len(p[-1])
                if made >= _CHUNK_PAIRS:
                    yield np.concatenate(p), np.concatenate(q)
                    p, q, made = [], [], 0
        if p:
            yield np.concatenate(p), np.concatenate(q)

    # Count each pair of groups's shared keys (one entry a key and group: never a group with itself), then keep
    # the row pairs of those sharing enough; two passes, so that memory holds the counts and one chunk at a time.
    codes, tallies = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
    for p, q in bucket_pairs():
        code, tally = np.unique(encode_pairs(groups[p], groups[q]), return_counts=True)
        codes.append(code)
        tallies.append(tally)
        if sum(map(len, codes)) > 2 * _CHUNK_PAIRS:
            codes, tallies = _summed(codes, tallies)
    codes, tallies = _summed(codes, tallies)
    enough = codes[0][tallies[0] >= min_shared]
    found = [np.empty(0, dtype=np.int64)]
    for p, q in bucket_pairs():
        wanted = np.isin(encode_pairs(groups[p], groups[q]), enough)
        found.append(encode_pairs(rows[p][wanted], rows[q][wanted]))
        found.append(encode_pairs(first[p][wanted], first[q][wanted]))
    return unique_sorted(np.concatenate(found))


def _summed(codes: list[np.ndarray], tallies: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Counts of distinct codes, from partial counts each sorted by code: ([codes], [their summed tallies])."""
    code = np.concatenate(codes)
    order = np.argsort(code, kind="stable")  # (timsort: a few sorted runs merge in linear time)
    code, tally = code[order], np.concatenate(tallies)[order]
    if not len(code):
        return [code], [tally]
    starts = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1])))
    return [code[starts]], [np.add.reduceat(tally, starts)]
