"""Approximate per-document counts of hashed items in a fixed-size table: bounded memory at any corpus size."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .arrays import unique_sorted


BITS = 22  # 4 Mi slots × 4 bytes = 16 MiB; collisions only blur rare counts a little
_MERGE_EVERY = 20_000  # documents whose pairs GroupedCounts keeps apart before it merges them into one array
_RECENT_GROUPS = 100_000  # groups whose counted slots RecentGroups keeps (~400 bytes each at 40 lines: ~40 MB)


class CountTable:
    """How many documents contain each hashed item (term, line), approximately."""

    mask = (1 << BITS) - 1  # an item's slot: its low BITS bits

    def __init__(self, counts: np.ndarray | None = None, documents: int = 0):
        self.counts = np.zeros(1 << BITS, dtype=np.uint32) if counts is None else counts
        self.documents = documents

    def add(self, items: np.ndarray, sign: int = 1) -> None:
        """Count one document's items (each counted once), or uncount them with sign=-1."""
        slots = items.astype(np.uint32) & np.uint32((1 << BITS) - 1)  # (a slot given twice is still changed once:
        # numpy reads every slot before it writes any)
        if sign > 0:
            self.counts[slots] += np.uint32(1)
        else:
            self.counts[slots] -= np.minimum(self.counts[slots], np.uint32(1))
        self.documents += 1 if sign > 0 else -1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CountTable) and self.documents == other.documents and np.array_equal(self.counts, other.counts)

    def get(self, items: np.ndarray) -> np.ndarray:
        return self.counts[items.astype(np.uint32) & np.uint32(self.mask)]

    def to_bytes(self) -> bytes:
        return np.int64(self.documents).tobytes() + self.counts.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "CountTable":
        if len(data) != 8 + 4 * (1 << BITS):
            raise ValueError("count table has the wrong size")
        documents = int(np.frombuffer(data[:8], dtype=np.int64)[0])
        return cls(np.frombuffer(data[8:], dtype=np.uint32).copy(), documents)


class GroupedCounts:
    """How many groups of documents contain each hashed item, a group's documents counting as one: built from
    every document's items and group key, then read as a CountTable."""

    def __init__(self) -> None:
        self._pairs: list[np.ndarray] = []  # (group, slot) pairs packed in one uint64: the documents' since the last
        self._merged: list[np.ndarray] = []  # merge, and the merged ones (each pair once in each array)
        self.documents = 0

    def add(self, items: np.ndarray, group: int) -> None:
        slots = items.astype(np.uint64) & np.uint64(CountTable.mask)
        self._pairs.append(slots | np.uint64((group & 0xFFFFFFFF) << 32))
        self.documents += 1
        if len(self._pairs) >= _MERGE_EVERY:  # (bounds the per-array overhead)
            self._merged.append(unique_sorted(np.concatenate(self._pairs)))
            self._pairs = []

    def table(self) -> CountTable:
        every = self._merged + self._pairs
        pairs = unique_sorted(np.concatenate(every)) if every else np.zeros(0, dtype=np.uint64)
        counts = np.bincount((pairs & np.uint64(CountTable.mask)).astype(np.int64), minlength=1 << BITS)
        return CountTable(counts.astype(np.uint32), self.documents)


class RecentGroups:
    """The slots counted for each of the most recent groups of documents (by key; the least recently added to
    forgotten first): a document counts only the items its group has not, so that an item counts once per group
    as GroupedCounts counts it, within what one process adds."""

    def __init__(self, capacity: int = _RECENT_GROUPS) -> None:
        self._held: OrderedDict[int, np.ndarray] = OrderedDict()
        self.capacity = capacity

    def new(self, items: np.ndarray, group: int, released: np.ndarray | None = None) -> np.ndarray:
        """The items whose slots the group has not counted (were `released` released first: see release)."""
        held = self._held.get(group)
        if held is not None and released is not None:
            held = held[~np.isin(held, _slots(released))]
        return items if held is None else items[~np.isin(_slots(items), held)]

    def count(self, items: np.ndarray, group: int) -> np.ndarray:
        """new(), and the group holds them from now on."""
        fresh = self.new(items, group)
        held = self._held.pop(group, np.zeros(0, dtype=np.uint32))
        self._held[group] = unique_sorted(np.concatenate((held, _slots(items))))
        if len(self._held) > self.capacity:
            self._held.popitem(last=False)
        return fresh

    def release(self, items: np.ndarray, group: int | None) -> None:
        """A document of the group that counted these items was uncounted: the next one holding them counts them."""
        held = self._held.get(group) if group is not None else None
        if held is not None:
            self._held[group] = held[~np.isin(held, _slots(items))]

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, group: int) -> bool:
        return group in self._held


def _slots(items: np.ndarray) -> np.ndarray:
    return items.astype(np.uint32) & np.uint32(CountTable.mask)
