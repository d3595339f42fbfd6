"""Split a text into sentence spans whose offsets slice the original text."""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

import numpy as np

from . import accel
from .arrays import code_points
from .normalize import find_all

_BLOCK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_FULL_STOPS = "。！？"  # Chinese and Japanese sentence ends: no space follows them, and nothing else ends with them
_ENDS, _CLOSERS, _OPENERS = ".!?…" + _FULL_STOPS, "\"'”’»)]」』）", "\"'“‘«([「『（"  # sentence-ending punctuation, what may close and open around it
_LINE_ENDS = ".!?:;\"”’»)" + _FULL_STOPS  # a line ending in one of these ends its sentence
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt gov sen rep rev fig no vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec approx est dept univ".split()
)
_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS))
_LINKS = ("http://", "https://", "www.")  # a link after a sentence starts another, though lower-case (clean() drops links)
_HARD_BREAK_LINE = 50  # a line shorter than this ends its sentence (a heading, a byline, a list item)


class Span(NamedTuple):
    """Half-open character range [start, end) of the original text."""

    start: int
    end: int


def split(text: str) -> list[Span]:
    """Sentence spans in order, non-overlapping, each stripped of surrounding whitespace."""
    return [Span(start, end) for start, end in spans(text).tolist()]


def spans(text: str) -> np.ndarray:
    """split's spans as an (n, 2) array of [start, end) offsets: by the compiled loop when numba is installed."""
    fast = accel.kernels()
    found = _compiled_split(fast, text) if fast is not None else None
    return np.array(_split(text), dtype=np.int64).reshape(-1, 2) if found is None else found


def _split(text: str) -> list[Span]:
    """split in Python: the rule as written below."""
    spans: list[Span] = []
    marks = sorted(i for c in _ENDS for i in find_all(text, c))
    for start, end in _lines(text):
        _sentences(text, start, end, spans, marks)
    return spans


def _lines(text: str):
    """Blocks separated by blank lines, split further at line ends that end a sentence or a heading."""
    pos = 0
    for m in [*_BLOCK.finditer(text), None]:
        stop = m.start() if m else len(text)
        block_start = pos
        cut = text.find("\n", pos, stop)
        while cut >= 0:
            line = text[block_start:cut].strip()
            if not line or line[-1] in _LINE_ENDS or len(line) < _HARD_BREAK_LINE:
                yield block_start, cut
                block_start = cut + 1
            cut = text.find("\n", cut + 1, stop)
        yield block_start, stop
        pos = m.end() if m else len(text)


def _sentences(text: str, start: int, end: int, spans: list[Span], marks: list[int]) -> None:
    """Append the sentences of the line text[start:end] to spans; marks: the positions of sentence-ending
    punctuation in the text, in order.

    A sentence ends after a run of [.!?…。！？], any closing quotes or brackets, when whitespace follows on the same
    line and then (after at most one opening quote or bracket) a letter or digit that is not a lower-case ASCII
    letter, or a link (so a text splits where its cleaned text, without the link, does); a point after an initial
    or a known abbreviation does not end it. A run holding a Chinese or Japanese full stop (。！？) ends it
    whatever follows on the line. Written as a loop over the marks rather than a regular expression over
    every character: this runs for every sentence of every article."""
    cursor = resume = start
    for stop in islice(marks, bisect_left(marks, start), None):
        if stop >= end:
            break
        if stop < resume:
            continue  # inside the punctuation run just looked at
        after = stop
        while after < end and text[after] in _ENDS:
            after += 1
        while after < end and text[after] in _CLOSERS:
            after += 1
        resume = nxt = after
        if after < end and any(c in _FULL_STOPS for c in text[stop:after]):
            _append(text, cursor, after, spans)
            cursor = after
            continue
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt > after and nxt < end and text[nxt] in _OPENERS:
            nxt += 1
        if nxt == after or nxt == end or not text[nxt].isalnum() or ("a" <= text[nxt] <= "z" and not text.startswith(_LINKS, nxt)):
            continue
        if text[stop] == "." and _abbreviated(text, cursor, stop):
            continue
        _append(text, cursor, after, spans)
        cursor = after
    _append(text, cursor, end, spans)


def _abbreviated(text: str, start: int, point: int) -> bool:
    """Whether the last word (a run of \\w) of text[start:point] is an initial or a known abbreviation (the point
    after it does not end the sentence)."""
    e = point
    while e > start and not (text[e - 1].isalnum() or text[e - 1] == "_"):
        e -= 1
    b = e
    while b > start and (text[b - 1].isalnum() or text[b - 1] == "_"):
        b -= 1
        if e - b > _LONGEST_ABBREVIATION:
            return False  # (case folding never shortens a word)
    return e - b == 1 or text[b:e].casefold() in _ABBREVIATIONS


def _append(text: str, start: int, end: int, spans: list[Span]) -> None:
    """Append text[start:end] stripped of surrounding whitespace, unless nothing is left."""
    piece = text[start:end]
    kept = piece.strip()
    if kept:
        start += piece.find(kept[0])
        spans.append(Span(start, start + len(kept)))


def _compiled_split(fast, text: str) -> np.ndarray | None:
    """spans by the compiled twin of _split (the same spans: tested), or None when a word before a point is not
    ASCII (whether it is an abbreviation is case folding's to say)."""
    codes = code_points(text)
    if codes.dtype == np.uint32 and codes.max() >= 0x10000:  # beyond the table: stand-ins of the same kind
        # (neither space, punctuation nor ASCII)
        codes = codes.copy()
        beyond = codes >= 0x10000
        codes[beyond] = [_ALNUM_STAND_IN if chr(c).isalnum() else _OTHER_STAND_IN for c in codes[beyond].tolist()]
    return fast.sentence_spans(codes, _kinds(), _HARD_BREAK_LINE, *_abbreviation_codes())


_ALNUM_STAND_IN, _OTHER_STAND_IN = ord("é"), ord("¤")


@lru_cache(maxsize=1)
def _kinds() -> np.ndarray:
    """The compiled loop's kind bits of each code point of the Basic Multilingual Plane (see _compiled)."""
    every = [chr(c) for c in range(0x10000)]
    bits = [c.isspace() | (c.isalnum() << 1) | ((c in _ENDS) << 2) | ((c in _CLOSERS) << 3) | ((c in _OPENERS) << 4) | ((c in _LINE_ENDS) << 5)
            | ((c in _FULL_STOPS) << 6) for c in every]
    return np.array(bits, dtype=np.uint8)


@lru_cache(maxsize=1)
def _abbreviation_codes() -> tuple[np.ndarray, int, np.ndarray]:
    """The abbreviations packed as ASCII bytes in a uint64 each, the longest's length, and the links as rows of
    code points (padded with 0): what the compiled loop compares."""
    assert all(a.isascii() and len(a) <= 8 for a in _ABBREVIATIONS)
    packed = np.array([int.from_bytes(a.encode("ascii"), "big") for a in sorted(_ABBREVIATIONS)], dtype=np.uint64)
    width = max(map(len, _LINKS))
    links = np.array([[ord(c) for c in link] + [0] * (width - len(link)) for link in _LINKS], dtype=np.uint32)
    return packed, _LONGEST_ABBREVIATION, links
