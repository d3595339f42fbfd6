"""Boilerplate learned from the corpus: lines that recur across many otherwise different articles."""
from __future__ import annotations

import numpy as np
import xxhash

from .counts import CountTable


def line_hashes(text: str) -> tuple[list[str], np.ndarray]:
    """The text's lines and a hash of each line, case and spacing folded (0 for blank lines)."""
    lines = text.split("\n")
    keys = (" ".join(line.casefold().split()) for line in lines)
    hashes = [xxhash.xxh3_64_intdigest(k.encode("utf-8", "surrogatepass")) if k else 0 for k in keys]
    return lines, np.array(hashes, dtype=np.uint64)


def learn(table: CountTable, text: str, sign: int = 1) -> None:
    """Count the article's distinct lines in the corpus line table."""
    _, hashes = line_hashes(text)
    table.add(hashes[hashes != 0], sign)


def strip(text: str, table: CountTable, min_docs: int) -> str:
    """The text without its boilerplate lines.

    A line is boilerplate when at least `min_docs` articles contain it and it is at least twice as common as
    the article's typical line: site chrome recurs across unrelated articles, while every line of a
    syndicated story recurs together, so copies of one wire story keep all their text.
    """
    lines, hashes = line_hashes(text)
    has_words = hashes != 0
    if not has_words.any():
        return text
    counts = table.get(hashes).astype(np.int64)
    typical = float(np.median(counts[has_words]))
    drop = has_words & (counts >= min_docs) & (counts >= 2 * max(typical, 1.0))
    if not drop.any():
        return text
    return "\n".join(line for line, d in zip(lines, drop.tolist()) if not d)
