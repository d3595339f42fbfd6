"""Split a text into sentence spans whose offsets slice the original text."""
from __future__ import annotations

import re
from typing import NamedTuple

_BLOCK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_END = re.compile(r"""[.!?…]+["'”’»)\]]*(?=\s+["'“‘«(\[]?[^\W_a-z])""")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt gov sen rep rev fig no vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec approx est dept univ".split()
)
_HARD_BREAK_LINE = 50  # a line shorter than this ends its sentence (a heading, a byline, a list item)
_LAST_WORD = re.compile(r"(\w+)\W*\Z")
_LOOKBACK = 24  # abbreviations are short: look this far back first, the whole sentence only when needed


class Span(NamedTuple):
    """Half-open character range [start, end) of the original text."""

    start: int
    end: int


def split(text: str) -> list[Span]:
    """Sentence spans in order, non-overlapping, each stripped of surrounding whitespace."""
    spans: list[Span] = []
    for start, end in _lines(text):
        spans.extend(_sentences(text, start, end))
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
            if not line or line[-1] in ".!?:;\"”’»)" or len(line) < _HARD_BREAK_LINE:
                yield block_start, cut
                block_start = cut + 1
            cut = text.find("\n", cut + 1, stop)
        yield block_start, stop
        pos = m.end() if m else len(text)


def _sentences(text: str, start: int, end: int):
    cursor = start
    for m in _END.finditer(text, start, end):  # endpos: the lookahead sees no further than the line
        if text[m.start()] == "." and _abbreviated(_last_word(text, cursor, m.start() + 1)):
            continue
        span = _strip(text, cursor, m.end())
        if span:
            yield span
        cursor = m.end()
    span = _strip(text, cursor, end)
    if span:
        yield span


def _abbreviated(word: str) -> bool:
    """A point after this word does not end the sentence: an initial or a known abbreviation."""
    return len(word) == 1 or word.casefold() in _ABBREVIATIONS


def _last_word(piece: str, start: int, end: int) -> str:
    """The last word of piece[start:end] (searching the whole of it is quadratic in the sentence length)."""
    lo = max(start, end - _LOOKBACK)
    m = _LAST_WORD.search(piece, lo, end)
    if lo > start and (m is None or m.start() == lo):  # the word may begin before the window
        m = _LAST_WORD.search(piece, start, end)
    return m.group(1) if m else ""


def _strip(text: str, start: int, end: int) -> Span | None:
    piece = text[start:end]
    kept = piece.strip()
    if not kept:
        return None
    start += len(piece) - len(piece.lstrip())
    return Span(start, start + len(kept))
