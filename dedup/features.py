"""What the engine compares: word shingles (copies) and content terms by sentence (rewrites)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xxhash

from . import sentences
from .normalize import clean, tokens
from .shingle import fold32, hash_tokens, unique_sorted, unique_shingles

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


_stem_cache: dict[str, str] = {}
STEM_CACHE_LIMIT = 1 << 18  # distinct words remembered; the cache starts over when full


def content_terms(tokens: list[str]) -> list[str]:
    """Stemmed tokens that are not stop words (figures always count)."""
    out = []
    for t in tokens:
        if t in STOP_WORDS or (len(t) < 2 and not t.isdigit()):
            continue
        s = _stem_cache.get(t)
        if s is None:
            if len(_stem_cache) >= STEM_CACHE_LIMIT:
                _stem_cache.clear()
            s = _stem_cache[t] = stem(t)
        out.append(s)
    return out


def extract(text: str, shingle_size: int) -> Features:
    """Features of one article's (already boilerplate-stripped) text."""
    cleaned = clean(text)
    all_tokens: list[str] = []
    terms: list[str] = []
    term_sentence: list[int] = []
    for i, span in enumerate(sentences.split(cleaned)):
        toks = tokens(cleaned[span.start : span.end])
        all_tokens.extend(toks)
        found = content_terms(toks)
        terms.extend(found)
        term_sentence.extend([i] * len(found))
    token_hashes = hash_tokens(all_tokens)
    return Features(
        n_words=len(all_tokens),
        exact=xxhash.xxh3_64_intdigest(" ".join(all_tokens).encode("utf-8", "surrogatepass")),
        shingles=unique_shingles(token_hashes, shingle_size),
        terms=fold32(hash_tokens(terms)),
        term_sentence=np.asarray(term_sentence, dtype=np.uint32),
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
