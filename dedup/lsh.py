"""LSH banding: choose bands × rows from a threshold (as datasketch does), band keys, and a band table."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

_MULT = np.uint64(0x9E3779B97F4A7C15)
_GRID = np.linspace(0.0, 1.0, 2001)


@lru_cache(maxsize=None)
def optimal_bands(threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5) -> tuple[int, int]:
    """(bands, rows) minimising the weighted false-positive + false-negative area, as datasketch's MinHashLSH."""
    best, best_error = (1, 1), float("inf")
    below, above = _GRID[_GRID <= threshold], _GRID[_GRID >= threshold]
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = np.trapezoid(1 - (1 - below**r) ** b, below)
            fn = np.trapezoid((1 - above**r) ** b, above)
            error = fp * fp_weight + fn * fn_weight
            if error < best_error:
                best, best_error = (b, r), error
    return best


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64 keys: band i of each signature hashed, with i folded in so bands never collide."""
    sig = signatures[:, : bands * rows].reshape(len(signatures), bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        acc = np.arange(1, bands + 1, dtype=np.uint64)[None, :] * _MULT
        for j in range(rows):
            acc = (acc ^ sig[:, :, j]) * _MULT
            acc ^= acc >> np.uint64(31)
    return acc


class BandTable:
    """Maps band keys to article rows: a sorted numpy core plus a small dict of recent additions."""

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._rows = np.empty(0, dtype=np.int64)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []  # bulk-loaded (rows, keys) not yet sorted in
        self._recent: dict[int, list[int]] = {}
        self._recent_count = 0
        self._removed: set[int] = set()

    def __len__(self) -> int:
        return len(self._keys) + self._recent_count + sum(len(r) for r, _ in self._pending)

    def bulk_load(self, rows: np.ndarray, keys: np.ndarray) -> None:
        """Add many rows at once: keys is (len(rows), bands). Sorted in on the next query, once."""
        self._pending.append((np.repeat(np.asarray(rows, dtype=np.int64), keys.shape[1]), keys.ravel().astype(np.uint64)))

    def add(self, row: int, keys: np.ndarray) -> None:
        """Add one row's band keys; merged into the sorted core once the recent part grows."""
        if row in self._removed:
            self._merge()  # purge the removed row's old keys before it comes back
        for k in keys.tolist():
            self._recent.setdefault(k, []).append(row)
        self._recent_count += len(keys)
        if self._recent_count > max(4096, len(self._keys) // 8):
            self._merge()

    def remove(self, row: int) -> None:
        self._removed.add(row)

    def query(self, keys: np.ndarray) -> set[int]:
        """Rows that share at least one band key."""
        out: set[int] = set()
        if self._pending:
            self._merge()
        if len(self._keys):
            lo = np.searchsorted(self._keys, keys, "left")
            hi = np.searchsorted(self._keys, keys, "right")
            for a, b in zip(lo[hi > lo].tolist(), hi[hi > lo].tolist()):
                out.update(self._rows[a:b].tolist())
        if self._recent:
            for k in keys.tolist():
                hit = self._recent.get(k)
                if hit:
                    out.update(hit)
        return out - self._removed if self._removed else out

    def pairs(self, cap: int) -> np.ndarray:
        """Pairs of rows sharing a bucket, as unique (m, 2) pairs (lower row first) — for batch scans.

        A bucket of more than `cap` rows (one wire story on hundreds of sites) yields a star from its first
        row and a chain through the rest instead of all its pairs, so the work stays linear in its size.
        """
        self._merge()
        keys, rows = self._keys, self._rows
        if len(keys) < 2:
            return np.empty((0, 2), dtype=np.int64)
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        sizes = np.diff(np.concatenate((starts, [len(keys)])))
        out = []
        for size in np.unique(sizes[sizes > 1]).tolist():
            first = starts[sizes == size]
            if size > cap:  # star from the first row, chain through the rest
                for s in first.tolist():
                    members = rows[s : s + size]
                    out.append(np.stack([np.full(size - 1, members[0]), members[1:]], axis=1))
                    out.append(np.stack([members[1:-1], members[2:]], axis=1))
                continue
            i, j = np.triu_indices(size, 1)
            out.append(np.stack([rows[(first[:, None] + i).ravel()], rows[(first[:, None] + j).ravel()]], axis=1))
        if not out:
            return np.empty((0, 2), dtype=np.int64)
        pairs = np.concatenate(out)
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        pairs.sort(axis=1)
        return np.unique(pairs, axis=0)

    def _merge(self) -> None:
        if self._pending:
            rows = np.concatenate([self._rows, *(r for r, _ in self._pending)])
            keys = np.concatenate([self._keys, *(k for _, k in self._pending)])
            self._pending = []
            order = np.argsort(keys, kind="stable")
            self._keys, self._rows = keys[order], rows[order]
        if self._recent:
            keys = np.fromiter((k for k, rs in self._recent.items() for _ in rs), dtype=np.uint64)
            rows = np.fromiter((r for rs in self._recent.values() for r in rs), dtype=np.int64)
            self._recent, self._recent_count = {}, 0
            all_keys = np.concatenate([self._keys, keys])
            all_rows = np.concatenate([self._rows, rows])
            order = np.argsort(all_keys, kind="stable")
            self._keys, self._rows = all_keys[order], all_rows[order]
        if self._removed:
            keep = ~np.isin(self._rows, np.fromiter(self._removed, dtype=np.int64))
            self._keys, self._rows = self._keys[keep], self._rows[keep]
            self._removed = set()
