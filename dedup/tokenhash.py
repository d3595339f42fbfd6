"""Cleaned text → the xxh64 hash and span of every word token, without a Python object per token.

Tokens are those of `normalize.tokens`: case-folded runs of letters, and figures whose thousands
separators are dropped. A token's hash is xxh64 (seed 0) of its UTF-32-LE encoding. With numba installed
one compiled pass folds and classifies the code points through a table and hashes each token in place;
without it a regex and the xxhash library give the same hashes and spans (tested), only slower.
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import numpy as np
import xxhash

from . import accel
from .arrays import code_points
from .normalize import SEPARATOR, TOKEN, word_count
from .terms import STOP_WORDS, SUFFIXES, TO_Y, stem

CACHE_LIMIT = 1 << 18  # distinct tokens remembered by the pure-Python path (~30 MB); starts over when full
NOT_A_TERM = -1
_LETTER, _DIGIT, _ISDIGIT = 1, 2, 4  # table classes (bits 24-25) and str.isdigit() (bit 26)


def fold(text: str) -> str:
    """Case folding as `normalize.tokens` does it (lower() is casefold() on ASCII, and faster)."""
    return text.lower() if text.isascii() else text.casefold()


@dataclass
class Tokens:
    """The word tokens of a cleaned text: their hashes and [start, end) offsets into `text`."""

    hashes: np.ndarray  # uint64
    terms: np.ndarray  # int64 term_hash of each token
    starts: np.ndarray  # int64
    ends: np.ndarray  # int64
    words: int  # normalize.word_count: "BA117" is two tokens and one word
    text: str  # what the offsets index: the cleaned text, or its case-folded form when folding lengthened it (ß → ss)

    def token(self, i: int) -> str:
        """Token i as `normalize.tokens` spells it: case-folded, figures without thousands separators."""
        token = fold(self.text[self.starts[i] : self.ends[i]])
        return SEPARATOR.sub("", token) if "," in token else token


def tokenize(cleaned: str) -> Tokens:
    """The tokens of a cleaned (not yet case-folded) text, each hashed; folding happens on the way."""
    fast = accel.kernels()
    if fast is None:
        return _regex_tokenize(cleaned)
    found = _scan(fast, cleaned)
    if found is not None:
        return Tokens(*found, cleaned)
    folded = cleaned.casefold()  # some character folds to several: scan the folded text (folding is idempotent)
    found = _scan(fast, folded)
    return Tokens(*found, folded) if found is not None else _regex_tokenize(cleaned)


def _scan(fast, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int] | None:
    codes = code_points(text)
    hashes, terms, starts, ends, buf = _scratch(len(codes))
    n, words = fast.scan(codes, _TABLE.covering(codes), *_term_rules(), hashes, terms, starts, ends, buf)
    return None if n < 0 else (hashes[:n].copy(), terms[:n].copy(), starts[:n].copy(), ends[:n].copy(), words)


_SCRATCH_LIMIT = 1 << 16  # characters (news articles are far shorter): longer texts get arrays of their own
_local = threading.local()


def _scratch(size: int) -> tuple[np.ndarray, ...]:
    """The scanner's output and work arrays for a text of `size` characters (at most one token per character).

    Kept per thread and reused: fresh arrays for every text cost more in page faults than the scan itself."""
    kept = getattr(_local, "arrays", None)
    if kept is not None and len(kept[0]) >= size + 2:
        return kept
    arrays = tuple(np.empty(max(size, 1 << 14) + 2, dtype=t) for t in (np.uint64, np.int64, np.int64, np.int64, np.uint64))
    if size <= _SCRATCH_LIMIT:
        _local.arrays = arrays
    return arrays


def hash_token(token: str) -> int:
    """xxh64 of the token's UTF-32-LE encoding: what the compiled scanner computes in place."""
    return xxhash.xxh64_intdigest(token.encode("utf-32-le", "surrogatepass"))


def term_hash(token: str) -> int:
    """32-bit hash of a token's stemmed content term, or NOT_A_TERM for a stop word (figures always count)."""
    if token in STOP_WORDS or (len(token) < 2 and not token.isdigit()):
        return NOT_A_TERM
    h = hash_token(stem(token))
    return (h ^ (h >> 32)) & 0xFFFFFFFF


class _Cache(dict):
    """token → f(token), computed once per distinct token (news vocabularies repeat)."""

    def __init__(self, f) -> None:
        super().__init__()
        self.f = f

    def __missing__(self, token: str) -> int:
        if len(self) >= CACHE_LIMIT:
            self.clear()
        value = self[token] = self.f(token)
        return value


_hashes, _terms = _Cache(hash_token), _Cache(term_hash)


