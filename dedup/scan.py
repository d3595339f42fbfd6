"""`dedup scan`: every article of a folder tree → story clusters, links, unique articles, skipped files."""
from __future__ import annotations

import os
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from . import boilerplate
from .align import align, summarize
from .cluster import Cluster, UnionFind, cluster
from .config import Config
from .counts import CountTable
from .features import Features, extract, pack, unpack
from .lsh import BandTable
from .read import Article, Skipped, read_sources
from .sketch import Sketcher
from .verify import DUPLICATE, Pair, is_copy, verify

Progress = Callable[[str, int, int | None], None]  # (stage, done, total or None)
_BATCH = 1000
_BUCKET_CAP = 64  # a bucket larger than this is verified as a star and a chain, not all pairs


@dataclass
class ArticleInfo:
    """What the report says about one article."""

    id: str
    path: str | None
    title: str | None
    published: str | None
    words: int
    truncated: bool


@dataclass
class Unique:
    id: str
    reason: str  # "no match" or "too short to compare (N words)"


@dataclass
class ScanResult:
    """Everything a scan found; every input file is in exactly one of clusters, unique or skipped."""

    clusters: list[Cluster]
    links: list[Pair]
    unique: list[Unique]
    skipped: list[Skipped]
    articles: dict[str, ArticleInfo]
    warnings: list[str] = field(default_factory=list)
    summaries: dict[tuple[str, str], str] = field(default_factory=dict)  # (a, b) → what differs, vs the canonical and for links
    timings: dict[str, float] = field(default_factory=dict)


