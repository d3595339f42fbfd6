"""A check's first cut, made before anything is fetched: every indexed article's content-term signature, cut to
its low bytes and held in memory by row, drops the term-band candidates whose terms are far from the checked ones.

On real news most term-band candidates are other events on the same topic (see README, "Known limits"): their
signatures agree on a handful of values, a rewrite's on dozens. Counting equal bytes costs a fraction of a
microsecond a candidate; fetching and verifying one costs several.
"""
from __future__ import annotations

from functools import lru_cache
from math import exp, lgamma, log

import numpy as np

from . import accel

_MISS = 0.01  # at the rewrite LSH threshold's Jaccard, the largest share of pairs the cut may drop
_REMOVED_SHARE = 4  # removed rows are let go once they are a quarter of the rows held


@lru_cache(maxsize=None)
def min_agreements(threshold: float, num_perm: int) -> int:
    """The fewest equal signature values (of num_perm) a term-band candidate must have: a pair whose content-term
    Jaccard is the rewrite LSH threshold (what the band layout is built to find) has fewer with probability at
    most _MISS (binomial); pairs above it, less still."""
    if threshold >= 1:
        return num_perm
    below = 0.0
    for k in range(num_perm + 1):
        below += exp(lgamma(num_perm + 1) - lgamma(k + 1) - lgamma(num_perm - k + 1) + k * log(threshold) + (num_perm - k) * log(1 - threshold))
        if below > _MISS:
            return k
    return num_perm


class Prefilter:
    """Rows and the low byte of each value of their content-term signatures (width bytes a row), rows in order.

    Low bytes, because a MinHash value is the minimum of many: its high bits are mostly zero. Two different
    values share their low byte by chance once in 256, which only ever keeps a candidate, never drops one.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self._rows = np.empty(0, dtype=np.int64)  # capacity grows by doubling; the first _n are held
        self._bytes = np.empty((0, width), dtype=np.uint8)
        self._n = 0
        self._removed: set[int] = set()

    def load(self, rows: np.ndarray, signatures: np.ndarray) -> None:
        """Hold rows (increasing, after every row held) with their (len(rows), width) uint32 signatures."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        if signatures.shape != (len(rows), self.width):
            raise ValueError(f"term signatures of {signatures.shape[1:]} values, expected {self.width}")
        if (self._n and rows[0] <= self._rows[self._n - 1]) or not _increasing(rows):
            raise ValueError("prefilter rows must be added in increasing order")
        end = self._n + len(rows)
        if end > len(self._rows):
            capacity = max(end, 2 * len(self._rows), 1024)
            grown_rows, grown = np.empty(capacity, dtype=np.int64), np.empty((capacity, self.width), dtype=np.uint8)
            grown_rows[: self._n], grown[: self._n] = self._rows[: self._n], self._bytes[: self._n]
            self._rows, self._bytes = grown_rows, grown
        self._rows[self._n : end] = rows
        self._bytes[self._n : end] = signatures.astype(np.uint8)  # (modulo 256: the low byte)
        self._n = end

    def remove(self, *rows: int) -> None:
        """Forget rows (band tables no longer return them: they are let go in bulk, not one at a time)."""
        self._removed.update(rows)
        if len(self._removed) * _REMOVED_SHARE > self._n:
            self._compact()

    def agreements(self, rows: np.ndarray, signature: np.ndarray) -> np.ndarray:
        """How many values of each row's signature equal signature's (by low byte); a row not held counts as
        agreeing on every value (kept: the cut never drops what it knows nothing of)."""
        counts = np.full(len(rows), self.width, dtype=np.int64)
        if not self._n or not len(rows):
            return counts
        low = signature.astype(np.uint8)
        fast = accel.kernels()
        if fast is not None:
            fast.agreements(self._rows, self._bytes, self._n, np.asarray(rows, dtype=np.int64), low, counts)
            return counts
        at = np.minimum(np.searchsorted(self._rows[: self._n], rows), self._n - 1)
        held = self._rows[at] == rows
        counts[held] = np.count_nonzero(self._bytes[at[held]] == low, axis=1)
        return counts

    def snapshot(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, their bytes) as `restore` takes them, removed rows let go."""
        self._compact()
        return self._rows[: self._n], self._bytes[: self._n]

    @classmethod
    def restore(cls, rows: np.ndarray, data: np.ndarray, width: int) -> "Prefilter":
        """The prefilter a snapshot was taken of (arrays used as they are, possibly read-only views). ValueError
        when they do not fit together or rows are out of order (damaged)."""
        if data.shape != (len(rows), width):
            raise ValueError(f"prefilter holds {data.shape} bytes for {len(rows)} rows of {width}")
        if not _increasing(rows):
            raise ValueError("prefilter rows are not in order")
        table = cls(width)
        table._rows, table._bytes, table._n = rows, data, len(rows)
        return table

    def same_entries(self, other: "Prefilter") -> bool:
        """Whether both hold the same rows with the same bytes."""
        (rows, data), (other_rows, other_data) = self.snapshot(), other.snapshot()
        return np.array_equal(rows, other_rows) and np.array_equal(data, other_data)

    def _compact(self) -> None:
        """Let go of the removed rows."""
        if not self._removed:
            return
        keep = ~np.isin(self._rows[: self._n], np.fromiter(self._removed, dtype=np.int64, count=len(self._removed)))
        self._rows, self._bytes = self._rows[: self._n][keep], self._bytes[: self._n][keep]
        self._n = len(self._rows)
        self._removed = set()


def _increasing(rows: np.ndarray) -> bool:
    return len(rows) < 2 or bool((rows[1:] > rows[:-1]).all())
