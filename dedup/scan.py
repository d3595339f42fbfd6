"""`dedup scan`: every article of a folder tree → story clusters, links, unique articles, skipped files."""
from __future__ import annotations

import os
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Callable, Collection, Iterable, Iterator, TypeVar

import numpy as np

from . import boilerplate
from .align import align, counted, summarize
from .arrays import unique_sorted
from .cluster import Cluster, UnionFind, cluster, copy_groups
from .config import Config
from .counts import BITS, CountTable
from .dates import published_instant
from .features import Features, extract, pack
from .lsh import BandTable, pairs_of
from .read import Article, Skipped, Sources, notes
from .reuse import sentence_keys, shared_sentence_pairs
from .sketch import Sketcher
from .spool import Spool, SpoolReader
from .verify import DUPLICATE, NEAR, PARTIAL, Pair, copy_pairs, verify_pairs, weighted_jaccards
from .workers import Workers, cpu_count

T = TypeVar("T")
Progress = Callable[[str, int, int | None], None]  # (stage, done, total or None): "reading" counts bytes of the files, the other stages items
_BATCH = 500  # articles sketched together (fewer when they hold more than _BATCH_CHARS)
_BATCH_CHARS = 16_000_000
_VERIFY_CHUNK = 2000  # candidate pairs sent to a worker at a time
_COPY_CHUNK = 20_000  # near-duplicate candidate pairs compared at a time
_SUMMARY_CHUNK = 200
_PARALLEL_MIN = 5000  # below this many articles, starting worker processes costs more than it saves (2 cores, real
# news from Multi-News, processes started once a scan: 3,000 articles 7.6-8.2 s alone, 8.1-8.4 s with 2 workers;
# 6,000: 11.7-13.3 s, 11.1-11.6 s)
_BUCKET_CAP = 64  # a bucket larger than this is verified as a star and a chain, not all pairs
_TRIES_PER_GROUP_PAIR = 3  # member pairs tried between two groups of copies before they are judged unrelated


@dataclass
class ArticleInfo:
    """What the report says about one article."""

    id: str
    path: str | None
    title: str | None
    published: str | None
    words: int
    truncated: bool
    url: str | None = None
    source: str | None = None


@dataclass
class Unique:
    id: str
    reason: str  # "no match", "in no story, but linked to N articles: see links", "held whole in N articles that are
    # not copies of each other, so in no story: see links" or "too short to compare (N words)"


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
    openings: dict[str, str] = field(default_factory=dict)  # each story's canonical id → its title, else its first words


class _BatchSketcher:
    """Article texts → their packed features, word counts, exact-text hashes and near-duplicate band keys.

    Built once in each worker process; holds the corpus's boilerplate lines and the configuration's permutations.
    """

    def __init__(self, config: Config, lines: CountTable):
        self.config, self.lines, self.sketcher = config, lines, Sketcher(config)

    def __call__(self, texts: list[str]) -> tuple[list[int], list[bytes], list[int], list[int], np.ndarray]:
        """(the positions of the texts sketched: all, packed features, word counts, exact hashes, band keys)."""
        cleaned = [boilerplate.strip(t, self.lines, self.config.boilerplate_min_docs) for t in texts]
        return self._sketched(list(range(len(texts))), cleaned)

    def _sketched(self, kept: list[int], cleaned: list[str]) -> tuple[list[int], list[bytes], list[int], list[int], np.ndarray]:
        feats = [extract(t, self.config.shingle_size) for t in cleaned]
        _, keys = self.sketcher.near(feats)
        return kept, [pack(f) for f in feats], [f.n_words for f in feats], [f.exact for f in feats], keys


class _Resketcher(_BatchSketcher):
    """_BatchSketcher of the texts that the counts per group of copies clean otherwise than the line counts alone
    did; the others left out."""

    def __init__(self, config: Config, lines: CountTable, groups: CountTable):
        super().__init__(config, lines)
        self.groups = groups

    def __call__(self, texts: list[str]) -> tuple[list[int], list[bytes], list[int], list[int], np.ndarray]:
        cleaned = [boilerplate.regrouped(t, self.lines, self.config.boilerplate_min_docs, self.groups) for t in texts]
        kept = [n for n, c in enumerate(cleaned) if c is not None]
        return self._sketched(kept, [cleaned[n] for n in kept])


