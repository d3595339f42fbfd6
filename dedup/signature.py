"""MinHash signatures, vectorised over article batches, bit-identical to datasketch's "affine32" scheme.

Each 32-bit input hash is pre-mixed with the MurmurHash3 finalizer, then permutation k maps it to
a_k·h + b_k mod 2³² (a_k odd, so a bijection); a and b come from the seed exactly as datasketch draws them.
"""
from __future__ import annotations

import threading

import numpy as np

from . import accel

EMPTY = np.uint32(0xFFFFFFFF)  # signature value of an empty set
# Shingles per block. The (num_perm × block) work array is allocated once per thread and reused: a fresh
# multi-megabyte temporary per block costs page faults that made the computation 4× slower.
_BLOCK = 1 << 13


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer: a fixed bijection that spreads structured inputs."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint32(16))
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
        return h


class Permutations:
    """num_perm hash functions h ↦ a·h + b mod 2³², drawn from a seed (identical on every machine)."""

    def __init__(self, num_perm: int, seed: int):
        # numpy's legacy RandomState stream is frozen across versions and platforms, and is what datasketch uses.
        gen = np.random.RandomState(seed)
        self.num_perm = num_perm
        self.seed = seed
        self.a = (gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1))[:, None]
        self.b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)[:, None]
        self._local = threading.local()  # per-thread work buffer (signatures may run in several threads)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_local"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def _buffer(self, width: int) -> np.ndarray:
        if width > _BLOCK:  # one set larger than a block: a one-off array
            return np.empty((self.num_perm, width), dtype=np.uint32)
        buf = getattr(self._local, "buf", None)
        if buf is None:
            buf = self._local.buf = np.empty((self.num_perm, _BLOCK), dtype=np.uint32)
        return buf[:, :width]

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """MinHash signature (num_perm uint32) of one set of 32-bit hashes."""
        return self.signatures([hashes])[0]

    def signatures(self, sets: list[np.ndarray]) -> np.ndarray:
        """Signatures of many sets at once: one (len(sets), num_perm) uint32 array.

        Duplicate values within a set are allowed (they do not change its minimum)."""
        out = np.full((len(sets), self.num_perm), EMPTY, dtype=np.uint32)
        lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
        nonempty = np.flatnonzero(lengths)
        if len(nonempty) == 0:
            return out
        values = np.concatenate([np.asarray(sets[i]).astype(np.uint32, copy=False) for i in nonempty])
        fast = accel.kernels()
        if fast is not None:
            fast.signatures(values, np.concatenate(([0], np.cumsum(lengths))), self.a.ravel(), self.b.ravel(), out)
            return out
        values = fmix32(values)
        starts = np.concatenate(([0], np.cumsum(lengths[nonempty])[:-1]))
        # Walk the concatenated shingles in blocks, each block covering whole sets; per block two in-place
        # passes (a·h, +b) over a reused buffer, then one segmented minimum per set.
        first = 0
        while first < len(nonempty):
            last = int(np.searchsorted(starts, starts[first] + _BLOCK, side="right"))
            last = max(last, first + 1)
            lo = starts[first]
            hi = starts[last] if last < len(nonempty) else len(values)
            work = self._buffer(hi - lo)
            np.multiply(self.a, values[None, lo:hi], out=work)
            np.add(work, self.b, out=work)
            out[nonempty[first:last]] = np.minimum.reduceat(work, starts[first:last] - lo, axis=1).T
            first = last
        return out


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal signature values."""
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def to_datasketch(sig: np.ndarray, seed: int):
    """The signature as a datasketch LeanMinHash (same values, same Jaccard estimates)."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=sig, scheme="affine32")
