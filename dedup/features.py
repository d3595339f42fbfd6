"""What the engine compares: word shingles (copies) and content terms by sentence (rewrites)."""
from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xxhash

from . import accel, sentences
from .normalize import clean
from .arrays import unique_sorted
from .shingle import unique_shingles
from .tokenhash import NOT_A_TERM, Tokens, tokenize

@dataclass
class Features:
    """Everything verification needs about one article, as compact arrays."""

    n_words: int
    exact: int  # hash of the normalised word sequence (_exact): equal and not 0 ⇔ duplicate
    shingles: np.ndarray  # sorted unique uint32 word-shingle hashes
    terms: np.ndarray  # uint32 content-term hash of every content token, in text order
    term_sentence: np.ndarray  # uint32 sentence index of each content token (never decreasing)

    @cached_property
    def sentence_terms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(term, sentence) pairs without repeats, sorted by term, and the distinct-term count of each sentence;
        sentences are numbered among those that hold a content term, so sentences without one cost nothing."""
        if len(self.terms) == 0:
            return np.empty(0, np.uint32), np.empty(0, np.int64), np.empty(0, np.int64)
        fast = accel.kernels()
        if fast is not None:
            return fast.sentence_terms(self.terms, self.term_sentence)
        held = np.cumsum(np.concatenate(([0], self.term_sentence[1:] != self.term_sentence[:-1])))  # (numbers never decrease)
        keys = unique_sorted((self.terms.astype(np.uint64) << np.uint64(32)) | held.astype(np.uint64))
        sentence = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
        return (keys >> np.uint64(32)).astype(np.uint32), sentence, np.bincount(sentence)

    @cached_property
    def term_set(self) -> np.ndarray:
        """Sorted distinct content-term hashes."""
        return unique_sorted(self.terms)


def _sentence_of(cleaned: str, tokens: Tokens, positions: np.ndarray) -> np.ndarray:
    """Index of the sentence of `cleaned` that holds each token offset."""
    bounds = sentences.spans(cleaned)[:, 0]
    if len(tokens.text) != len(cleaned):  # offsets index the folded text, longer (ß → ss): move the bounds with it
        grown = np.cumsum([0, *(len(c.casefold()) for c in cleaned)])
        bounds = grown[bounds]
    return (np.searchsorted(bounds, positions, "right") - 1).astype(np.uint32)


def _exact(cleaned: str, tokens: Tokens) -> int:
    """Hash of the normalised word sequence: equal ⇔ duplicate. A text without words (emoji, symbols) is hashed
    as its visible characters, and one without even those (blank, or only links) is 0: the same as nothing."""
    if len(tokens.hashes):
        return xxhash.xxh3_64_intdigest(tokens.hashes.tobytes())
    visible = " ".join(cleaned.split())
    return xxhash.xxh3_64_intdigest(b"\0" + visible.encode("utf-8", "surrogatepass")) if visible else 0


def extract(text: str, shingle_size: int) -> Features:
    """Features of one article's (already boilerplate-stripped) text."""
    cleaned = clean(text)
    tokens = tokenize(cleaned)
    is_term = tokens.terms != NOT_A_TERM
    return Features(
        n_words=tokens.words,
        exact=_exact(cleaned, tokens),
        shingles=unique_shingles(tokens.hashes, shingle_size),
        terms=tokens.terms[is_term].astype(np.uint32),
        term_sentence=_sentence_of(cleaned, tokens, tokens.starts[is_term]),
    )


_HEADER = struct.Struct("<IQIII")  # words, exact-text hash, then the lengths of shingles, terms and the term set


def pack(f: Features) -> bytes:
    """Features as plain little-endian bytes (an index stores data, never pickles); the distinct terms are stored
    too, so that a check does not sort every candidate's terms again."""
    header = _HEADER.pack(f.n_words, f.exact, len(f.shingles), len(f.terms), len(f.term_set))
    arrays = (f.shingles, f.terms, f.term_sentence, f.term_set)
    return b"".join((header, *(x.astype("<u4", copy=False).tobytes() for x in arrays)))


def check_packed(data: bytes) -> tuple[int, int, int, int, int]:
    """The header of packed features (words, exact hash, the three lengths); ValueError when the bytes are too
    short or their length is not what the header says: the check a compiled reader needs before it reads."""
    if len(data) < _HEADER.size:
        raise ValueError("features blob is truncated")
    header = _HEADER.unpack_from(data)
    _, _, n_sh, n_t, n_set = header
    expected = _HEADER.size + 4 * (n_sh + 2 * n_t + n_set)
    if len(data) != expected or n_set > n_t:
        raise ValueError(f"features blob has {len(data)} bytes, expected {expected}")
    return header


def unpack(data: bytes) -> Features:
    """Inverse of pack, without copying: the arrays are read-only views of data. Raises ValueError on bytes that
    are not packed features (check_packed), or whose sentence numbers decrease."""
    n_words, exact, n_sh, n_t, n_set = check_packed(data)
    arr = np.frombuffer(data, dtype="<u4", offset=_HEADER.size)
    sentence = arr[n_sh + n_t : n_sh + 2 * n_t]
    if (sentence[1:] < sentence[:-1]).any():
        raise ValueError("features blob has its sentence numbers out of order")
    f = Features(n_words, exact, arr[:n_sh], arr[n_sh : n_sh + n_t], sentence)
    f.term_set = arr[n_sh + 2 * n_t :]  # the cached property, filled from the stored copy
    return f
