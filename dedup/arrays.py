"""Small numpy helpers the engine's vectorised stages share."""
from __future__ import annotations

import numpy as np


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values: np.unique's result, ~5× faster on article-sized arrays (sort + neighbour mask)."""
    out = np.sort(values)
    if len(out) > 1:
        keep = np.empty(len(out), dtype=bool)
        keep[0] = True
        np.not_equal(out[1:], out[:-1], out=keep[1:])
        out = out[keep]
    return out


def spans(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The positions lo[i] .. hi[i] - 1 of every span, concatenated."""
    n = hi - lo
    starts = np.repeat(lo - (np.cumsum(n) - n), n)
    return starts + np.arange(len(starts))


def owners(sizes: np.ndarray | list[int]) -> np.ndarray:
    """For arrays of these sizes concatenated, the index of the array each value came from."""
    return np.repeat(np.arange(len(sizes)), sizes)


def code_points(text: str) -> np.ndarray:
    """A text's code points for the compiled scanners: bytes when it is ASCII (a quarter of the memory), else UTF-32
    (lone surrogates kept as they are)."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
