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


_CHUNK_PAIRS = 1 << 20  # bucket pairs counted at a time: ~90 bytes each while counted


def shared_sentence_pairs(keys: np.ndarray, rows: np.ndarray, group: np.ndarray, min_shared: int, cap: int) -> np.ndarray:
    """Pair codes (lsh.encode_pairs) of the rows whose groups of copies share at least min_shared keys, from one
    entry per key a row holds (keys[k] held by rows[k]; rows 0 ≤ r < 2³¹, group[r] the group of copies of row r).
    A group counts once for a key, and two groups sharing enough keys give, for each key, the pair of their first
    rows holding it and the pair of their fullest rows holding it (most keys in all; a scan tries a few: the first
    rows are the pair found before, the fullest ones hold every shared sentence when trimmed copies come first).
    A key held by more than `cap` groups is left out: a sentence in that many stories is a template, not a passage
    one story took from another (and a key's pairs are made at once: cap stays in the tens)."""
    rows, group = np.asarray(rows, dtype=np.int64), np.asarray(group, dtype=np.int64)
    if len(keys) < 2:
        return np.empty(0, dtype=np.int64)
    by_key = np.argsort(keys)
    in_order = keys[by_key]
    same = in_order[1:] == in_order[:-1]
    del in_order
    shared = np.zeros(len(keys), dtype=bool)  # entries of a key held more than once (most keys are held once)
    shared[1:] |= same
    shared[:-1] |= same
    if not shared.any():
        return np.empty(0, dtype=np.int64)
    run = np.cumsum(np.concatenate(([True], ~same))[shared], dtype=np.int64)  # each shared entry's key, numbered
    holding = rows[by_key[shared]]
    del by_key, same, shared
    # Each row's place in the order (group, most keys held, row): entries sorted by key, then by that place, line
    # up each key's holders group by group, the fullest row of a group first; one sort of values, not an argsort.
    held = np.bincount(rows, minlength=len(group))
    row_at = np.lexsort((np.arange(len(group)), -held, group))
    place = np.empty(len(group), dtype=np.int64)
    place[row_at] = np.arange(len(group))
    ordered = np.sort((run << 32) | place[holding])
    run, row = ordered >> 32, row_at[ordered & 0xFFFFFFFF]
    grp = group[row]
    holder = np.flatnonzero(np.concatenate(([True], (run[1:] != run[:-1]) | (grp[1:] != grp[:-1]))))
    first = np.minimum.reduceat(row, holder)  # each group's first row holding the key (`row`: its fullest)
    run, row, grp = run[holder], row[holder], grp[holder]
    starts = np.flatnonzero(np.concatenate(([True], run[1:] != run[:-1])))
    sizes = np.diff(np.concatenate((starts, [len(run)])))
    kept = (sizes > 1) & (sizes <= cap)  # (a key of one group pairs nothing)
    starts, sizes = starts[kept], sizes[kept]

    def bucket_pairs():
        """(p, q) entry indices of every two holders of a key, at most _CHUNK_PAIRS at a time (or one key's)."""
        p, q, made = [], [], 0
        for size in np.unique(sizes).tolist():
            i, j = np.triu_indices(size, 1)
            firsts = starts[sizes == size]
            step = max(1, _CHUNK_PAIRS // len(i))
            for at in range(0, len(firsts), step):
                base = firsts[at : at + step, None]
                if made and made + base.size * len(i) > _CHUNK_PAIRS:
                    yield np.concatenate(p), np.concatenate(q)
                    p, q, made = [], [], 0
                p.append((base + i).ravel())
                q.append((base + j).ravel())
                made += len(p[-1])
        if p:
            yield np.concatenate(p), np.concatenate(q)

    # Count each pair of groups' shared keys (one entry a key and group: never a group with itself), then keep
    # the row pairs of those sharing enough; two passes, so that memory holds the counts and one chunk at a time.
    # Partial counts merge once they outgrow the merged ones, so each count is merged a few times, not once a chunk.
    merged, pending = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)), []
    for p, q in bucket_pairs():
        pending.append(np.unique(encode_pairs(grp[p], grp[q]), return_counts=True))
        if sum(len(c) for c, _ in pending) > max(2 * _CHUNK_PAIRS, len(merged[0])):
            merged, pending = _summed([merged, *pending]), []
    codes, tallies = _summed([merged, *pending])
    enough = codes[tallies >= min_shared]
    found = [np.empty(0, dtype=np.int64)]
    for p, q in bucket_pairs():
        wanted = np.isin(encode_pairs(grp[p], grp[q]), enough)
        found.append(encode_pairs(row[p][wanted], row[q][wanted]))
        found.append(encode_pairs(first[p][wanted], first[q][wanted]))
    return unique_sorted(np.concatenate(found))


def _summed(counts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(distinct codes, their summed tallies) from partial (codes, tallies), each sorted by code."""
    code = np.concatenate([c for c, _ in counts])
    order = np.argsort(code, kind="stable")  # (timsort: a few sorted runs merge in linear time)
    code, tally = code[order], np.concatenate([t for _, t in counts])[order]
    if not len(code):
        return code, tally
    starts = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1])))
    return code[starts], np.add.reduceat(tally, starts)
