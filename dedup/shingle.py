"""Token hashes → shingle hashes, without per-shingle Python objects."""
from __future__ import annotations

import numpy as np

from . import accel
from .arrays import unique_sorted

_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier of the polynomial rolling hash


def shingle_hashes(token_hashes: np.ndarray, k: int) -> np.ndarray:
    """32-bit hashes of every run of k consecutive tokens (polynomial rolling hash, vectorised).

    A text shorter than k tokens has one shingle: all of it.
    """
    fast = accel.kernels()
    if fast is not None:
        return fast.shingle_hashes(np.ascontiguousarray(token_hashes, dtype=np.uint64), k)
    n = len(token_hashes)
    if n == 0:
        return np.empty(0, dtype=np.uint32)
    k = min(k, n)
    with np.errstate(over="ignore"):
        acc = token_hashes[: n - k + 1].copy()
        for j in range(1, k):
            acc *= _MULT
            acc += token_hashes[j : n - k + 1 + j]
        acc ^= acc >> np.uint64(29)
        acc *= _MULT
        acc ^= acc >> np.uint64(32)
    return acc.astype(np.uint32)


def unique_shingles(token_hashes: np.ndarray, k: int) -> np.ndarray:
    """Sorted distinct shingle hashes of a text: ``np.unique(shingle_hashes(token_hashes, k))``, faster."""
    return unique_sorted(shingle_hashes(token_hashes, k))
