"""What the engine compares: word shingles (copies) and content terms by sentence (rewrites)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xxhash

from . import sentences
from .normalize import clean
from .shingle import unique_sorted, unique_shingles
from .tokenhash import fold, hash_token, token_hashes, token_text

# Function words and the commonest news verbs: they say nothing about which story a text tells.
STOP_WORDS = frozenset(
    """a about above after again against ago all almost along already also although always am among an and
    another any are around as at away back be became because become been before being below between both but
    by can cannot could did do does doing done down during each either else even ever every few for from
    further get gets got had has have having he her here hers herself him himself his how however i if in
    into is it its itself just last least less like made make many may me might more most much must my
    myself near nearly neither never new next no nor not now of off often on once one only onto or other
    others our ours ourselves out over own per perhaps put rather really said same say says see seen she
    should since so some still such than that the their theirs them themselves then there these they this
    those though three through thus to today together too toward towards two under until up upon us very
    via was we were what whatever when where whether which while who whom whose why will with within
    without would yet you your yours yourself yourselves s t d ll m re ve told according week weeks year
    years month months day days time""".split()
)


@dataclass
class Features:
    """Everything verification needs about one article, as compact arrays."""

    n_words: int
    exact: int  # hash of the normalised word sequence: equal ⇔ duplicate
    shingles: np.ndarray  # sorted unique uint32 word-shingle hashes
    terms: np.ndarray  # uint32 content-term hash of every content token, in text order
    term_sentence: np.ndarray  # uint32 sentence index of each content token

    @cached_property
    def sentence_terms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(term, sentence) pairs without repeats, sorted by term, and the distinct-term count of each sentence."""
        if len(self.terms) == 0:
            return np.empty(0, np.uint32), np.empty(0, np.int64), np.empty(0, np.int64)
        keys = unique_sorted((self.terms.astype(np.uint64) << np.uint64(32)) | self.term_sentence.astype(np.uint64))
        sentence = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
        return (keys >> np.uint64(32)).astype(np.uint32), sentence, np.bincount(sentence, minlength=int(self.term_sentence[-1]) + 1)

    @cached_property
    def term_set(self) -> np.ndarray:
        """Sorted distinct content-term hashes."""
        return unique_sorted(self.terms)


def stem(word: str) -> str:
    """A light suffix stripper so "deployed", "deploying" and "deployment" meet."""
    if word[0].isdigit() or len(word) <= 4:
        return word
    for suffix in ("ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ied", "ies") else base
    return word


_term_cache: dict[int, int] = {}
TERM_CACHE_LIMIT = 1 << 18  # distinct tokens remembered; the cache starts over when full
_NOT_A_TERM = -1


def term_hash(token: str) -> int:
    """32-bit hash of a token's stemmed content term, or -1 for a stop word (figures always count)."""
    if token in STOP_WORDS or (len(token) < 2 and not token.isdigit()):
        return _NOT_A_TERM
    h = hash_token(stem(token))
    return (h ^ (h >> 32)) & 0xFFFFFFFF


def _term_hashes(folded: str, hashes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """term_hash of every token, looked up by token hash: the token's text is read only the first time."""
    keys = hashes.tolist()
    out = list(map(_term_cache.get, keys))
    if None in out:
        if len(_term_cache) >= TERM_CACHE_LIMIT:
            _term_cache.clear()
        for i, value in enumerate(out):
            if value is None:
                out[i] = _term_cache[keys[i]] = term_hash(token_text(folded, int(starts[i]), int(ends[i])))
    return np.array(out, dtype=np.int64)


def _sentence_of(cleaned: str, folded: str, positions: np.ndarray) -> np.ndarray:
    """Index of the sentence of `cleaned` that holds each position of its case-folded form."""
    bounds = np.fromiter((span.start for span in sentences.split(cleaned)), dtype=np.int64)
    if len(folded) != len(cleaned):  # folding lengthened some characters (ß → ss): move the bounds with them
        grown = np.cumsum([0, *(len(c.casefold()) for c in cleaned)])
        bounds = grown[bounds]
    return (np.searchsorted(bounds, positions, "right") - 1).astype(np.uint32)


def extract(text: str, shingle_size: int) -> Features:
    """Features of one article's (already boilerplate-stripped) text."""
    cleaned = clean(text)
    folded = fold(cleaned)
    hashes, starts, ends = token_hashes(folded)
    terms = _term_hashes(folded, hashes, starts, ends)
    is_term = terms != _NOT_A_TERM
    return Features(
        n_words=len(hashes),
        exact=xxhash.xxh3_64_intdigest(hashes.tobytes()),  # equal token sequences, equal hash
        shingles=unique_shingles(hashes, shingle_size),
        terms=terms[is_term].astype(np.uint32),
        term_sentence=_sentence_of(cleaned, folded, starts[is_term]),
    )


_HEADER = np.dtype([("n_words", "<u4"), ("exact", "<u8"), ("n_shingles", "<u4"), ("n_terms", "<u4")])


def pack(f: Features) -> bytes:
    """Features as plain little-endian bytes (an index stores data, never pickles)."""
    header = np.array([(f.n_words, f.exact, len(f.shingles), len(f.terms))], dtype=_HEADER)
    return b"".join(
        (header.tobytes(), f.shingles.astype("<u4").tobytes(), f.terms.astype("<u4").tobytes(), f.term_sentence.astype("<u4").tobytes())
    )


def unpack(data: bytes) -> Features:
    """Inverse of pack; raises ValueError on bytes that are not packed features."""
    if len(data) < _HEADER.itemsize:
        raise ValueError("features blob is truncated")
    n_words, exact, n_sh, n_t = np.frombuffer(data, dtype=_HEADER, count=1)[0].tolist()
    expected = _HEADER.itemsize + 4 * (n_sh + 2 * n_t)
    if len(data) != expected:
        raise ValueError(f"features blob has {len(data)} bytes, expected {expected}")
    arr = np.frombuffer(data, dtype="<u4", offset=_HEADER.itemsize)
    return Features(n_words, exact, arr[:n_sh].astype(np.uint32), arr[n_sh : n_sh + n_t].astype(np.uint32), arr[n_sh + n_t :].astype(np.uint32))
