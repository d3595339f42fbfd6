"""LSH banding: choose bands × rows from a threshold (as datasketch does), band keys, and a band table."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import accel
from .arrays import spans, unique_sorted

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


_RATIO = 16  # each sorted run of a band table holds at least this many times the entries of the next
_PER_SLOT = 16  # entries per slot of a run's directory (8 bytes a slot: half a byte an entry)
_MIN_ROW_BITS = 16


class BandTable:
    """Maps band keys to article rows, 8 bytes an entry: the key's low bits and the row packed in one uint64.

    Rows take `row_bits` bits (widened, and everything repacked, when a larger row arrives); the key keeps its
    lowest 64 - row_bits, so entries sort with np.sort and two rows share a bucket only if those key bits agree
    (band keys are hashes: at a million rows 44 bits remain, and chance collisions are negligible). The entries are held in a few sorted runs,
    each _RATIO times larger than the next, merged as they grow (a log-structured merge): one-at-a-time adds
    and bulk loads both stay cheap, and a query searches a handful of sorted arrays. With the compiled kernels,
    each run also has a directory of where each slice of its span of values starts (about _PER_SLOT entries a
    slice): a search then reads one directory slot and one short slice instead of a binary search's cache misses
    across a gigabyte, and skips a run whose first and last entries leave the key out (a restored table's runs
    are consecutive slices of one sorted run).
    """

    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []  # sorted packed entries, oldest and largest first
        self._row_bits = _MIN_ROW_BITS
        self._removed: set[int] = set()  # removed rows whose entries some run may still hold
        self._removed_sorted = np.empty(0, dtype=np.uint64)
        self._directories: dict[int, tuple[np.ndarray, np.ndarray, np.uint64]] = {}  # id(run) → (run, directory, shift)
        self._compiled_runs: tuple = ((), (), np.empty(0, dtype=np.uint64))  # (read-only runs, directories, shifts)

    def __len__(self) -> int:
        return sum(len(run) for run in self._runs)

    def bulk_load(self, rows: np.ndarray, keys: np.ndarray) -> None:
        """Add many rows at once: keys is (len(rows), bands)."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        if rows.min() < 0:
            raise ValueError("band table rows cannot be negative")
        if int(rows.max()).bit_length() > self._row_bits:
            self._widen(int(rows.max()).bit_length())
        if self._removed and not self._removed.isdisjoint(rows.tolist()):
            self._compact()  # a removed row comes back: its old keys must go first
        self._runs.append(np.sort(self._pack(keys, np.repeat(rows.astype(np.uint64), keys.shape[1]))))
        while len(self._runs) > 1 and len(self._runs[-1]) * _RATIO > len(self._runs[-2]):
            newer = self._runs.pop()
            self._runs.append(_merge(self._runs.pop(), newer))
        if len(self._runs) == 1 and self._removed:
            self._compact()
        self._index_runs()

    def add(self, row: int, keys: np.ndarray) -> None:
        """Add one row's band keys."""
        self.bulk_load(np.array([row]), keys.reshape(1, -1))

    def remove(self, *rows: int) -> None:
        """Forget rows (their entries are dropped at the next compaction; queries skip them at once)."""
        self._removed.update(rows)
        self._removed_sorted = np.array(sorted(self._removed), dtype=np.uint64)

    def snapshot(self) -> tuple[int, np.ndarray]:
        """(row bits, every live entry as one sorted run): what `restore` takes to rebuild this table at once."""
        self._compact()
        return self._row_bits, self._runs[0] if self._runs else np.empty(0, dtype=np.uint64)

    @classmethod
    def restore(cls, row_bits: int, runs: list[np.ndarray]) -> "BandTable":
        """The table a snapshot was taken of. runs: consecutive slices of its sorted entries (each a sorted run:
        queries search them all; later loads merge into them as into any run), possibly read-only views. ValueError
        when they are not sorted (damaged): compiled queries would read astray."""
        table = cls()
        table._row_bits = row_bits
        table._runs = [run for run in runs if len(run)]
        if any(earlier[-1] > later[0] for earlier, later in zip(table._runs, table._runs[1:])):
            raise ValueError("band table runs are not in order")
        table._index_runs()  # (the compiled directories find a run that is not sorted; numpy looks here)
        if accel.kernels() is None and not all(bool((run[1:] >= run[:-1]).all()) for run in table._runs):
            raise ValueError("a band table run is not sorted")
        return table

    def same_entries(self, other: "BandTable") -> bool:
        """Whether both tables map the same keys to the same rows (compared compacted, at the wider row width)."""
        self._compact()
        other._compact()
        bits = max(self._row_bits, other._row_bits)
        for table in (self, other):
            if table._row_bits < bits:
                table._widen(bits)
        return len(self) == len(other) and all(np.array_equal(x, y) for x, y in zip(self._runs, other._runs))

    def query(self, keys: np.ndarray) -> np.ndarray:
        """Rows that share at least one band key with keys: sorted int64, each once."""
        fast = accel.kernels()
        if fast is not None:  # one compiled call, whatever the runs
            if not self._runs:
                return np.empty(0, dtype=np.int64)
            return fast.band_query(*self._compiled_runs, keys.ravel().astype(np.uint64, copy=False), self._row_bits, self._removed_sorted)
        low = np.sort(self._pack(keys, np.zeros(1, dtype=np.uint64)))
        high = low | np.uint64((1 << self._row_bits) - 1)
        found = []
        for run in self._runs:
            lo = np.searchsorted(run, low, "left")
            hi = np.searchsorted(run, high, "right")
            if (hi > lo).any():
                found.append(run[spans(lo, hi)])
        if not found:
            return np.empty(0, dtype=np.int64)
        rows = unique_sorted(np.concatenate(found) & np.uint64((1 << self._row_bits) - 1))
        if len(self._removed_sorted):
            at = np.minimum(np.searchsorted(self._removed_sorted, rows), len(self._removed_sorted) - 1)
            rows = rows[self._removed_sorted[at] != rows]
        return rows.astype(np.int64)

    def pairs(self, cap: int) -> np.ndarray:
        """Pairs of rows sharing a bucket, as unique (m, 2) pairs (lower row first) — for batch scans."""
        return pairs_of(self.pair_codes(cap))

    def pair_codes(self, cap: int) -> np.ndarray:
        """The pairs of rows sharing a bucket as sorted distinct codes (encode_pairs).

        A bucket of more than `cap` rows (one wire story on hundreds of sites) yields a star from its first
        row and a chain through the rest instead of all its pairs, so the work stays linear in its size.
        """
        self._compact()
        if not self._runs or len(self._runs[0]) < 2:
            return np.empty(0, dtype=np.int64)
        fast = accel.kernels()
        if fast is not None:  # one pass, each distinct pair held once (25M bucket pairs, 3.2M distinct, at 100k: 4.5 s → 1 s)
            codes = fast.bucket_pair_codes(self._runs[0], self._row_bits, cap)
            codes.sort()
            return codes
        keys = self._runs[0] >> np.uint64(self._row_bits)
        rows = (self._runs[0] & np.uint64((1 << self._row_bits) - 1)).astype(np.int64)
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        sizes = np.diff(np.concatenate((starts, [len(keys)])))
        found = _PairSet()
        for size in np.unique(sizes[sizes > 1]).tolist():
            first = starts[sizes == size]
            if size > cap:  # star from the first row, chain through the rest
                for s in first.tolist():
                    members = rows[s : s + size]
                    found.add(encode_pairs(np.full(size - 1, members[0]), members[1:]))
                    found.add(encode_pairs(members[1:-1], members[2:]))
                continue
            i, j = np.triu_indices(size, 1)
            step = max(1, _PAIR_BLOCK // len(i))  # buckets a block: bounded temporaries at any corpus size
            for f in range(0, len(first), step):
                block = first[f : f + step, None]
                found.add(encode_pairs(rows[(block + i).ravel()], rows[(block + j).ravel()]))
        return found.codes()

    def _index_runs(self) -> None:
        """Give every run a directory (compiled kernels only): the span from its first entry to its last cut in
        slices of 2**shift values, about _PER_SLOT entries each, and where each slice's entries start. Runs that
        kept their array keep theirs. Also the (runs, directories, shifts) that the compiled query takes."""
        fast = accel.kernels()
        if fast is None:
            return
        kept = {}
        for run in self._runs:
            known = self._directories.get(id(run))
            if known is None or known[0] is not run:
                span = int(run[-1]) - int(run[0]) if len(run) else 0
                shift = max(0, span.bit_length() - max(1, (len(run) // _PER_SLOT).bit_length()))
                directory = fast.directory(run, np.uint64(shift), (span >> shift) + 1) if span >= 0 else None
                if directory is None or not len(directory):
                    raise ValueError("a band table run is not sorted")
                known = (run, directory, np.uint64(shift))
            kept[id(run)] = known
        self._directories = kept
        views = []
        for run in self._runs:  # (all read-only, as restored runs are: one compiled band_query for every mix)
            view = run.view()
            view.flags.writeable = False
            views.append(view)
        self._compiled_runs = (tuple(views), tuple(kept[id(run)][1] for run in self._runs), np.array([kept[id(run)][2] for run in self._runs], dtype=np.uint64))

    def _pack(self, keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Entries: the lowest 64 - row_bits bits of each key, then the row."""
        return (keys.ravel().astype(np.uint64) << np.uint64(self._row_bits)) | rows

    def _widen(self, row_bits: int) -> None:
        """Make room for larger rows: every entry gives its key's highest kept bits to the row."""
        old, self._row_bits = self._row_bits, row_bits
        self._runs = [np.sort(((run >> np.uint64(old)) << np.uint64(row_bits)) | (run & np.uint64((1 << old) - 1))) for run in self._runs]
        self._index_runs()

    def _compact(self) -> None:
        """Merge everything into one run and drop the entries of removed rows."""
        while len(self._runs) > 1:
            newer = self._runs.pop()
            self._runs.append(_merge(self._runs.pop(), newer))
        if self._removed and self._runs:
            run = self._runs[0]
            self._runs[0] = run[~np.isin(run & np.uint64((1 << self._row_bits) - 1), self._removed_sorted)]
        self._removed = set()
        self._removed_sorted = np.empty(0, dtype=np.uint64)
        self._index_runs()


def _merge(older: np.ndarray, newer: np.ndarray) -> np.ndarray:
    """Two sorted runs as one sorted run, in linear time."""
    at = np.searchsorted(older, newer, "right") + np.arange(len(newer))
    out = np.empty(len(older) + len(newer), dtype=np.uint64)
    old = np.ones(len(out), dtype=bool)
    old[at] = False
    out[at] = newer
    out[old] = older
    return out


_PAIR_BLOCK = 1 << 20  # pair codes made at a time before deduplication


class _PairSet:
    """Distinct pair codes gathered block by block; duplicates (the same pair in many bands) are dropped whenever
    the blocks held outgrow the distinct codes kept, so memory follows the distinct pairs, not the bucket pairs."""

    def __init__(self) -> None:
        self._kept = np.empty(0, dtype=np.int64)
        self._blocks: list[np.ndarray] = []
        self._held = 0

    def add(self, codes: np.ndarray) -> None:
        self._blocks.append(codes)
        self._held += len(codes)
        if self._held > max(_PAIR_BLOCK, len(self._kept)):
            self.codes()

    def codes(self) -> np.ndarray:
        """The distinct codes so far, sorted."""
        if self._blocks:
            self._kept = unique_sorted(np.concatenate([self._kept, *self._blocks]))
            self._blocks, self._held = [], 0
        return self._kept


def encode_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unordered row pairs as one int64 each (lower row in the high half), dropping a row paired with itself:
    sorting codes sorts the pairs, and deduplicating 1-D codes needs a fraction of the memory of (m, 2) rows."""
    lo, hi = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    keep = lo != hi
    return (lo[keep] << 32) | hi[keep]


def pairs_of(codes: np.ndarray) -> np.ndarray:
    """(m, 2) pairs from their codes (encode_pairs)."""
    return np.stack([codes >> 32, codes & 0xFFFFFFFF], axis=1)