class _Spool:
    """Article texts and features parked in a temporary file, so memory stays bounded at any corpus size."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._offsets: list[tuple[int, int, int]] = []  # (offset, text length, features length)

    def append(self, text: str, features: Features) -> None:
        t = zlib.compress(text.encode("utf-8", "surrogatepass"), 1)
        f = pack(features)
        self._offsets.append((self._file.seek(0, os.SEEK_END), len(t), len(f)))
        self._file.write(t)
        self._file.write(f)

    def features(self, i: int) -> Features:
        off, tl, fl = self._offsets[i]
        self._file.seek(off + tl)
        return unpack(self._file.read(fl))

    def text(self, i: int) -> str:
        off, tl, _ = self._offsets[i]
        self._file.seek(off)
        return zlib.decompress(self._file.read(tl)).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        self._file.close()


def scan(sources: Iterable[str | os.PathLike], config: Config | None = None, progress: Progress | None = None) -> ScanResult:
    """Scan folders/files of articles and group them into stories."""
    config = config or Config()
    sources = [Path(s) for s in sources]
    report = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    # Pass 1: learn the corpus's boilerplate lines; account for every file.
    lines = CountTable()
    skipped: list[Skipped] = []
    infos: dict[str, ArticleInfo] = {}
    warnings: list[str] = []
    for item in read_sources(sources, config.max_article_chars):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        boilerplate.learn(lines, item.text)
        infos[item.id] = ArticleInfo(item.id, item.path, item.title, item.published, 0, item.truncated)
        if item.truncated:
            warnings.append(f"{item.path or item.id}: longer than {config.max_article_chars:,} characters, truncated")
        report("reading", len(infos), None)
    timings["read + learn boilerplate"] = time.perf_counter() - started

    # Pass 2: strip boilerplate, extract features, word-shingle signatures; park features on disk.
    t0 = time.perf_counter()
    sketcher = Sketcher(config)
    terms = CountTable()
    spool = _Spool()
    ids: list[str] = []
    exact: dict[int, int] = {}  # exact-text hash → first article index
    duplicate_of: dict[int, int] = {}
    compared: list[int] = []  # articles that go through LSH: one per exact-text group, long enough to compare
    near_table, term_table = BandTable(), BandTable()
    batch: list[Article] = []

    def flush() -> None:
        feats = [extract(boilerplate.strip(a.text, lines, config.boilerplate_min_docs), config.shingle_size) for a in batch]
        fresh: list[tuple[int, Features]] = []
        for a, f in zip(batch, feats):
            i = len(ids)
            ids.append(a.id)
            spool.append(a.text, f)
            infos[a.id].words = f.n_words
            first = exact.setdefault(f.exact, i)
            if first != i:
                duplicate_of[i] = first  # exact copies are grouped directly, never through LSH buckets
            elif f.n_words >= config.min_words:
                fresh.append((i, f))
        if fresh:
            compared.extend(i for i, _ in fresh)
            _, keys = sketcher.near([f for _, f in fresh])
            near_table.bulk_load(np.array([i for i, _ in fresh]), keys)
        report("sketching", len(ids), len(infos))
        batch.clear()

    for item in read_sources(sources, config.max_article_chars):
        if isinstance(item, Article) and item.id in infos:
            batch.append(item)
            if len(batch) >= _BATCH:
                flush()
    if batch:
        flush()
    timings["normalise + shingle + MinHash + LSH"] = time.perf_counter() - t0

    cache: dict[int, Features] = {}

    def feats(i: int) -> Features:
        f = cache.get(i)
        if f is None:
            if len(cache) > 20_000:
                cache.clear()
            f = cache[i] = spool.features(i)
        return f

    # Groups of copies first, so that a story reprinted by hundreds of sites counts once in the term
    # frequencies: its own words must not look common, or its rewrites would lose them from their signature.
    t0 = time.perf_counter()
    near_candidates = near_table.pairs(_BUCKET_CAP)
    copies = UnionFind()
    for i, j in duplicate_of.items():
        copies.union(i, j)
    for i, j in near_candidates.tolist():
        if is_copy(feats(i), feats(j), config):
            copies.union(i, j)
    for i in range(len(ids)):
        if copies.find(i) == i:
            terms.add(feats(i).terms)
    for start in range(0, len(compared), _BATCH):
        chunk = compared[start : start + _BATCH]
        _, keys = sketcher.terms([feats(i) for i in chunk], terms)
        term_table.bulk_load(np.array(chunk), keys)
    candidates = np.unique(np.concatenate([near_candidates, term_table.pairs(_BUCKET_CAP)]), axis=0)
    timings["copies + rewrite LSH + candidate pairs"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs: list[Pair] = [Pair(ids[j], ids[i], DUPLICATE, 1.0, 1.0, 1.0, 0) for i, j in duplicate_of.items()]
    similarity: dict[tuple[str, str], float] = {}
    for n, (i, j) in enumerate(candidates.tolist()):
        p = verify(ids[i], feats(i), ids[j], feats(j), terms, config)
        if p is not None:
            pairs.append(p)
            similarity[(p.a, p.b)] = p.rewrite
        if n % 5000 == 0:
            report("verifying", n, len(candidates))
    report("verifying", len(candidates), len(candidates))
    timings["verification"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    order = {i: n for n, i in enumerate(ids)}
    canonical_key = lambda a: (infos[a].published or "~", -infos[a].words, order[a])  # noqa: E731
    clusters, links = cluster(pairs, similarity, config.rewrite_score, canonical_key)
    in_cluster = {m for c in clusters for m in c.members}
    unique = [
        Unique(i, "no match" if infos[i].words >= config.min_words else f"too short to compare ({infos[i].words} words)")
        for i in ids
        if i not in in_cluster
    ]
    timings["clustering"] = time.perf_counter() - t0

    # One line on what differs, for each member against its story's canonical article and for each link.
    t0 = time.perf_counter()
    summaries: dict[tuple[str, str], str] = {}
    wanted = [p for c in clusters for p in c.pairs if c.canonical in (p.a, p.b)] + links
    for n, p in enumerate(wanted):
        if p.relation == DUPLICATE:
            summaries[(p.a, p.b)] = "identical after normalisation"
        else:  # word overlap, not the paraphrase judge: `dedup align` gives the full passage alignment
            summaries[(p.a, p.b)] = summarize(align(spool.text(order[p.a]), spool.text(order[p.b]), detail=False))
        if n % 500 == 0:
            report("aligning", n, len(wanted))
    timings["alignment summaries"] = time.perf_counter() - t0
    spool.close()
    timings["total"] = time.perf_counter() - started
    return ScanResult(clusters, links, unique, skipped, infos, warnings=warnings, summaries=summaries, timings=timings)
