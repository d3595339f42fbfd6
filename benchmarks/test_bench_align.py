"""``dedup.align.align`` on two ~1,000-word and two ~10,000-word articles (a text and an edited copy of it:
~5 % of words replaced, a paragraph moved, one dropped, one added), with ``difflib.SequenceMatcher`` on
the same word sequences as the same-run reference (a plain word diff, no moves or paraphrase judging)."""
from __future__ import annotations

import difflib
import random

import pytest

from benchmarks.conftest import record, run
from benchmarks.corpus import texts

align_mod = pytest.importorskip("dedup.align")


def _pair(n_words: int, seed: int = 7) -> tuple[str, str]:
    rnd = random.Random(seed)
    paras: list[str] = []
    size = 0
    for t in texts():
        for p in t.split("\n\n"):
            if len(p.split()) >= 15:
                paras.append(p)
                size += len(p.split())
        if size >= n_words:
            break
    a = "\n\n".join(paras)
    edited = []
    for p in paras:
        words = p.split()
        for _ in range(max(1, len(words) // 20)):
            words[rnd.randrange(len(words))] = rnd.choice(words)
        edited.append(" ".join(words))
    if len(edited) > 3:
        edited.insert(0, edited.pop(len(edited) // 2))  # a moved paragraph
        edited.pop(len(edited) - 2)  # a dropped one
        edited.append(paras[0])  # and a repeated/added one
    return a, "\n\n".join(edited)


@pytest.mark.parametrize("n_words", [1_000, 10_000])
def test_align(benchmark, n_words):
    a, b = _pair(n_words)
    secs = run(benchmark, lambda: align_mod.align(a, b), rounds=3 if n_words <= 1000 else 1)
    benchmark.extra_info.update(words_a=len(a.split()), words_b=len(b.split()))
    record(f"align two {n_words:,}-word articles", "dedup", secs * 1e3, "ms", benchmark=benchmark, higher_is_better=False)


@pytest.mark.parametrize("n_words", [1_000, 10_000])
def test_difflib(benchmark, n_words):
    a, b = _pair(n_words)
    wa, wb = a.split(), b.split()
    secs = run(benchmark, lambda: difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes(), rounds=3)
    record(f"align two {n_words:,}-word articles", "difflib", secs * 1e3, "ms", benchmark=benchmark, higher_is_better=False)
