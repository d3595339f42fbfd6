"""Boilerplate learned from the corpus: lines, and sentences at an article's edges, that recur across many
otherwise different articles."""
from __future__ import annotations

import re
from typing import Callable

import numpy as np
import xxhash

from . import sentences
from .counts import CountTable

_PARAGRAPH_WORDS = 20  # a line or sentence this long is the article's own text, not a menu item or a footer
SITE_CHROME = 1 << 31  # a count by groups that marks a line as a site's chrome (see dedup.scan._site_chrome)


def _fold(text: str) -> str:
    return text.lower() if text.isascii() else text.casefold()


def _hashes(pieces: list[str]) -> tuple[list[int], list[int]]:
    """A hash of each folded line or sentence with its spacing normalised (0 for a blank one), and its words."""
    keys = [p if p.isprintable() and "  " not in p and p[:1] != " " and p[-1:] != " " else " ".join(p.split()) for p in pieces]
    # (spaced as it is already, most lines: isprintable() is False for every whitespace character but " ")
    hashes = [xxhash.xxh3_64_intdigest(k.encode("utf-8", "surrogatepass")) if k else 0 for k in keys]
    return hashes, [k.count(" ") + 1 if k else 0 for k in keys]


def line_hashes(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The text's lines, a hash of each (case and spacing folded; 0 for a blank line) and its word count."""
    hashes, words = _hashes(_fold(text).split("\n"))
    return text.split("\n"), np.array(hashes, dtype=np.uint64), np.array(words)


_EDGE_CHARS = 400  # how far into a line chrome may run: only the sentences this close to either end are counted
_MAY_END = re.compile(r"[.!?…][\"'”’»)\]]*\s")  # what any sentence break within a line starts with (dedup.sentences)


def _edge_sentences(line: str) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """The spans (in the line) of the sentences that open and close a line, their hashes and word counts.

    Only the first and last _EDGE_CHARS characters are split: a sentence cut by that window gets a hash no other
    article has, which ends a run of chrome as a sentence of the article's own would."""
    if not _MAY_END.search(line.rstrip()):  # one sentence (a headline, a URL, a byline): no need to split it
        start = len(line) - len(line.lstrip())
        spans = [(start, len(line.rstrip()))]
    elif len(line) <= 2 * _EDGE_CHARS:
        spans = _split(line, 0, len(line))
    else:
        spans = _split(line, 0, _EDGE_CHARS) + _split(line, len(line) - _EDGE_CHARS, len(line))
    return (spans, *_hashes([_fold(line[a:b]) for a, b in spans]))


def _split(line: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of line[start:end] in the line's offsets; a blank window is one piece."""
    return [(start + s.start, start + s.end) for s in sentences.split(line[start:end])] or [(start, end)]


def learn(table: CountTable, text: str, sign: int = 1) -> None:
    """Count the article's distinct lines, and the sentences of its first and last lines, in the corpus table."""
    table.add(lines_of(text), sign)


def lines_of(text: str) -> np.ndarray:
    """What the article adds to the corpus table: the hashes of its non-blank lines and of the sentences of its
    first and last ones (where chrome runs into the text; a line of one sentence has one hash)."""
    return _lines_of(*line_hashes(text)[:2])


def lines_and_wrapping(text: str) -> tuple[np.ndarray, bool]:
    """lines_of(text), and whether the text is hard-wrapped: a scan cleans such a text again once it knows the
    groups of copies, whose counts find its footer (_footer)."""
    lines, hashes, words = line_hashes(text)
    return _lines_of(lines, hashes), bool(hashes.any() and _paragraphs(lines, words)[1])


def _lines_of(lines: list[str], hashes: np.ndarray) -> np.ndarray:
    filled = np.flatnonzero(hashes)
    if not len(filled):
        return hashes[:0]
    edges = [h for i in dict.fromkeys((int(filled[0]), int(filled[-1]))) for h in _edge_sentences(lines[i])[1]]
    every = np.concatenate([hashes[filled], np.array(edges, dtype=np.uint64)])
    return every[every != 0]


def strip(text: str, table: CountTable, min_docs: int, counting_itself: bool = False, groups: CountTable | None = None) -> str:
    """The text without its boilerplate lines, nor the boilerplate sentences that open its first line or close its
    last (chrome run into the article's text, as extractors without block breaks leave it). counting_itself: read
    the table as if it counted this article too, as it will once the article is added (Index.check). groups: the
    same counts with each group of copies counted once (a scan's, once it knows the copies), for whole lines.

    A line is boilerplate when at least `min_docs` articles contain it and it is at least twice as common as the
    article's most widespread paragraph (in an article without one, the most widespread of its lines at least half
    as long as its longest). Site chrome recurs across unrelated articles; the paragraphs of a
    syndicated story recur together, so every copy keeps its text, even one whose other paragraphs were edited,
    and even where copies outnumber the pages that carry a given footer. Sentences: see _strip_edges.
    """
    lines, hashes, lengths = line_hashes(text)
    if not hashes.any():
        return text
    counts = table.get(hashes).astype(np.int64) + (counting_itself & (hashes != 0))  # (add counts every line)
    paragraphs = _paragraphs(lines, lengths)
    drop, reference = _line_drops(hashes, counts, paragraphs, min_docs)
    if groups is not None:
        drop = _by_groups(drop, hashes, groups.get(hashes).astype(np.int64), paragraphs, min_docs)
    itself = None
    if counting_itself:  # add counts the sentences of the first and last lines as written: the edges here unless dropped
        filled = np.flatnonzero(hashes)
        if drop[filled[0]] or drop[filled[-1]]:
            edges = (np.array(_edge_sentences(lines[i])[1], dtype=np.uint64) for i in (filled[0], filled[-1]))  # (as uint64: a list of
            counted = np.concatenate([hashes[filled], *edges])  # Python ints past 2**63 made a float64 array, and the hashes no longer matched)
            itself = lambda found: np.isin(found & np.uint64(table.mask), counted & np.uint64(table.mask))  # noqa: E731
        else:
            itself = lambda found: found != 0  # noqa: E731
    return _strip_edges([line for line, d in zip(lines, drop.tolist()) if not d], table, min_docs, reference, itself)


def regrouped(text: str, table: CountTable, min_docs: int, groups: CountTable) -> str | None:
    """strip(text, table, min_docs, groups=groups) when the counts by groups of copies drop other lines of the text
    than the line counts alone; None when they clean it as before (a scan then keeps its first sketch)."""
    lines, hashes, lengths = line_hashes(text)
    if not hashes.any():
        return None
    paragraphs = _paragraphs(lines, lengths)
    drop, reference = _line_drops(hashes, table.get(hashes).astype(np.int64), paragraphs, min_docs)
    by_groups = _by_groups(drop, hashes, groups.get(hashes).astype(np.int64), paragraphs, min_docs)
    if np.array_equal(drop, by_groups):
        return None
    return _strip_edges([line for line, d in zip(lines, by_groups.tolist()) if not d], table, min_docs, reference, None)


def _paragraphs(lines: list[str], lengths: np.ndarray) -> tuple[np.ndarray, bool]:
    """Which lines are the article's paragraphs (20 words or more; in an article without one, its lines at least half
    as long as its longest: short paragraphs, hard-wrapped text, a script without spaces; the longest alone may be
    the one an outlet edited), and whether the text is hard-wrapped (see _footer)."""
    paragraphs = lengths >= _PARAGRAPH_WORDS
    if paragraphs.any():
        return paragraphs, False
    chars = np.array([len(line.strip()) for line in lines])
    paragraphs = 2 * chars >= chars.max()
    open_ended = sum(not _ENDS.search(lines[i]) for i in np.flatnonzero(paragraphs).tolist())
    return paragraphs, 2 * open_ended > np.count_nonzero(paragraphs)


# a line ending a sentence (in the scripts whose full stops are their own: Devanagari's danda, Arabic's, Ethiopic's,
# Burmese, Armenian, Khmer, Chinese and Japanese): most lines of a hard-wrapped text end inside one
_ENDS = re.compile(r"[.!?…:;。！？।॥۔؟።။։។៕][\"'”’»)\]」』]*\s*$")


def _line_drops(hashes: np.ndarray, counts: np.ndarray, paragraphs: tuple[np.ndarray, bool], min_docs: int) -> tuple[np.ndarray, int]:
    """The lines in min_docs articles or more and twice as common as the article's most widespread paragraph, and
    that measure."""
    reference = int(counts[paragraphs[0]].max())
    return (hashes != 0) & (counts >= min_docs) & (counts >= 2 * max(reference, 1)), reference


def _footer(hashes: np.ndarray, counts: np.ndarray, mask: np.ndarray, min_docs: int) -> np.ndarray:
    """A hard-wrapped text's closing run of lines held by twice min_docs groups of copies or more, and twice as many
    as half its long lines are. A footer's lines are as long as the text's and would be their own measure (50 BBC
    stories under one footer: every pair linked as partial). Counted by groups, as copies that keep a story's
    opening or close only are in its group; only the close, as a story's opening is as widespread as its trimmed
    copies are, which its other lines are not; and twice min_docs, as a footer is on many stories' pages, and a
    passage that a few stories quote at their close (briefs of a wire story, a statement) is theirs."""
    found = np.sort(counts[mask])[::-1]
    bar = max(2 * min_docs, 2 * max(int(found[(len(found) - 1) // 2]) if len(found) else 0, 1))
    out = np.zeros(len(hashes), dtype=bool)
    for i in np.flatnonzero(hashes)[::-1].tolist():
        if counts[i] < bar:
            break
        out[i] = True
    return out


def _by_groups(drop: np.ndarray, hashes: np.ndarray, held: np.ndarray, paragraphs: tuple[np.ndarray, bool], min_docs: int) -> np.ndarray:
    """The lines to drop given how many groups of copies hold each (held): a line within one group is the story's;
    one in min_docs groups, twice as many as hold the article's most widespread paragraph, is chrome, however many
    pages the story's copies fill; and so is a site's chrome (SITE_CHROME), which is not the article's measure, and
    a hard-wrapped text's footer (_footer)."""
    mask, wrapped = paragraphs
    chrome = (hashes != 0) & (held >= SITE_CHROME)
    own = mask & ~chrome
    spread = int(held[own].max()) if own.any() else 0
    out = (drop & (held >= 2)) | chrome | ((hashes != 0) & (held >= min_docs) & (held >= 2 * max(spread, 1)))
    return (out | _footer(hashes, held, own, min_docs)) if wrapped else out


def _strip_edges(lines: list[str], table: CountTable, min_docs: int, reference: int, itself: Callable | None) -> str:
    """Lines with the boilerplate sentences at the start of the first non-blank one and the end of the last gone.

    Chrome is short and recurs far more than the article's own text: a sentence under _PARAGRAPH_WORDS words
    goes when at least `min_docs` articles contain it and it is at least twice as common as the most widespread
    sentence left at the edges (or the most widespread paragraph), so the opening or closing sentence that the
    copies and rewrites of one story share stays with them. Only runs at the edges go: a short quote that
    rewrites share inside their text stays."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled:
        return "\n".join(lines)
    edges = {i: _edge_sentences(lines[i]) for i in dict.fromkeys((filled[0], filled[-1]))}
    hashes = np.array([h for _, edge, _ in edges.values() for h in edge], dtype=np.uint64)
    found = table.get(hashes).astype(np.int64)
    if itself is not None:  # (which of these sentences the article's own counting holds)
        found += itself(hashes)
    found = found.tolist()
    runs, counts, at = {}, {}, 0  # runs: the longest runs of short recurring sentences at the edges, leaving one
    for i, (spans, _, words) in edges.items():
        c = counts[i] = found[at : at + len(spans)]
        at += len(spans)
        lo, hi = 0, len(c)
        while i == filled[0] and lo < hi - 1 and words[lo] < _PARAGRAPH_WORDS and c[lo] >= min_docs:
            lo += 1
        while i == filled[-1] and hi > lo + 1 and words[hi - 1] < _PARAGRAPH_WORDS and c[hi - 1] >= min_docs:
            hi -= 1
        runs[i] = lo, hi
    if all(runs[i] == (0, len(c)) for i, c in counts.items()):
        return "\n".join(lines)  # the common case: nothing at the edges recurs
    own = max(max(c[runs[i][0] : runs[i][1]]) for i, c in counts.items())
    bar = max(min_docs, 2 * max(reference, own, 1))
    out = list(lines)
    for i, (spans, _, _) in edges.items():
        c, (lo_run, hi_run) = counts[i], runs[i]
        lo, hi = 0, len(c)
        while lo < lo_run and c[lo] >= bar:
            lo += 1
        while hi > hi_run and c[hi - 1] >= bar:
            hi -= 1
        out[i] = lines[i][spans[lo][0] : spans[hi - 1][1]]
    return "\n".join(out)