def hash_tokens(tokens: list[str]) -> np.ndarray:
    """Hashes of token strings (as `normalize.tokens` gives them), in order."""
    return np.fromiter(map(_hashes.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def term_set(tokens: Iterable[str]) -> frozenset[int]:
    """The distinct content-term hashes of token strings (as `normalize.tokens` gives them): those the scanner
    gives their text."""
    return frozenset(map(_terms.__getitem__, tokens)) - {NOT_A_TERM}


def _regex_tokenize(cleaned: str) -> Tokens:
    """The pure-Python path: regex spans (separators kept inside figures) and cached xxhash digests."""
    folded = fold(cleaned)
    text = cleaned if len(folded) == len(cleaned) else folded
    found = [(m.start(), m.end()) for m in TOKEN.finditer(folded)]
    starts = np.fromiter((s for s, _ in found), dtype=np.int64, count=len(found))
    ends = np.fromiter((e for _, e in found), dtype=np.int64, count=len(found))
    tokens = [folded[s:e] for s, e in found]
    tokens = [SEPARATOR.sub("", t) if "," in t else t for t in tokens]
    terms = np.fromiter(map(_terms.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    return Tokens(hash_tokens(tokens), terms, starts, ends, word_count(cleaned), text)


class _Table:
    """The scanner's table, one entry per code point: its case-folded code point | class << 24 (letter or digit,
    read off the token pattern itself so both paths agree, and whether str.isdigit() holds); FOLDS_TO_MANY where
    folding gives several characters. The Basic Multilingual Plane is made at once (~30 ms); the planes beyond
    it 4,096 code points at a time, when a text holds one of them (all of them took ~0.5-1.4 s: an emoji made a
    crawler's check, or each scan worker, wait that long)."""

    PAGE = 1 << 12

    def __init__(self) -> None:
        self.entries = np.zeros(0x110000, dtype=np.uint32)
        self.made = np.zeros(0x110000 // self.PAGE, dtype=bool)
        self.lock = threading.Lock()
        self.plane_made = False  # the Basic Multilingual Plane's pages, all of them

    def covering(self, codes: np.ndarray) -> np.ndarray:
        """The table, with the pages of these code points made."""
        if not self.plane_made:
            self._make(range(0, 0x10000 // self.PAGE))
            self.plane_made = True
        if codes.dtype == np.uint32 and len(codes) and codes.max() >= 0x10000:
            pages = np.unique(codes[codes >= 0x10000] // self.PAGE)
            self._make(pages[~self.made[pages]].tolist())
        return self.entries

    def _make(self, pages) -> None:
        with self.lock:  # (another thread may be making them: a page is marked made once it is whole)
            for page in pages:
                if not self.made[page]:
                    start = page * self.PAGE
                    self.entries[start : start + self.PAGE] = _entries(start, start + self.PAGE)
                    self.made[page] = True


def _entries(start: int, end: int) -> np.ndarray:
    """The table entries of code points start to end (see _Table)."""
    folds = [chr(c).casefold() for c in range(start, end)]
    folded = "".join(f if len(f) == 1 else "\0" for f in folds)
    table = np.fromiter(map(ord, folded), dtype=np.uint32, count=len(folded)) | (_classes(folded) << np.uint32(24))
    table[np.fromiter((len(f) != 1 for f in folds), dtype=bool, count=len(folds))] = 0xFFFFFFFF  # folds to several
    return table


def _classes(chars: str) -> np.ndarray:
    """The table class of each character: letter or digit as the token pattern reads it, and str.isdigit()."""
    classes = np.zeros(len(chars), dtype=np.uint32)
    for pattern, cls in ((r"[^\W\d_]+", _LETTER), (r"\d+", _DIGIT)):
        for m in re.finditer(pattern, chars):
            classes[m.start() : m.end()] = cls
    return classes | np.fromiter(map(str.isdigit, chars), dtype=bool, count=len(chars)) * np.uint32(_ISDIGIT)


_TABLE = _Table()
# A process forked while another thread makes a page would inherit the lock held, and wait for it forever.
os.register_at_fork(after_in_child=lambda: setattr(_TABLE, "lock", threading.Lock()))


@lru_cache(maxsize=1)
def _term_rules() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """terms.py's rules as arrays for the scanner: the stop-word hashes as an open-addressing set (a quarter
    full, linear probing, 0 for an empty slot); each suffix as a mask and a pattern over a token's last eight
    characters read as bytes, its length, and whether the stem gains a "y"."""
    stop = np.zeros(1 << (4 * len(STOP_WORDS) - 1).bit_length(), dtype=np.uint64)
    for h in map(hash_token, STOP_WORDS):
        slot = h & (len(stop) - 1)
        while stop[slot]:
            slot = (slot + 1) & (len(stop) - 1)
        stop[slot] = h
    assert all(x.isascii() and len(x) <= 8 for x in SUFFIXES), "the scanner reads suffixes as bytes of one integer"
    masks = np.array([(1 << 8 * len(x)) - 1 for x in SUFFIXES], dtype=np.uint64)
    patterns = np.array([int.from_bytes(x.encode("ascii"), "big") for x in SUFFIXES], dtype=np.uint64)
    lengths = np.array([len(x) for x in SUFFIXES], dtype=np.int64)
    to_y = np.array([x in TO_Y for x in SUFFIXES], dtype=np.bool_)
    return stop, masks, patterns, lengths, to_y