def _bounded(items: Iterable[T], weight: Callable[[T], int], limit: int) -> Iterator[list[T]]:
    """items in lists of _BATCH, fewer when their weights add up to limit: what a worker gets (or holds) at a time."""
    batch: list[T] = []
    held = 0
    for item in items:
        batch.append(item)
        held += weight(item)
        if len(batch) >= _BATCH or held >= limit:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _line_hasher() -> Callable[[list[str]], list[tuple[np.ndarray, bool]]]:
    """What a worker does with texts while the scan reads: what each adds to the boilerplate line counts, and
    whether it is hard-wrapped."""
    return lambda texts: [boilerplate.lines_and_wrapping(t) for t in texts]


def _warm_up() -> None:
    """What a worker process does first, while the scan still reads: load the compiled code sketching runs, and
    the sentence keying the main process runs next (compiled here the first time, for numba's cache: ~10 s)."""
    text = "A few words of warm-up text, sketched once so that the compiled code is loaded; its sentence is keyed too."
    _BatchSketcher(Config(), CountTable())([text])
    sentence_keys(extract(text, Config().shingle_size))


class _CopyChecker:
    """Candidate pairs of article numbers → (shingle Jaccard, containment) of each pair of copies, else None
    (verify.copy_pairs). Built once in each worker."""

    def __init__(self, reader: SpoolReader, config: Config):
        self.reader, self.config = reader, config

    def __call__(self, pairs: list[list[int]]) -> list[tuple[float, float] | None]:
        _, features, local = _local(pairs, self.reader.features)
        return copy_pairs(features, local, self.config)


class _TermSketcher:
    """Article numbers → their content-term band keys (IDF from the corpus's term counts), and their sentence keys
    (reuse.py) with how many each has. Built once in each worker."""

    def __init__(self, reader: SpoolReader, config: Config, terms: CountTable):
        self.reader, self.sketcher, self.terms = reader, Sketcher(config), terms

    def __call__(self, rows: list[int]) -> tuple[np.ndarray, np.ndarray, list[int]]:
        feats = [self.reader.features(i) for i in rows]
        _, keys = self.sketcher.terms(feats, self.terms)
        said = [sentence_keys(f) for f in feats]
        return keys, np.concatenate([np.empty(0, dtype=np.uint64), *said]), [len(k) for k in said]


class _PairVerifier:
    """Candidate pairs of article numbers → the verified Pair, or None, of each. Built once in each worker."""

    def __init__(self, reader: SpoolReader, ids: list[str], terms: CountTable, config: Config):
        self.reader, self.ids, self.terms, self.config = reader, ids, terms, config

    def __call__(self, pairs: list[list[int]]) -> list[Pair | None]:
        articles, features, local = _local(pairs, self.reader.features)
        return verify_pairs([self.ids[i] for i in articles], features, local, self.terms, self.config)


def _local(pairs: list[list[int]] | np.ndarray, features: Callable[[int], Features]) -> tuple[list[int], list[Features], np.ndarray]:
    """The distinct articles of some pairs, their features, and the pairs as positions in that list: each
    article's features are fetched once however many of the pairs it is in."""
    articles, local = np.unique(np.asarray(pairs, dtype=np.int64), return_inverse=True)
    articles = articles.tolist()
    return articles, [features(i) for i in articles], local.reshape(-1, 2)


class _Summarizer:
    """Pairs of article numbers → one line each on what differs, from the quick alignment (`dedup align` gives
    the full one, with word diffs)."""

    def __init__(self, reader: SpoolReader):
        self.reader = reader

    def __call__(self, pairs: list[list[int]]) -> list[str]:
        text = self.reader.text
        return [summarize(align(text(i), text(j), detail=False)) for i, j in pairs]


_OPENING_WORDS = 12
_OPENING_CHARS = 200  # and at most this long: a script without spaces has few "words" (a Chinese article: one a line)


