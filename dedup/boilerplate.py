"""Boilerplate learned from the corpus: lines that recur across many otherwise different articles."""
from __future__ import annotations

import numpy as np
import xxhash

from .counts import CountTable


def line_hashes(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The text's lines, a hash of each (case and spacing folded; 0 for a blank line) and its word count."""
    lines = text.split("\n")
    keys = [" ".join(line.split()) for line in (text.lower() if text.isascii() else text.casefold()).split("\n")]
    hashes = [xxhash.xxh3_64_intdigest(k.encode("utf-8", "surrogatepass")) if k else 0 for k in keys]
    words = [k.count(" ") + 1 if k else 0 for k in keys]
    return lines, np.array(hashes, dtype=np.uint64), np.array(words)


def learn(table: CountTable, text: str, sign: int = 1) -> None:
    """Count the article's distinct lines in the corpus line table."""
    table.add(lines_of(text), sign)


def lines_of(text: str) -> np.ndarray:
    """The hashes of the article's non-blank lines: what it adds to the line table."""
    _, hashes, _ = line_hashes(text)
    return hashes[hashes != 0]


_PARAGRAPH_WORDS = 20  # a line this long is a paragraph of the article, not a menu item or a footer


def strip(text: str, table: CountTable, min_docs: int) -> str:
    """The text without its boilerplate lines.

    A line is boilerplate when at least `min_docs` articles contain it and it is at least twice as common as
    the article's most widespread paragraph. Site chrome recurs across unrelated articles; the paragraphs of
    a syndicated story recur together, so every copy keeps its text, even one whose other paragraphs were
    edited, and even where copies outnumber the pages that carry a given footer.
    """
    lines, hashes, lengths = line_hashes(text)
    if not hashes.any():
        return text
    counts = table.get(hashes).astype(np.int64)
    paragraphs = lengths >= _PARAGRAPH_WORDS
    reference = int(counts[paragraphs].max()) if paragraphs.any() else int(counts[int(lengths.argmax())])
    drop = (hashes != 0) & (counts >= min_docs) & (counts >= 2 * max(reference, 1))
    if not drop.any():
        return text
    return "\n".join(line for line, d in zip(lines, drop.tolist()) if not d)
