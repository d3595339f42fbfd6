"""Speed corpus for the benchmarks: seeded, news-length articles with a share of near-duplicates.

``texts(n)`` is what every benchmark reads. It uses ``benchmarks.synth.generate`` (real sentences from
``shared/eval`` assembled into stories with duplicates, near-duplicates, rewrites; ~400-600 words) when
that module is present, and otherwise a simpler built-in generator from the BBC News sentences
(same shape: 12-30 sentences per article, ~20 % near-duplicates with 1-10 % word edits).

Sizes come from the environment so CI stays fast and big runs need no code change:

``DEDUP_BENCH_N``            articles in the text corpus (default 2,000)
``DEDUP_BENCH_INDEX_SIZES``  comma-separated index sizes for benchmarks/test_bench_index.py
                             (default "10000,100000"; add 1000000 for the 1M figures)
``DEDUP_BENCH_SCAN_N``       articles in the scan corpus (default: min(DEDUP_BENCH_N, 200): alignment summaries dominate)

``news(n)`` is real news instead: the first n of Multi-News' 15,505 truncated source articles (5,622 events,
several outlets each; ``shared/eval/multinews``), default 20 × DEDUP_BENCH_N, so all of them at the default.
"""
from __future__ import annotations

import json
import os
import random
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEFAULT_N = 2_000
SEED = 20240607


def bench_n() -> int:
    return int(os.environ.get("DEDUP_BENCH_N", DEFAULT_N))


def scan_n() -> int:
    return int(os.environ.get("DEDUP_BENCH_SCAN_N", min(bench_n(), 200)))


def news(n: int | None = None) -> list[tuple[str, str]] | None:
    """(id, text) of real news articles (see above), or None when the labelled data is not there."""
    path = SHARED / "eval" / "multinews" / "multinews_test_truncated_docs.jsonl"
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    articles = [(str(r["id"]), r["text"]) for r in records if r["text"].strip()]  # (empty ones: no article, as a scan skips them)
    return articles[: 20 * bench_n() if n is None else n]


def index_sizes() -> list[int]:
    raw = os.environ.get("DEDUP_BENCH_INDEX_SIZES", "10000,100000")
    return [int(x) for x in raw.replace("_", "").split(",") if x.strip()]


@lru_cache(maxsize=4)
def texts(n: int | None = None, seed: int = SEED) -> tuple[str, ...]:
    """n article texts (a tuple, so the cache cannot be mutated by a benchmark)."""
    n = bench_n() if n is None else n
    try:
        from benchmarks.synth import generate
    except ImportError:
        return tuple(_fallback(n, seed))
    return tuple(a.text for a in generate(n, seed=seed))


def source() -> str:
    try:
        import benchmarks.synth  # noqa: F401
    except ImportError:
        return "built-in BBC sentence generator"
    return "benchmarks.synth.generate"


def word_count(docs) -> float:
    return sum(len(t.split()) for t in docs) / max(1, len(docs))


# -- writers for the scan benchmark ---------------------------------------------------------------


def write_folder(docs, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, t in enumerate(docs):
        (folder / f"{i:07d}.txt").write_text(t, encoding="utf-8")
    return folder


def write_jsonl(docs, path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i, t in enumerate(docs):
            fh.write(json.dumps({"id": f"a{i:07d}", "text": t}, ensure_ascii=False) + "\n")
    return path


# -- synthetic signatures for large indexes (text would be the bottleneck at 1M) -----------------


def random_signatures(n: int, num_perm: int, seed: int) -> np.ndarray:
    """(n, num_perm) uint32 MinHash-like signatures of n unrelated articles."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 1 << 32, size=(n, num_perm), dtype=np.uint32)


# -- fallback generator (used only when benchmarks/synth.py is absent) ----------------------------

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def _sentences() -> list[str]:
    path = SHARED / "eval" / "bbc_news" / "bbc_news.jsonl"
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            for par in json.loads(line)["text"].split("\n"):
                out.extend(s.strip() for s in _SENT.split(par) if 6 <= len(s.split()) <= 60)
    return out


def _fallback(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    pool = _sentences()
    docs: list[str] = []
    while len(docs) < n:
        if docs and rnd.random() < 0.2:
            words = rnd.choice(docs).split()
            for _ in range(max(1, int(len(words) * rnd.uniform(0.01, 0.10)))):
                words[rnd.randrange(len(words))] = rnd.choice(words)
            docs.append(" ".join(words))
            continue
        start = rnd.randrange(len(pool) - 40)
        sents, size = [], 0
        for s in pool[start:]:
            sents.append(s)
            size += len(s.split())
            if size >= rnd.randint(400, 600):
                break
        docs.append("\n\n".join(" ".join(sents[i : i + 3]) for i in range(0, len(sents), 3)))
    return docs