def _opening(title: str | None, text: str, lines: CountTable, groups: CountTable, config: Config) -> str:
    """What names a story in the table: the first words of its canonical article's title, else of its text without
    the boilerplate (or as read, when that is all it has)."""
    words = (title or "").split() or boilerplate.strip(text, lines, config.boilerplate_min_docs, groups=groups).split() or text.split()
    opening = " ".join(words[:_OPENING_WORDS])
    if len(opening) > _OPENING_CHARS:
        cut = opening[:_OPENING_CHARS]
        return (cut[: cut.rindex(" ")] if " " in cut[_OPENING_CHARS // 2 :] else cut) + " …"
    return opening + (" …" if len(words) > _OPENING_WORDS else "")


def _group_pair(gi, gj, n: int):
    """One number for each unordered pair of copy groups (arrays or single groups, of n articles)."""
    return np.minimum(gi, gj) * n + np.maximum(gi, gj)


def _in_chunks(pool: Workers, make: Callable, args: tuple, work: np.ndarray, size: int) -> Iterator[tuple[int, list]]:
    """(start of a chunk of work, its results) in order; in this process when the work is too small to pay for
    handing it to the workers. Rows become Python lists a chunk at a time (a list of millions of pairs would not fit)."""
    chunks = ((k, work[k : k + size].tolist()) for k in range(0, len(work), size))
    return pool.map(make, args, chunks, parallel=len(work) >= 4 * size)


def scan(
    sources: str | bytes | os.PathLike | Iterable[str | bytes | os.PathLike], config: Config | None = None, progress: Progress | None = None, workers: int | None = None
) -> ScanResult:
    """Scan folders/files of articles and group them into stories.

    `sources`: folders and files (one path alone is taken as one source, not as a sequence of letters).
    `workers`: processes that sketch articles (default: every core when there are 5,000 articles or more).
    The result does not depend on it.
    """
    with ExitStack() as cleanup:  # (the worker processes stop however the scan ends)
        config = config or Config()
        return _scan(Sources(sources, config.max_article_chars), config, progress, workers, cleanup)


@dataclass
class _Copies:
    """What the copy stage finds: exact copies (article → the first of its text), the articles compared through
    LSH, their near-duplicate candidate codes, the verified copy pairs (i, j, Jaccard, containment), the graph
    copy_groups takes, and the groups."""

    duplicate_of: dict[int, int]
    compared: list[int]
    near_codes: np.ndarray
    edges: list[tuple[int, int, float, float]]
    graph: list[tuple[int, int, int | None]]
    groups: UnionFind


def _find_copies(exact: list[int], near_keys: list[np.ndarray], words: list[int], config: Config, reader: SpoolReader,
                 pool: Workers, contained: Callable[[int, int, float], int | None], before: _Copies | None = None,
                 changed: Collection[int] = ()) -> _Copies:
    """Exact copies grouped directly (never through LSH buckets); the other articles long enough to compare go
    through the near-duplicate band table, and its candidate pairs are verified as copies (on the workers). Given
    what an earlier call found (`before`) and the articles sketched again since (`changed`), a pair of two others
    keeps its earlier verdict."""
    first: dict[int, int] = {}
    duplicate_of: dict[int, int] = {}
    compared: list[int] = []
    for i, h in enumerate(exact):
        if h and first.setdefault(h, i) != i:  # (a hash of 0: nothing left to compare, only links: no copy)
            duplicate_of[i] = first[h]
        elif words[i] >= config.min_words:
            compared.append(i)
    near_table = BandTable()
    if compared:
        near_table.bulk_load(np.array(compared), np.stack([near_keys[i] for i in compared]))
    near_codes = near_table.pair_codes(_BUCKET_CAP)
    candidates = pairs_of(near_codes)
    edges: list[tuple[int, int, float, float]] = []
    if before is not None:
        again = np.zeros(len(words), dtype=bool)
        again[list(changed)] = True
        edges = [e for e in before.edges if not (again[e[0]] or again[e[1]])]
        candidates = candidates[again[candidates[:, 0]] | again[candidates[:, 1]]]
    for start, found in _in_chunks(pool, _CopyChecker, (reader, config), candidates, _COPY_CHUNK):
        for (i, j), scores in zip(candidates[start : start + len(found)].tolist(), found):
            if scores is not None:
                edges.append((i, j, *scores))
    graph = [(i, j, None) for i, j in duplicate_of.items()] + [(i, j, contained(i, j, jac)) for i, j, jac, _ in edges]
    return _Copies(duplicate_of, compared, near_codes, edges, graph, copy_groups(graph))


def _line_slots(article_lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every article's line hashes as one array of count-table slots, and the article of each."""
    slot = np.concatenate([np.empty(0, dtype=np.uint64), *article_lines]) & np.uint64(CountTable.mask)
    return slot, np.repeat(np.arange(len(article_lines)), [len(h) for h in article_lines])


def _grouped_lines(slot: np.ndarray, page: np.ndarray, group: np.ndarray, documents: int) -> CountTable:
    """Line counts with each group of copies counted once: how many groups hold a line of each slot (_line_slots)."""
    held = unique_sorted(slot | (group[page].astype(np.uint64) << np.uint64(32))) & np.uint64(CountTable.mask)
    return CountTable(np.bincount(held.astype(np.int64), minlength=1 << BITS).astype(np.uint32), documents)


_SITE_PAGES = 20  # a site of fewer pages cannot tell its chrome from a statement its stories all quote


def _site_chrome(slot: np.ndarray, page: np.ndarray, group: np.ndarray, site: np.ndarray, lines: CountTable, grouped: CountTable,
                 min_docs: int) -> np.ndarray:
    """The line slots of a site's chrome: lines on four in five of a site's pages (its source, of _SITE_PAGES or
    more), across min_docs groups of copies or more, and (nine in ten of their pages) on no other site's. A cookie
    notice or a copyright paragraph of 20 words is as long as the article's own paragraphs, and on a site of few
    pages as common as a wire story's: it was each page's measure, kept itself and the site's short chrome too,
    and made its stories rewrites of each other. A passage the stories of an event quote is on other sites' pages
    too; a folder is no site (one event's coverage may fill one). slot, page: _line_slots."""
    mask = np.uint64(CountTable.mask)
    sizes = np.bincount(site, minlength=1)
    sizes[0] = 0  # (pages of no given source are of no site: a folder may be one event's)
    wanted = (grouped.counts[slot.astype(np.int64)] >= min_docs) & (sizes[site[page]] >= _SITE_PAGES)
    key, page = (site[page[wanted]].astype(np.uint64) << np.uint64(BITS)) | slot[wanted], page[wanted]  # (site, slot)
    held, on_pages = _distinct_per_key(key, page), _distinct_per_key(key, group[page])
    keys, pages = np.unique(held, return_counts=True)
    groups = np.unique(on_pages, return_counts=True)[1]
    slots = keys & mask
    chrome = (5 * pages >= 4 * sizes[(keys >> np.uint64(BITS)).astype(np.int64)]) & (groups >= min_docs)
    return slots[chrome & (10 * pages >= 9 * lines.counts[slots.astype(np.int64)])]


def _distinct_per_key(key: np.ndarray, of: np.ndarray) -> np.ndarray:
    """key once for each distinct value of `of` it comes with (sorted by key)."""
    order = np.lexsort((of, key))
    key, of = key[order], of[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = (key[1:] != key[:-1]) | (of[1:] != of[:-1])
    return key[first]


def _scan(items: Sources, config: Config, progress: Progress | None, workers: int | None, cleanup: ExitStack) -> ScanResult:
    """scan's work; the worker processes, started once for every stage, go on the cleanup stack."""
    report = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    size = None
    if progress:  # (a walk of the folders first, only for a progress bar: it shows "reading" meanwhile)
        report("reading", 0, None)
        size = items.total_bytes() or None

    # Pass 1: learn the corpus's boilerplate lines; account for every file; park the texts. Worker processes
    # start as soon as they are known to be wanted, so that their start-up overlaps the reading; from then on they
    # hash the lines (the counting is the same in any order).
    pool = cleanup.enter_context(Workers(cpu_count() if workers is None else workers))
    if workers is not None:
        pool.start(_warm_up)
    lines = CountTable()
    skipped: list[Skipped] = []
    infos: dict[str, ArticleInfo] = {}
    warnings: list[str] = []
    spool = Spool()
    ids: list[str] = []
    instants: dict[str, float | None] = {}  # publication times, for the canonical article (earliest)

    def take(item: Article | Skipped) -> str | None:
        """Account for one input and park its text; the text, or None when the input is skipped."""
        if isinstance(item, Skipped):
            if item.covered:  # (a source another one reads: its files are accounted for where they are read)
                warnings.append(item.said())
            else:
                skipped.append(item)
            return None
        spool.add_text(item.text)
        ids.append(item.id)
        infos[item.id] = ArticleInfo(item.id, item.path, item.title, item.published, 0, item.truncated, item.url, item.source)
        warnings.extend(notes(item, config.max_article_chars))
        if item.published is not None:
            instants[item.id] = published_instant(item.published)
        if progress:
            report("reading", items.read_bytes(), size)
        if workers is None and len(infos) == _PARALLEL_MIN:
            pool.start(_warm_up)
        return item.text

    article_lines: list[np.ndarray] = []  # each article's line hashes, counted again once its copies are known
    wrapped: list[int] = []  # the hard-wrapped articles, cleaned again then (their footer: boilerplate._footer)
    for item in items:  # here until the workers start (at once when a number of them was given)
        text = take(item)
        if text is not None:
            hashes, hard = boilerplate.lines_and_wrapping(text)
            wrapped += [len(article_lines)] * hard
            article_lines.append(hashes)
            lines.add(hashes)
        if pool.started:
            break

    rest = ((None, texts) for texts in _bounded((text for text in map(take, items) if text is not None), len, _BATCH_CHARS))  # (those left, if any)
    for _, found in pool.map(_line_hasher, (), rest, parallel=pool.started):  # hashed on the workers, counted here
        for hashes, hard in found:
            wrapped += [len(article_lines)] * hard
            article_lines.append(hashes)
            lines.add(hashes)
    report("reading", items.read_bytes(), size)  # (a file's bytes count once it is read whole: the last one's now)
    timings["read + learn boilerplate"] = time.perf_counter() - started
    if not ids and not skipped:
        warnings.append(f"no files found in {', '.join(map(str, items.sources))}")

    # Pass 2: strip boilerplate, extract features, word-shingle signatures (on every core); park features on disk.
    t0 = time.perf_counter()
    terms = CountTable()
    term_table = BandTable()
    exact = [0] * len(ids)  # each article's exact-text hash (0: nothing left to compare)
    near_keys: list[np.ndarray] = [np.empty(0, dtype=np.uint64)] * len(ids)  # and its near-duplicate band keys
    parked = spool.reader()

    def sketch(rows: Iterable[int], make: Callable, args: tuple) -> Iterator[tuple[list[int], list[int]]]:
        """Sketch these articles on the workers (make: _BatchSketcher, or _Resketcher, which leaves out those it
        cleans as before) and park what is new; each batch's rows, and those parked."""
        chunks = _bounded(((i, parked.text(i)) for i in rows), lambda item: len(item[1]), _BATCH_CHARS)
        for batch, (kept, packed, n_words, hashes, keys) in pool.map(make, args, (([i for i, _ in c], [t for _, t in c]) for c in chunks)):
            rows = [batch[n] for n in kept]
            for k, i in enumerate(rows):
                spool.put_features(i, packed[k])
                infos[ids[i]].words, exact[i], near_keys[i] = n_words[k], hashes[k], keys[k]
            yield batch, rows

    if workers is None and len(infos) < _PARALLEL_MIN:
        pool.workers = 1  # (too few articles to pay for starting processes: none were started)
    for batch, _ in sketch(range(len(ids)), _BatchSketcher, (config, lines)):
        report("sketching", batch[-1] + 1, len(infos))
    timings["normalise + shingle + MinHash + LSH"] = time.perf_counter() - t0

    # Groups of copies first, so that a story reprinted by hundreds of sites counts once in the term
    # frequencies: its own words must not look common, or its rewrites would lose them from their signature.
    t0 = time.perf_counter()
    shingles: dict[int, int] = {}  # an article's distinct shingles, read from the spool once

    def contained(i: int, j: int, jaccard: float) -> int | None:
        """copy_groups' third field: None for a pair near by Jaccard, else the one held in the other (the shorter)."""
        if jaccard >= config.near_jaccard:
            return None
        for k in (i, j):
            if k not in shingles:
                shingles[k] = len(feats(k).shingles)
        return i if shingles[i] <= shingles[j] else j

    def find_copies(before: _Copies | None = None, changed: Collection[int] = ()) -> tuple[_Copies, np.ndarray]:
        """The groups of copies of the articles as sketched, and each article's group (before, changed: see _find_copies)."""
        found = _find_copies(exact, near_keys, [infos[i].words for i in ids], config, reader, pool, contained, before, changed)
        return found, np.array([found.groups.find(i) for i in range(len(ids))], dtype=np.int64)

    reader = spool.reader()
    feats = reader.features
    copies, group = find_copies()
    # Boilerplate again, each line counted once per group of copies: an outlet's chrome recurs across stories, a
    # syndicated story's lines within its group. Counted per page, the chrome an outlet has on fewer pages than
    # twice the copies of its stories stayed, and could join them. Articles cleaned otherwise are sketched again.
    slot, page = _line_slots(article_lines)
    del article_lines
    grouped = _grouped_lines(slot, page, group, lines.documents)
    sites: dict[str | None, int] = {None: 0}  # (a page's site: its source, og:site_name or a record's; site 0: none given)
    site = np.array([sites.setdefault(infos[i].source, len(sites)) for i in ids], dtype=np.int64)
    grouped.counts[_site_chrome(slot, page, group, site, lines, grouped, config.boilerplate_min_docs).astype(np.int64)] = boilerplate.SITE_CHROME
    touched = np.union1d(page[(grouped.counts != lines.counts)[slot.astype(np.int64)]], np.array(wrapped, dtype=np.int64)).tolist()  # (sorted, once each)
    del slot, page, wrapped
    changed: list[int] = []
    done = 0
    for batch, rows in sketch(touched, _Resketcher, (config, lines, grouped)):
        changed += rows
        done += len(batch)
        report("cleaning again", done, len(touched))
    if changed:
        shingles.clear()
        reader.close()
        reader = spool.reader()
        feats = reader.features
        copies, group = find_copies(copies, changed)
    parked.close()
    duplicate_of, compared, near_codes, copy_edges, copy_graph = copies.duplicate_of, copies.compared, copies.near_codes, copies.edges, copies.graph
    for i in np.flatnonzero(group == np.arange(len(ids))).tolist():
        terms.add(feats(i).term_set)
    sentences: list[np.ndarray] = []  # the compared articles' sentence keys, a chunk at a time (reuse.py)
    chunks = _bounded(compared, lambda i: infos[ids[i]].words, _BATCH_CHARS // 8)  # (bounded by the words held)
    for rows, (keys, said, counts) in pool.map(_TermSketcher, (reader, config, terms), ((np.array(c), c) for c in chunks),
                                               parallel=len(compared) >= 4 * _BATCH):
        term_table.bulk_load(rows, keys)
        sentences += [said, np.repeat(rows, counts)]
    sentence_key = np.concatenate([np.empty(0, dtype=np.uint64), *sentences[0::2]])
    key_row = np.concatenate([np.empty(0, dtype=np.int64), *sentences[1::2]])
    del sentences
    reused = shared_sentence_pairs(sentence_key, key_row, group, config.partial_passages, _BUCKET_CAP)
    del sentence_key, key_row
    candidates = pairs_of(unique_sorted(np.concatenate((near_codes, term_table.pair_codes(_BUCKET_CAP), reused))))
    timings["copies + rewrite LSH + candidate pairs"] = time.perf_counter() - t0

    # Copies are already verified; between two groups of copies, one verified pair stands for the group pair
    # (a story reprinted 500 times and its rewrite would otherwise cost 500 verifications saying the same).
    t0 = time.perf_counter()
    pairs: list[Pair] = [Pair(ids[j], ids[i], DUPLICATE, 1.0, 1.0, 1.0, 0) for i, j in duplicate_of.items()]
    for start in range(0, len(copy_edges), _COPY_CHUNK):
        edges = copy_edges[start : start + _COPY_CHUNK]
        _, features, local = _local([[i, j] for i, j, _, _ in edges], feats)
        rewrites = weighted_jaccards(features, local, terms)
        pairs.extend(Pair(ids[i], ids[j], NEAR, jac, con, rw, 0) for (i, j, jac, con), rw in zip(edges, rewrites.tolist()))
    # Group pairs with a verified story link (near-duplicate or rewrite) need no other verified pair. The first are
    # those of the near-duplicate pairs that copy_groups kept apart (a page of chrome alone), reported as links.
    linked = {int(_group_pair(group[i], group[j], len(ids))) for i, j, _, _ in copy_edges if group[i] != group[j]}
    # Up to _TRIES_PER_GROUP_PAIR member pairs per pair of groups, in rounds: a round tries the next candidate
    # of every group pair that has no story link yet (the same pairs, in the same order, as one by one).
    gi, gj = group[candidates[:, 0]], group[candidates[:, 1]]
    between = gi != gj
    candidates = candidates[between]
    key = _group_pair(gi, gj, len(ids))[between]
    by_key = np.argsort(key, kind="stable")
    rank = np.empty(len(key), dtype=np.int64)  # 0 for a group pair's first candidate, 1 for its second, …
    rank[by_key] = np.arange(len(key)) - np.searchsorted(key[by_key], key[by_key])
    found: dict[int, Pair] = {}
    partial: set[int] = set()  # group pairs with a partial link already reported
    done = 0
    for r in range(_TRIES_PER_GROUP_PAIR):
        todo = np.flatnonzero(rank == r)
        if linked:
            todo = todo[~np.isin(key[todo], np.fromiter(linked, dtype=np.int64, count=len(linked)))]
        planned = done + len(todo)  # (a later round tries the group pairs this one left without a link: known when it starts)
        for start, results in _in_chunks(pool, _PairVerifier, (reader, ids, terms, config), candidates[todo], _VERIFY_CHUNK):
            for k, p in zip(todo[start : start + len(results)].tolist(), results):
                if p is None or (p.relation == PARTIAL and key[k] in partial):
                    continue
                (partial if p.relation == PARTIAL else linked).add(int(key[k]))
                found[k] = p
            done += len(results)
            report("verifying", done, planned)
    pairs += [found[k] for k in sorted(found)]
    timings["verification"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    order = {i: n for n, i in enumerate(ids)}
    # The copy pairs verification found between groups join them as the others do; a copy pair kept apart by
    # copy_groups adds nothing to the average linkage, which takes the other pairs' rewrite scores.
    copy_graph += [(order[p.a], order[p.b], contained(order[p.a], order[p.b], p.jaccard)) for p in found.values() if p.relation in (DUPLICATE, NEAR)]
    stories = copy_groups((ids[i], ids[j], None if h is None else ids[h]) for i, j, h in copy_graph)
    similarity = {(p.a, p.b): p.rewrite_score for p in pairs if p.relation not in (DUPLICATE, NEAR)}
    never = float("inf")
    canonical_key = lambda a: (instants.get(a) or never, -infos[a].words, order[a])  # noqa: E731
    clusters, links = cluster(pairs, stories, similarity, config.rewrite_score, canonical_key)
    in_cluster = {m for c in clusters for m in c.members}
    linked = Counter(x for p in links for x in (p.a, p.b))
    held = Counter(ids[inner] for p in links if p.relation == NEAR and (inner := contained(order[p.a], order[p.b], p.jaccard)) is not None)

    def why(i: str) -> str:
        if infos[i].words < config.min_words:
            return f"too short to compare ({counted(infos[i].words, 'word')})"
        if held[i]:  # (kept apart by copy_groups)
            return f"held whole in {counted(held[i], 'article')} that are not copies of each other, so in no story: see links"
        return f"in no story, but linked to {counted(linked[i], 'article')}: see links" if linked[i] else "no match"

    unique = [Unique(i, why(i)) for i in ids if i not in in_cluster]
    timings["clustering"] = time.perf_counter() - t0

    # One line on what differs, for each member against its story's canonical article and for each link.
    t0 = time.perf_counter()
    summaries: dict[tuple[str, str], str] = {}
    wanted = [p for c in clusters for p in c.pairs if c.canonical in (p.a, p.b)] + links
    for p in wanted:
        if p.relation == DUPLICATE:
            summaries[(p.a, p.b)] = "identical after normalisation"
    to_align = [p for p in wanted if p.relation != DUPLICATE]
    work = np.array([[order[p.a], order[p.b]] for p in to_align], dtype=np.int64).reshape(-1, 2)
    for start, results in _in_chunks(pool, _Summarizer, (reader,), work, _SUMMARY_CHUNK):
        for p, line in zip(to_align[start : start + len(results)], results):
            summaries[(p.a, p.b)] = line
        report("aligning", start + len(results), len(to_align))
    timings["alignment summaries"] = time.perf_counter() - t0
    openings = {c.canonical: _opening(infos[c.canonical].title, reader.text(order[c.canonical]), lines, grouped, config) for c in clusters}
    reader.close()
    spool.close()
    timings["total"] = time.perf_counter() - started
    return ScanResult(clusters, links, unique, skipped, infos, warnings=warnings, summaries=summaries, timings=timings, openings=openings)
