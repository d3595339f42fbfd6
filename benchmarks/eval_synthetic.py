"""LSH candidate recall against brute force, verified-pair precision and cluster quality on a synthetic corpus.

    python -m benchmarks.eval_synthetic [N] [--seed S] [--summaries] [--json PATH]

1. ``benchmarks.synth`` generates N articles with known stories; they are written as ``.txt`` files to a
   temporary folder and the real :func:`dedup.scan` runs on it with the default :class:`dedup.Config`.
2. While that scan runs, the benchmark keeps what it computes (nothing in the engine changes): every
   article's features as they go to the spool, the term statistics verification uses, and the two LSH band
   tables; candidates are the tables' own ``BandTable.pairs`` with scan's bucket cap, exact-duplicate groups
   collapsed first as scan does; the distinctive term sets come from ``Sketcher.distinctive``. Recording
   rather than replaying keeps the figures true to whatever the engine currently does. Independently of
   LSH, exact similarities of *all* pairs are computed on those features with sparse matrix products in
   row blocks:

   * near: word-shingle Jaccard ≥ ``near_jaccard`` or containment ≥ ``near_containment`` (what ``verify``
     calls a near-duplicate); *recall* = share of those pairs proposed as candidates (a pair inside one
     exact-duplicate group counts as found: scan groups those directly);
   * rewrite: pairs whose exact verification outcome is "rewrite" (not near, IDF-weighted content-term
     Jaccard ≥ ``rewrite_score`` with ≥ ``rewrite_min_shared`` shared terms); and, for the term table on its
     own, pairs whose distinctive-term Jaccard is ≥ ``rewrite_lsh_threshold``.
3. Verified precision: pairs the scan reports as duplicate / near-duplicate / rewrite (inside clusters and as
   links) whose two articles belong to one true story. Partial links are scored apart.
4. Clusters against the true stories: pairwise precision / recall / F1 and ARI, singletons included.

The alignment summaries (one line on what differs, per pair) do not influence clusters or pairs and take most
of a scan's time, so they are skipped unless ``summaries=True`` (``--summaries``); everything else is the real
scan. The run is deterministic: same (N, seed), same figures.
"""
from __future__ import annotations

import argparse
import functools
import importlib
import json
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from dedup import Config, scan
from dedup.counts import CountTable
from dedup.features import Features, unpack
from dedup.lsh import pairs_of
from dedup.sketch import Sketcher
from dedup.verify import DUPLICATE, NEAR, PARTIAL, REWRITE, idf

from . import synth
from .clusters import adjusted_rand_index, labels_from_clusters, pairwise_scores

__all__ = [
    "EngineView",
    "engine_view",
    "exact_near_pairs",
    "exact_rewrite_pairs",
    "exact_jaccard_pairs",
    "evaluate_synthetic",
    "evaluate_folder",
]

scan_module = importlib.import_module("dedup.scan")  # the module (``dedup.scan`` the attribute is the function)
_UNCAPPED = 1 << 40
_BLOCK_ENTRIES = 3_000_000  # row block × N entries of a product kept in memory at once


# --------------------------------------------------------------------------------------------------
# The engine's view of a folder, replayed step by step


@dataclass
class EngineView:
    """What scan computed before verification, for every article in scan's order, and the scan's result."""

    ids: list[str]
    features: list[Features]  # exactly the features scan verified with
    distinctive: list[np.ndarray]  # the term sets behind the rewrite signatures (Sketcher.distinctive)
    terms: CountTable  # the corpus content-term document counts scan verified with (the IDF statistics)
    rep: np.ndarray  # index of the first article with the same exact text (itself if none)
    indexed: np.ndarray  # bool: the article went into the LSH tables
    near_candidates: np.ndarray  # (m, 2) int64, lower index first, from the shingle table (capped buckets, as scan)
    term_candidates: np.ndarray  # ...from the content-term table
    reused_candidates: np.ndarray  # ...from articles sharing two or more sentences (dedup.reuse)
    near_candidates_uncapped: np.ndarray  # the same tables, every pair of every bucket (the "uncapped" figures add
    # reused_candidates to these as the scan made them: a sentence key held by more than 64 groups still left out)
    term_candidates_uncapped: np.ndarray
    config: Config
    result: object  # the ScanResult

    @property
    def n(self) -> int:
        return len(self.ids)

    def long_enough(self) -> np.ndarray:
        return np.array([f.n_words >= self.config.min_words for f in self.features], dtype=bool)


