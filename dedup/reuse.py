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

_MIX = np.uint64(0xBF58476D1CE4E5B9)  # (_compiled.py's _KEY_MIX)


def sentence_keys(f: Features) -> np.ndarray:
    """Sorted distinct keys of the article's sentences holding at least PASSAGE_TERMS distinct content terms: the
    same set of terms gives the same key, whatever their order, case, punctuation or stop words around them."""
    fast = accel.kernels()
    if fast is not None:
        return fast.sentence_keys(f.terms, f.term_sentence, PASSAGE_TERMS)
    terms, sentence, sizes = f.sentence_terms
    if not len(terms):
        return np.empty(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = terms.astype(np.uint64) * _MIX
        mixed ^= mixed >> np.uint64(29)
        mixed *= _MIX  # (a sum of raw hashes would let two term sets collide by arithmetic)
        by_sentence = mixed[np.argsort(sentence, kind="stable")]
        sums = np.add.reduceat(by_sentence, np.concatenate(([0], np.cumsum(sizes)[:-1])))
    return unique_sorted(sums[sizes >= PASSAGE_TERMS])


def shared_sentence_pairs(keys: np.ndarray, rows: np.ndarray, groups: np.ndarray, min_shared: int, cap: int) -> np.ndarray:
    """Pair codes (lsh.encode_pairs) of the rows whose groups of copies share at least min_shared keys, from one
    entry per key a row holds (keys[k] held by rows[k], of group groups[k]). A group counts once for a key, by the
    first of its rows that holds it, and two groups sharing enough keys give every pair of such rows (a scan tries
    a few); a key held by more than `cap` groups is left out: a sentence in that many stories is a template, not a
    passage one story took from another."""
    if len(keys) < 2:
        return np.empty(0, dtype=np.int64)
    order = np.lexsort((rows, groups, keys))
    values, owner, group = keys[order], np.asarray(rows, dtype=np.int64)[order], np.asarray(groups, dtype=np.int64)[order]
    first = np.concatenate(([True], (values[1:] != values[:-1]) | (group[1:] != group[:-1])))
    values, owner, group = values[first], owner[first], group[first]
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    counts = np.diff(np.concatenate((starts, [len(values)])))
    members, between = [], []
    for size in np.unique(counts[(counts > 1) & (counts <= cap)]).tolist():
        i, j = np.triu_indices(size, 1)
        first = starts[counts == size][:, None]
        p, q = (first + i).ravel(), (first + j).ravel()
        members.append(encode_pairs(owner[p], owner[q]))
        between.append(encode_pairs(group[p], group[q]))  # (never a group with itself: one entry a key and group)
    if not members:
        return np.empty(0, dtype=np.int64)
    members, between = np.concatenate(members), np.concatenate(between)
    held = np.sort(between)
    starts = np.flatnonzero(np.concatenate(([True], held[1:] != held[:-1])))
    shared = np.diff(np.concatenate((starts, [len(held)])))
    return unique_sorted(members[np.isin(between, held[starts[shared >= min_shared]])])
