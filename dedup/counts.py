"""Approximate per-document counts of hashed items in a fixed-size table: bounded memory at any corpus size."""
from __future__ import annotations

import numpy as np


BITS = 22  # 4 Mi slots × 4 bytes = 16 MiB; collisions only blur rare counts a little


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
