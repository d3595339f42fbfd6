"""Split a text into sentence spans whose offsets slice the original text."""
from __future__ import annotations

import re
from dataclasses import dataclass

_BLOCK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_END = re.compile(r"""[.!?…]+["'”’»)\]]*(?=\s+["'“‘«(\[]?[^\W_a-z])""")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt gov sen rep rev fig no vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec approx est dept univ".split()
)
_HARD_BREAK_LINE = 50  # a line shorter than this ends its sentence (a heading, a byline, a list item)


@dataclass(frozen=True)
class Span:
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
        for nl in re.finditer(r"\n", text[pos:stop]):
            cut = pos + nl.start()
            line = text[block_start:cut].strip()
            if not line or line[-1] in ".!?:;\"”’»)" or len(line) < _HARD_BREAK_LINE:
                yield block_start, cut
                block_start = cut + 1
        yield block_start, stop
        pos = m.end() if m else len(text)


def _sentences(text: str, start: int, end: int):
    piece = text[start:end]
    cursor = 0
    for m in _END.finditer(piece):
        before = re.search(r"(\w+)\W*$", piece[cursor : m.start() + 1])
        word = before.group(1) if before else ""
        if m.group().startswith(".") and (len(word) == 1 or word.casefold() in _ABBREVIATIONS):
            continue
        span = _strip(text, start + cursor, start + m.end())
        if span:
            yield span
        cursor = m.end()
    span = _strip(text, start + cursor, end)
    if span:
        yield span


def _strip(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None