@contextmanager
def _recording_scan():
    """Let the real scan run unchanged while keeping what it computes: every article's features (as they go
    to the spool), the term statistics verification uses, and its two LSH band tables (with the rows and
    band counts loaded into each). Nothing is recomputed, so the brute force sees exactly the engine's data."""
    for name in ("BandTable", "Spool", "verify_pairs", "shared_sentence_pairs"):
        if not hasattr(scan_module, name):
            raise RuntimeError(f"dedup.scan has no {name!r}: update benchmarks/eval_synthetic.py to the engine")
    rec: dict = {"tables": [], "features": [], "stats": None, "reused": []}
    band_table, spool = scan_module.BandTable, scan_module.Spool
    verify_pairs, shared_sentence_pairs = scan_module.verify_pairs, scan_module.shared_sentence_pairs

    class RecordingTable(band_table):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loaded_rows: list[np.ndarray] = []
            self.bands: int | None = None
            rec["tables"].append(self)

        def bulk_load(self, rows, keys):
            self.loaded_rows.append(np.array(rows, dtype=np.int64))
            self.bands = int(np.asarray(keys).shape[1])
            return super().bulk_load(rows, keys)

        def add(self, row, keys):
            self.loaded_rows.append(np.array([row], dtype=np.int64))
            self.bands = int(len(keys))
            return super().add(row, keys)

    class RecordingSpool(spool):
        def put_features(self, i, packed):
            if i == len(rec["features"]):
                rec["features"].append(unpack(packed))
            else:  # (sketched again, its boilerplate counted once per group of copies)
                rec["features"][i] = unpack(packed)
            return super().put_features(i, packed)

    def recording_verify_pairs(ids, features, pairs, stats, config):
        rec["stats"] = stats
        return verify_pairs(ids, features, pairs, stats, config)

    def recording_shared_sentence_pairs(*args, **kwargs):
        codes = shared_sentence_pairs(*args, **kwargs)
        rec["reused"].append(codes)
        return codes

    scan_module.BandTable, scan_module.Spool, scan_module.verify_pairs = RecordingTable, RecordingSpool, recording_verify_pairs
    scan_module.shared_sentence_pairs = recording_shared_sentence_pairs
    try:
        yield rec
    finally:
        scan_module.BandTable, scan_module.Spool, scan_module.verify_pairs = band_table, spool, verify_pairs
        scan_module.shared_sentence_pairs = shared_sentence_pairs


def engine_view(folder: Path, config: Config | None = None, *, summaries: bool = False) -> EngineView:
    """Run the real :func:`dedup.scan` on ``folder`` and keep its features, term statistics and band tables."""
    config = config or Config()
    with _no_summaries(summaries), _recording_scan() as rec:
        result = scan([Path(folder)], config, workers=1)  # the recording patches live in this process
    ids = list(result.articles)
    feats: list[Features] = rec["features"]
    if len(feats) != len(ids):
        raise RuntimeError(f"recorded {len(feats)} feature sets for {len(ids)} articles")
    if rec["stats"] is None:
        raise RuntimeError("scan verified no pair, so its term statistics were not seen: corpus too small")
    terms: CountTable = rec["stats"]
    sketcher = Sketcher(config)
    tables = rec["tables"]
    if len(tables) not in (2, 3):
        raise RuntimeError(f"expected scan to build 2 or 3 band tables, saw {len(tables)}")
    term_table, near_table = tables[0], tables[-1]  # (the term table first; the near-duplicate table, built again
    # when articles were sketched again, last)
    if near_table.bands == sketcher.term_bands[0] and term_table.bands == sketcher.near_bands[0] and near_table.bands != term_table.bands:
        raise RuntimeError("the scan's band tables are not in the order expected: update benchmarks/eval_synthetic.py to the engine")
    cap = getattr(scan_module, "_BUCKET_CAP", 64)
    rep = np.arange(len(ids), dtype=np.int64)
    first: dict[int, int] = {}
    for i, f in enumerate(feats):
        rep[i] = first.setdefault(f.exact, i)
    indexed = np.zeros(len(ids), dtype=bool)
    for rows in near_table.loaded_rows:
        indexed[rows] = True
    return EngineView(
        ids=ids,
        features=feats,
        distinctive=[sketcher.distinctive(f, terms) for f in feats],
        terms=terms,
        rep=rep,
        indexed=indexed,
        near_candidates=near_table.pairs(cap),
        term_candidates=term_table.pairs(cap),
        reused_candidates=pairs_of(np.concatenate(rec["reused"])) if rec["reused"] else np.empty((0, 2), dtype=np.int64),
        near_candidates_uncapped=near_table.pairs(_UNCAPPED),
        term_candidates_uncapped=term_table.pairs(_UNCAPPED),
        config=config,
        result=result,
    )


# --------------------------------------------------------------------------------------------------
# Exact similarities of all pairs: sparse products in row blocks


