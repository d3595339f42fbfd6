"""Case-folded text → the xxh64 hash and span of every word token, without a Python object per token.

Tokens are those of `normalize.tokens`: runs of letters, and figures whose thousands separators are
dropped. A token's hash is xxh64 (seed 0) of its UTF-32-LE encoding. With numba installed one compiled
pass scans the code points and hashes each token in place; without it a regex and the xxhash library
give the same hashes and spans (tested), only slower.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import xxhash

from .normalize import SEPARATOR, TOKEN

CACHE_LIMIT = 1 << 18  # distinct tokens remembered by the pure-Python path (~30 MB); starts over when full
_OTHER, _LETTER, _DIGIT = 0, 1, 2


def fold(cleaned: str) -> str:
    """Case folding as `normalize.tokens` does it (lower() is casefold() on ASCII, and faster)."""
    return cleaned.lower() if cleaned.isascii() else cleaned.casefold()


def token_hashes(folded: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hashes uint64, starts int64, ends int64) of the tokens of a case-folded, cleaned text, in order."""
    kernel = _kernel()
    if kernel is None:
        return _regex_token_hashes(folded)
    if folded.isascii():
        codes, planes = np.frombuffer(folded.encode("ascii"), dtype=np.uint8), 0x10000
    else:
        codes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        planes = 0x10000 if int(codes.max()) < 0x10000 else 0x110000
    hashes = np.empty(len(codes), dtype=np.uint64)  # at most one token per character ("a1b2" has four)
    starts = np.empty(len(hashes), dtype=np.int64)
    ends = np.empty(len(hashes), dtype=np.int64)
    n = kernel(codes, _classes(planes), hashes, starts, ends)
    return hashes[:n], starts[:n], ends[:n]


def token_text(folded: str, start: int, end: int) -> str:
    """The token at folded[start:end] as `normalize.tokens` spells it (figures without separators)."""
    token = folded[start:end]
    return SEPARATOR.sub("", token) if "," in token else token


def hash_token(token: str) -> int:
    """xxh64 of the token's UTF-32-LE encoding: what the compiled scanner computes in place."""
    return xxhash.xxh64_intdigest(token.encode("utf-32-le", "surrogatepass"))


class _Hashes(dict):
    """token → hash, computed once per distinct token (news vocabularies repeat)."""

    def __missing__(self, token: str) -> int:
        if len(self) >= CACHE_LIMIT:
            self.clear()
        value = self[token] = hash_token(token)
        return value


_hashes = _Hashes()


def hash_tokens(tokens: list[str]) -> np.ndarray:
    """Hashes of token strings (as `normalize.tokens` gives them), in order."""
    return np.fromiter(map(_hashes.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def _regex_token_hashes(folded: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pure-Python path: regex spans (separators kept inside figures) and cached xxhash digests."""
    found = [(m.start(), m.end()) for m in TOKEN.finditer(folded)]
    starts = np.fromiter((s for s, _ in found), dtype=np.int64, count=len(found))
    ends = np.fromiter((e for _, e in found), dtype=np.int64, count=len(found))
    return hash_tokens([token_text(folded, s, e) for s, e in found]), starts, ends


@lru_cache(maxsize=2)
def _classes(size: int) -> np.ndarray:
    """Class of the first `size` code points (letter, digit, other), read off the token pattern itself so both
    paths agree. The Basic Multilingual Plane takes 20 ms to classify, all of Unicode 250 ms: built when needed."""
    every = "".join(map(chr, range(size)))
    table = np.zeros(size, dtype=np.uint8)
    for pattern, cls in ((r"[^\W\d_]+", _LETTER), (r"\d+", _DIGIT)):
        for m in re.finditer(pattern, every):
            table[m.start() : m.end()] = cls
    return table


@lru_cache(maxsize=1)
def _kernel():
    """The compiled scanner, or None when numba is not installed."""
    try:
        from ._tokenscan import scan
    except ImportError:
        return None
    return scan