def _incidence(sets: list[np.ndarray], weights=None, min_df: int = 1) -> sparse.csr_matrix:
    """Rows = sets, columns = distinct items (items in fewer than ``min_df`` sets dropped: they add no overlap).

    ``weights`` maps the item values (an array aligned with the distinct items) to the stored value;
    default 1."""
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    if lengths.sum() == 0:
        return sparse.csr_matrix((len(sets), 0))
    flat = np.concatenate([np.asarray(s, dtype=np.uint64) for s in sets])
    rows = np.repeat(np.arange(len(sets), dtype=np.int64), lengths)
    items, cols, df = np.unique(flat, return_inverse=True, return_counts=True)
    keep = df[cols] >= min_df
    remap = np.cumsum(df >= min_df) - 1
    values = np.ones(int(keep.sum()), dtype=np.float64) if weights is None else np.asarray(weights(items), dtype=np.float64)[cols[keep]]
    m = sparse.csr_matrix((values, (rows[keep], remap[cols[keep]])), shape=(len(sets), int((df >= min_df).sum())))
    m.sum_duplicates()
    return m


def _upper_products(left: sparse.csr_matrix, right: sparse.csr_matrix):
    """Yield (i, j, value) arrays for the non-zero entries of left @ right.T with j > i, a row block at a time."""
    n = left.shape[0]
    block = max(16, _BLOCK_ENTRIES // max(n, 1))
    right_t = right.T.tocsc()
    for s in range(0, n, block):
        e = min(n, s + block)
        prod = (left[s:e] @ right_t[:, s:]).tocoo()
        i = prod.row.astype(np.int64) + s
        j = prod.col.astype(np.int64) + s
        keep = j > i
        yield i[keep], j[keep], prod.data[keep]


def exact_near_pairs(shingles: list[np.ndarray], config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs (i < j) that ``verify`` would call near-duplicates on shingles alone: exact Jaccard ≥
    ``near_jaccard`` or containment (shared / shingles of the smaller) ≥ ``near_containment``.

    Returns (pairs (m, 2), jaccard, containment), pairs sorted."""
    sizes = np.array([len(s) for s in shingles], dtype=np.int64)
    m = _incidence(shingles, min_df=2)
    out_p, out_j, out_c = [], [], []
    for i, j, shared in _upper_products(m, m):
        shared = np.rint(shared).astype(np.int64)
        union = sizes[i] + sizes[j] - shared
        jac = np.where(union > 0, shared / np.maximum(union, 1), 0.0)
        cont = shared / np.maximum(1, np.minimum(sizes[i], sizes[j]))
        hit = (jac >= config.near_jaccard) | (cont >= config.near_containment)
        out_p.append(np.stack([i[hit], j[hit]], axis=1))
        out_j.append(jac[hit])
        out_c.append(cont[hit])
    return _sorted_pairs(out_p, out_j, out_c)


def exact_rewrite_pairs(term_sets: list[np.ndarray], stats: CountTable, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs (i < j) with IDF-weighted content-term Jaccard ≥ ``rewrite_score`` and ≥ ``rewrite_min_shared``
    shared terms, as ``verify.weighted_jaccard`` computes them (the near-duplicate test is not applied here).

    Returns (pairs (m, 2), score, shared term count), pairs sorted."""
    # one complex product gives both: real part = shared term count, imaginary part = Σ idf of shared terms
    ones = _incidence(term_sets, min_df=2)
    weighted = _incidence(term_sets, weights=lambda items: idf(items.astype(np.uint32), stats), min_df=2)
    both = (ones + 1j * weighted).tocsr()
    totals = np.array([idf(t, stats).sum() for t in term_sets], dtype=np.float64)
    out_p, out_s, out_n = [], [], []
    for i, j, v in _upper_products(ones.astype(np.complex128), both):
        shared = np.rint(v.real).astype(np.int64)
        inter = v.imag
        total = totals[i] + totals[j]
        score = np.where(total > inter, inter / np.maximum(total - inter, 1e-300), 0.0)
        hit = (score >= config.rewrite_score) & (shared >= config.rewrite_min_shared)
        out_p.append(np.stack([i[hit], j[hit]], axis=1))
        out_s.append(score[hit])
        out_n.append(shared[hit])
    return _sorted_pairs(out_p, out_s, out_n)


def exact_jaccard_pairs(sets: list[np.ndarray], threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i < j) of non-empty sets with plain Jaccard ≥ threshold (> 0). Returns (pairs, jaccard)."""
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    m = _incidence(sets, min_df=2)
    out_p, out_j = [], []
    for i, j, shared in _upper_products(m, m):
        shared = np.rint(shared).astype(np.int64)
        jac = shared / np.maximum(sizes[i] + sizes[j] - shared, 1)
        hit = jac >= threshold
        out_p.append(np.stack([i[hit], j[hit]], axis=1))
        out_j.append(jac[hit])
    pairs, jac = _sorted_pairs(out_p, out_j)
    return pairs, jac


def _sorted_pairs(pairs: list[np.ndarray], *values: list[np.ndarray]):
    p = np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=np.int64)
    vs = [np.concatenate(v) if v else np.empty(0) for v in values]
    order = np.lexsort((p[:, 1], p[:, 0])) if len(p) else np.empty(0, dtype=np.int64)
    return (p[order], *[v[order] for v in vs])


# --------------------------------------------------------------------------------------------------
# Pair sets as sorted int64 codes


def _codes(pairs: np.ndarray, n: int) -> np.ndarray:
    if len(pairs) == 0:
        return np.empty(0, dtype=np.int64)
    a = np.minimum(pairs[:, 0], pairs[:, 1]).astype(np.int64)
    b = np.maximum(pairs[:, 0], pairs[:, 1]).astype(np.int64)
    return np.unique(a * n + b)


def _found(pairs: np.ndarray, rep: np.ndarray, candidate_codes: np.ndarray, n: int) -> np.ndarray:
    """Bool per pair: both ends in one exact group, or their groups' representatives are a candidate pair."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=bool)
    ra, rb = rep[pairs[:, 0]], rep[pairs[:, 1]]
    same = ra == rb
    codes = np.minimum(ra, rb) * n + np.maximum(ra, rb)
    pos = np.searchsorted(candidate_codes, codes)
    hit = (pos < len(candidate_codes)) & (candidate_codes[np.minimum(pos, max(len(candidate_codes) - 1, 0))] == codes) if len(candidate_codes) else np.zeros(len(codes), dtype=bool)
    return same | hit


def _copy_groups(rep: np.ndarray, near_pairs: np.ndarray) -> np.ndarray:
    """Group id per article: exact-text groups joined by near-duplicate pairs (smallest member names a group)."""
    parent = list(range(len(rep)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in [*enumerate(rep.tolist()), *near_pairs.tolist()]:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(len(rep))], dtype=np.int64)


def _found_groups(pairs: np.ndarray, group: np.ndarray, *candidate_sets: np.ndarray) -> np.ndarray:
    """Bool per pair: both ends in one group of copies, or some candidate pair joins their two groups."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=bool)
    n = len(group)
    joined = [c for c in candidate_sets if len(c)]
    cand = np.concatenate(joined) if joined else np.empty((0, 2), dtype=np.int64)
    codes = _codes(np.stack([group[cand[:, 0]], group[cand[:, 1]]], axis=1), n) if len(cand) else np.empty(0, dtype=np.int64)
    return _found(pairs, group, codes, n)


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if len(mask) else 1.0


# --------------------------------------------------------------------------------------------------
# The evaluation


@contextmanager
def _no_summaries(enabled: bool):
    """Skip scan's alignment summaries (they do not change clusters or pairs) unless ``enabled``."""
    if enabled or not hasattr(scan_module, "summarize") or not hasattr(scan_module, "align"):
        yield
        return
    saved = scan_module.align, scan_module.summarize
    scan_module.align = lambda *args, **kwargs: None
    scan_module.summarize = lambda *args, **kwargs: "(not computed by the benchmark)"
    try:
        yield
    finally:
        scan_module.align, scan_module.summarize = saved


def evaluate_synthetic(n: int = 10_000, seed: int = 0, *, summaries: bool = False, shared_dir: Path | None = None) -> dict:
    """Generate ``n`` synthetic articles with ``seed``, scan them and score everything (see module docstring)."""
    t0 = time.perf_counter()
    articles = synth.generate(n, seed, shared_dir)
    t_gen = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="dedup-synth-") as tmp:
        folder = Path(tmp) / "corpus"
        t0 = time.perf_counter()
        synth.write_corpus(articles, folder, "txt")
        (folder / "truth.json").unlink()  # not an article: the scan must see the articles only
        t_write = time.perf_counter() - t0
        out = evaluate_folder(folder, articles, summaries=summaries)
    out["seed"] = seed
    out["timings_s"] = {"generate": round(t_gen, 2), "write": round(t_write, 2), **out["timings_s"]}
    return out


def evaluate_folder(folder: Path, articles: list[synth.SynthArticle], config: Config | None = None, *, summaries: bool = False) -> dict:
    """Score a scan of ``folder`` (holding exactly ``articles`` as files) against their ground truth."""
    config = config or Config()
    timings: dict[str, float] = {}
    started = time.perf_counter()

    t0 = time.perf_counter()
    view = engine_view(folder, config, summaries=summaries)
    result = view.result
    timings["scan"] = time.perf_counter() - t0
    timings["scan_stages"] = {k: round(v, 2) for k, v in result.timings.items()}
    ids, nn = view.ids, view.n
    index = {a: i for i, a in enumerate(ids)}
    truth_of = {a.id: a for a in articles}
    if set(truth_of) != set(ids):
        raise RuntimeError("the folder's articles do not match the ground truth")
    story = np.array([truth_of[a].story for a in ids], dtype=np.int64)
    kind = [truth_of[a].kind for a in ids]
    long_enough = view.long_enough()

    cand_near = _codes(view.near_candidates, nn)
    cand_term = _codes(view.term_candidates, nn)
    cand_all = np.union1d(np.union1d(cand_near, cand_term), _codes(view.reused_candidates, nn))
    uncapped = (view.near_candidates_uncapped, view.term_candidates_uncapped, view.reused_candidates)
    cand_all_uncapped = functools.reduce(np.union1d, (_codes(c, nn) for c in uncapped))

    # -- brute force: near ------------------------------------------------------------------------
    t0 = time.perf_counter()
    near_pairs, near_jac, near_cont = exact_near_pairs([f.shingles for f in view.features], config)
    near_pairs = near_pairs[long_enough[near_pairs[:, 0]] & long_enough[near_pairs[:, 1]]] if len(near_pairs) else near_pairs
    timings["brute force near"] = time.perf_counter() - t0
    near_found = _found(near_pairs, view.rep, cand_all, nn)
    near_found_table = _found(near_pairs, view.rep, cand_near, nn)
    near_found_uncapped = _found(near_pairs, view.rep, cand_all_uncapped, nn)
    distinct_near = view.rep[near_pairs[:, 0]] != view.rep[near_pairs[:, 1]] if len(near_pairs) else np.zeros(0, dtype=bool)

    # -- brute force: rewrite -----------------------------------------------------------------------
    t0 = time.perf_counter()
    rw_pairs, rw_score, rw_shared = exact_rewrite_pairs([f.term_set for f in view.features], view.terms, config)
    if len(rw_pairs):
        ok = long_enough[rw_pairs[:, 0]] & long_enough[rw_pairs[:, 1]]
        ok &= view.rep[rw_pairs[:, 0]] != view.rep[rw_pairs[:, 1]]  # same exact text: a duplicate
        ok &= ~np.isin(_pair_codes_ordered(rw_pairs, nn), _pair_codes_ordered(near_pairs, nn))  # verify says near first
        rw_pairs, rw_score, rw_shared = rw_pairs[ok], rw_score[ok], rw_shared[ok]
    timings["brute force rewrite"] = time.perf_counter() - t0
    # The scan puts one article per group of copies into the rewrite table: a rewrite of one copy is found
    # through the group's representative. Groups: exact groups joined by the near pairs the scan found.
    copy_group = _copy_groups(view.rep, near_pairs[near_found] if len(near_pairs) else near_pairs)
    rw_found = _found_groups(rw_pairs, copy_group, view.near_candidates, view.term_candidates, view.reused_candidates)
    rw_found_table = _found_groups(rw_pairs, copy_group, view.term_candidates)
    rw_found_uncapped = _found_groups(rw_pairs, copy_group, *uncapped)

    t0 = time.perf_counter()
    dj_pairs, dj_jac = exact_jaccard_pairs(view.distinctive, config.rewrite_lsh_threshold)
    if len(dj_pairs):
        ok = long_enough[dj_pairs[:, 0]] & long_enough[dj_pairs[:, 1]] & (view.rep[dj_pairs[:, 0]] != view.rep[dj_pairs[:, 1]])
        dj_pairs, dj_jac = dj_pairs[ok], dj_jac[ok]
    timings["brute force distinctive-term Jaccard"] = time.perf_counter() - t0
    dj_found_table = _found(dj_pairs, view.rep, cand_term, nn)
    dj_found_table_uncapped = _found(dj_pairs, view.rep, _codes(view.term_candidates_uncapped, nn), nn)

    # -- where the misses are: by size of the true story the pair lies in, and by criterion -----------
    story_size = np.bincount(story - story.min()) if nn else np.zeros(0, dtype=np.int64)
    size_of = story_size[story - story.min()] if nn else np.zeros(0, dtype=np.int64)

    def by_story_size(pairs: np.ndarray, found: np.ndarray) -> dict:
        out = {}
        if len(pairs) == 0:
            return out
        same = story[pairs[:, 0]] == story[pairs[:, 1]]
        sz = size_of[pairs[:, 0]]
        classes = {
            "same story of 2-9": same & (sz < 10),
            "same story of 10-99": same & (sz >= 10) & (sz < 100),
            "same story of 100+": same & (sz >= 100),
            "different stories": ~same,
        }
        for name, mask in classes.items():
            if mask.any():
                out[name] = {"pairs": int(mask.sum()), "recall": round(_share(found[mask]), 4)}
        return out

    near_by_jaccard = near_jac >= config.near_jaccard if len(near_pairs) else np.zeros(0, dtype=bool)

    # -- what the scan reported ---------------------------------------------------------------------
    found_clusters = [c.members for c in result.clusters]
    cluster_of = np.full(nn, -1, dtype=np.int64)
    for k, members in enumerate(found_clusters):
        for m in members:
            cluster_of[index[m]] = k
    same_cluster = lambda p: (cluster_of[p[:, 0]] >= 0) & (cluster_of[p[:, 0]] == cluster_of[p[:, 1]]) if len(p) else np.zeros(0, dtype=bool)  # noqa: E731

    reported = [(p, "cluster") for c in result.clusters for p in c.pairs] + [(p, "link") for p in result.links]
    verified = {r: [0, 0] for r in (DUPLICATE, NEAR, REWRITE)}  # relation → [correct, total]
    false_kinds: Counter = Counter()
    partial_links = [0, 0, 0]  # correct, total, partial↔partial of one quoted story
    partial_wrong: Counter = Counter()
    scan_pairs_not_candidates = 0
    for p, _ in reported:
        i, j = index[p.a], index[p.b]
        if p.relation != DUPLICATE:
            code = min(view.rep[i], view.rep[j]) * nn + max(view.rep[i], view.rep[j])
            pos = np.searchsorted(cand_all, code)
            if view.rep[i] != view.rep[j] and not (pos < len(cand_all) and cand_all[pos] == code):
                scan_pairs_not_candidates += 1
        if p.relation == PARTIAL:
            partial_links[1] += 1
            ta, tb = truth_of[p.a], truth_of[p.b]
            ok = any(x.kind == "partial" and truth_of[x.parent].story == y.story for x, y in ((ta, tb), (tb, ta)))
            partial_links[0] += ok
            both_partial = not ok and ta.kind == tb.kind == "partial" and truth_of[ta.parent].story == truth_of[tb.parent].story
            partial_links[2] += both_partial
            if not ok:
                partial_wrong["same story (copies not clustered)" if ta.story == tb.story else
                              "partials quoting one story" if both_partial else
                              ("same-topic stories: " if ta.topic and ta.topic == tb.topic else "different stories: ")
                              + " / ".join(sorted((ta.kind, tb.kind)))] += 1
            continue
        if p.relation not in verified:
            continue
        good = story[i] == story[j]
        verified[p.relation][0] += int(good)
        verified[p.relation][1] += 1
        if not good:
            same_topic = truth_of[p.a].topic and truth_of[p.a].topic == truth_of[p.b].topic
            false_kinds[f"{p.relation}{' (same topic)' if same_topic else ''}: " + " / ".join(sorted((kind[i], kind[j])))] += 1
    v_correct = sum(c for c, _ in verified.values())
    v_total = sum(t for _, t in verified.values())

    # -- clusters vs stories ------------------------------------------------------------------------
    truth_clusters = synth.clusters(articles)
    truth_labels = labels_from_clusters(ids, truth_clusters)
    found_labels = labels_from_clusters(ids, found_clusters)
    scores = pairwise_scores(truth_labels, found_labels)
    ari = adjusted_rand_index(truth_labels, found_labels)

    # -- per kind: each derived article against its parent; partials against the story they quote ----
    per_kind: dict[str, dict] = {}
    near_codes = _pair_codes_ordered(near_pairs, nn)
    rw_codes = _pair_codes_ordered(rw_pairs, nn)
    for k in ("duplicate", "near-duplicate", "rewrite"):
        rows = [(index[a.id], index[a.parent]) for a in articles if a.kind == k]
        p = np.array(rows, dtype=np.int64).reshape(-1, 2)
        codes = _pair_codes_ordered(p, nn)
        exact_dup = view.rep[p[:, 0]] == view.rep[p[:, 1]] if len(p) else np.zeros(0, dtype=bool)
        is_near = np.isin(codes, near_codes) & ~exact_dup
        is_rw = np.isin(codes, rw_codes)
        per_kind[k] = {
            "pairs": len(p),
            "exact_duplicate": _share(exact_dup),
            "exact_near": _share(is_near),
            "exact_rewrite": _share(is_rw),
            "exact_unrelated": _share(~(exact_dup | is_near | is_rw)),  # verification could never join them directly
            "candidate": _share(_found(p, view.rep, cand_all, nn)),
            "same_cluster": _share(same_cluster(p)),
        }
    partial_rows = [a for a in articles if a.kind == "partial"]
    link_partners: dict[str, set[int]] = {}
    for p in result.links:
        if p.relation == PARTIAL:
            link_partners.setdefault(p.a, set()).add(int(story[index[p.b]]))
            link_partners.setdefault(p.b, set()).add(int(story[index[p.a]]))
    linked_parent = sum(truth_of[a.parent].story in link_partners.get(a.id, ()) for a in partial_rows)
    partial_pairs = {frozenset((p.a, p.b)) for p in result.links if p.relation == PARTIAL}
    linked_exact_parent = sum(frozenset((a.id, a.parent)) in partial_pairs for a in partial_rows)
    wrongly_clustered = sum(
        cluster_of[index[a.id]] >= 0 and (story[cluster_of == cluster_of[index[a.id]]] != a.story).any() for a in partial_rows
    )

    sizes = Counter(a.story for a in articles)
    largest_cluster = max((len(c) for c in found_clusters), default=0)
    rel_counts = Counter(p.relation for p, _ in reported)
    timings["total"] = time.perf_counter() - started
    r4 = lambda x: round(float(x), 4)  # noqa: E731
    r6 = lambda x: round(float(x), 6)  # noqa: E731
    return {
        "n": nn,
        "kinds": dict(Counter(kind)),
        # LSH candidate recall against brute force (headline: the candidates scan really verifies)
        "near_pairs_exact": int(len(near_pairs)),
        "near_pairs_exact_distinct_texts": int(distinct_near.sum()),
        "near_candidate_recall": r6(_share(near_found)),
        "near_candidate_recall_distinct_texts": r6(_share(near_found[distinct_near])),
        "near_candidate_recall_shingle_table_only": r6(_share(near_found_table)),
        "near_candidate_recall_uncapped_buckets": r6(_share(near_found_uncapped)),
        "near_pairs_same_cluster": r6(_share(same_cluster(near_pairs))),
        "near_pairs_missed": int((~near_found).sum()),
        "near_candidate_recall_jaccard_pairs": r6(_share(near_found[near_by_jaccard])),  # Jaccard ≥ near_jaccard
        "near_candidate_recall_containment_only_pairs": r6(_share(near_found[~near_by_jaccard])),  # trimmed copies
        "near_pairs_containment_only": int((~near_by_jaccard).sum()),
        "near_candidate_recall_by_story_size": by_story_size(near_pairs, near_found),
        "rewrite_pairs_exact": int(len(rw_pairs)),
        "rewrite_candidate_recall": r6(_share(rw_found)),
        "rewrite_candidate_recall_term_table_only": r6(_share(rw_found_table)),
        "rewrite_candidate_recall_uncapped_buckets": r6(_share(rw_found_uncapped)),
        "rewrite_pairs_missed": int((~rw_found).sum()),
        "rewrite_candidate_recall_by_story_size": by_story_size(rw_pairs, rw_found),
        "rewrite_pairs_same_cluster": r6(_share(same_cluster(rw_pairs))),
        "rewrite_pairs_same_story": r6(_share(story[rw_pairs[:, 0]] == story[rw_pairs[:, 1]]) if len(rw_pairs) else 1.0),
        "distinctive_jaccard_pairs_exact": int(len(dj_pairs)),
        "distinctive_jaccard_threshold": config.rewrite_lsh_threshold,
        "distinctive_jaccard_term_table_recall": r6(_share(dj_found_table)),
        "distinctive_jaccard_term_table_recall_uncapped": r6(_share(dj_found_table_uncapped)),
        "candidates": int(len(cand_all)),
        "candidates_shingle_table": int(len(cand_near)),
        "candidates_term_table": int(len(cand_term)),
        "candidates_shared_sentences": int(len(view.reused_candidates)),
        "candidates_uncapped": int(len(cand_all_uncapped)),
        "all_pairs": nn * (nn - 1) // 2,
        "exact_duplicate_groups_collapsed": int((view.rep != np.arange(nn)).sum()),
        "scan_pairs_outside_recorded_candidates": scan_pairs_not_candidates,  # must be 0: the recorded tables are the ones scan used
        # verified pairs
        "verified_pairs": v_total,
        "verified_precision": r6(v_correct / v_total if v_total else 1.0),
        "verified_precision_by_relation": {r: (r6(c / t) if t else None) for r, (c, t) in verified.items()},
        "verified_pairs_by_relation": dict(rel_counts),
        "verified_false_pairs_by_kind": dict(false_kinds.most_common(12)),
        "partial_links": partial_links[1],
        "partial_link_precision": r4(partial_links[0] / partial_links[1]) if partial_links[1] else None,
        "partial_links_between_partials_of_one_story": partial_links[2],
        "partial_links_wrong_by_truth": dict(partial_wrong.most_common(8)),
        "partial_articles": len(partial_rows),
        "partial_link_recall": r4(linked_parent / len(partial_rows)) if partial_rows else None,  # linked to their parent's story
        "partial_link_recall_exact_parent": r4(linked_exact_parent / len(partial_rows)) if partial_rows else None,
        "partials_clustered_with_another_story": int(wrongly_clustered),
        # clusters
        "cluster_precision": r4(scores["precision"]),
        "cluster_recall": r4(scores["recall"]),
        "cluster_f1": r4(scores["f1"]),
        "ari": r4(ari),
        "clusters_found": len(found_clusters),
        "stories_with_copies": len(truth_clusters),
        "links_found": len(result.links),
        "unique_found": len(result.unique),
        "largest_cluster": largest_cluster,
        "largest_story": max(sizes.values(), default=0),
        "per_kind_vs_parent": {k: {m: (r4(v) if isinstance(v, float) else v) for m, v in d.items()} for k, d in per_kind.items()},
        "alignment_summaries": bool(summaries),
        "timings_s": {k: (round(v, 2) if isinstance(v, float) else v) for k, v in timings.items()},
    }


def _pair_codes_ordered(pairs: np.ndarray, n: int) -> np.ndarray:
    """Codes of (min, max) per pair, in the pairs' order (not deduplicated)."""
    if len(pairs) == 0:
        return np.empty(0, dtype=np.int64)
    return np.minimum(pairs[:, 0], pairs[:, 1]).astype(np.int64) * n + np.maximum(pairs[:, 0], pairs[:, 1]).astype(np.int64)


# --------------------------------------------------------------------------------------------------
# CLI


def summary(r: dict) -> str:
    t = r["timings_s"]
    lines = [
        f"Synthetic corpus: N = {r['n']:,} (seed {r.get('seed')}), kinds {r['kinds']}",
        f"  scan {t['scan']:.1f} s{'' if r['alignment_summaries'] else ' (alignment summaries skipped)'}; evaluation total {t['total']:.1f} s",
        f"  candidates: {r['candidates']:,} of {r['all_pairs']:,} pairs (shingle table {r['candidates_shingle_table']:,}, term table {r['candidates_term_table']:,}, shared sentences {r['candidates_shared_sentences']:,}; uncapped buckets {r['candidates_uncapped']:,})",
        "LSH candidate recall vs brute force",
        f"  near (Jaccard ≥ 0.5 or containment ≥ 0.8): {r['near_candidate_recall']:.4f} of {r['near_pairs_exact']:,} pairs"
        f" ({r['near_pairs_missed']:,} missed; distinct texts {r['near_candidate_recall_distinct_texts']:.4f} of {r['near_pairs_exact_distinct_texts']:,};"
        f" uncapped buckets {r['near_candidate_recall_uncapped_buckets']:.4f}; shingle table alone {r['near_candidate_recall_shingle_table_only']:.4f};"
        f" ends in one cluster {r['near_pairs_same_cluster']:.4f})",
        f"  rewrite (verified outcome): {r['rewrite_candidate_recall']:.4f} of {r['rewrite_pairs_exact']:,} pairs ({r['rewrite_pairs_missed']:,} missed;"
        f" term table alone {r['rewrite_candidate_recall_term_table_only']:.4f}; uncapped {r['rewrite_candidate_recall_uncapped_buckets']:.4f};"
        f" same true story {r['rewrite_pairs_same_story']:.4f})",
        f"  distinctive-term Jaccard ≥ {r['distinctive_jaccard_threshold']}: term table {r['distinctive_jaccard_term_table_recall']:.4f} of {r['distinctive_jaccard_pairs_exact']:,} pairs"
        f" (uncapped {r['distinctive_jaccard_term_table_recall_uncapped']:.4f})",
        f"  near: Jaccard pairs {r['near_candidate_recall_jaccard_pairs']:.4f}, containment-only pairs {r['near_candidate_recall_containment_only_pairs']:.4f}"
        f" ({r['near_pairs_containment_only']:,}); by story size {r['near_candidate_recall_by_story_size']}",
        f"  rewrite: by story size {r['rewrite_candidate_recall_by_story_size']}; ends in one cluster {r['rewrite_pairs_same_cluster']:.4f}",
        f"  scan pairs outside the recorded candidates: {r['scan_pairs_outside_recorded_candidates']} (must be 0)",
        "Verified pairs",
        f"  precision {r['verified_precision']:.4f} of {r['verified_pairs']:,}; by relation {r['verified_precision_by_relation']}",
        f"  false pairs by kind: {r['verified_false_pairs_by_kind']}",
        f"  partial links: {r['partial_links']:,}, precision {r['partial_link_precision']}, recall (to the quoted story) {r['partial_link_recall']}"
        f" (to the exact parent {r['partial_link_recall_exact_parent']}); partials clustered with another story {r['partials_clustered_with_another_story']}",
        f"  wrong partial links: {r['partial_links_wrong_by_truth']}",
        "Clusters vs true stories",
        f"  pairwise P / R / F1 {r['cluster_precision']:.4f} / {r['cluster_recall']:.4f} / {r['cluster_f1']:.4f}; ARI {r['ari']:.4f}",
        f"  {r['clusters_found']:,} clusters (true stories with copies {r['stories_with_copies']:,}), {r['links_found']:,} links, {r['unique_found']:,} unique;"
        f" largest cluster {r['largest_cluster']} vs largest story {r['largest_story']}",
        "Each derived article vs its parent",
    ]
    for k, d in r["per_kind_vs_parent"].items():
        lines.append(f"  {k:15s} {d}")
    lines.append(f"Timings (s): {t}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.eval_synthetic", description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, nargs="?", default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--summaries", action="store_true", help="let scan compute its alignment summaries (slow)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    r = evaluate_synthetic(args.n, args.seed, summaries=args.summaries)
    print(summary(r))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(r, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
