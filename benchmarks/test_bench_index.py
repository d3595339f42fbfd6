"""Index benchmarks: insert throughput, check latency p50/p99, memory per article, open time.

Two layers, each at several index sizes (``DEDUP_BENCH_INDEX_SIZES``, default 10k,100k; add 1000000):

* **band tables alone** (what ``Index`` keeps in RAM): dedup's ``lsh.BandTable`` pair (near 37×3 on
  128 permutations + terms 117×2 on 256, as the default Config chooses them), filled with synthetic signatures
  of unrelated articles plus the corpus's real ones, vs ``datasketch.MinHashLSH`` with the same near-duplicate
  layout (``params=(37, 3)``; datasketch up to ``DEDUP_BENCH_DATASKETCH_MAX``, default 10k: its 100k build takes ~1 min). The comparison
  is near table vs near table ("dedup-near"); "dedup" is both tables (what a check really queries).
* **the whole Index** (SQLite file, ``DEDUP_BENCH_FULL_SIZES``, default 10k): filler rows written
  straight into the store (text is the bottleneck at 1M; their content terms counted at the rates a large
  corpus of this news holds them, see _filler_terms), the N corpus articles added through
  ``Index.add_many`` (``DEDUP_BENCH_FULL_ADD``, default 500: insert throughput with sketching), then ``Index.check`` of corpus articles:
  latency with the article's own sketching and index time alone (refresh + candidates + verification).
  Open time and RSS per article after opening.
"""
from __future__ import annotations

import os
import time
import tracemalloc

import numpy as np
import pytest

from benchmarks.conftest import record, run
from benchmarks.corpus import SEED, index_sizes, news, random_signatures, texts
from dedup.config import Config
from dedup.features import Features, extract, pack
from dedup.index import Index
from dedup.lsh import BandTable, band_keys
from dedup.sketch import Sketcher
from dedup.store import Record, SQLiteStore

CONFIG = Config()
SKETCHER = Sketcher(CONFIG)
NEAR_B, NEAR_R = SKETCHER.near_bands
TERM_B, TERM_R = SKETCHER.term_bands
N_QUERIES = 1000
SEED_REAL = 7  # which real news articles are checked
DATASKETCH_MAX = int(os.environ.get("DEDUP_BENCH_DATASKETCH_MAX", 10_000))
FULL_ADD = int(os.environ.get("DEDUP_BENCH_FULL_ADD", 500))  # real articles added through Index.add_many
FULL_SIZES = [int(x) for x in os.environ.get("DEDUP_BENCH_FULL_SIZES", "10000").split(",") if x.strip()]


def _pct(values, q) -> float:
    return float(np.percentile(np.asarray(values), q))


def _time_each(fn, items, lat: list[float]) -> None:
    """Call fn on each item, keeping each call's seconds in lat (emptied first): latency percentiles."""
    lat.clear()
    for x in items:
        t = time.perf_counter()
        fn(x)
        lat.append(time.perf_counter() - t)


def _size_id(m: int) -> str:
    return f"{m // 1_000_000}M" if m >= 1_000_000 and m % 1_000_000 == 0 else f"{m // 1000}k"


# -- real sketches of the corpus (queries, and the articles that make hits) -------------------------

_SKETCHES = None


def corpus_sketches():
    global _SKETCHES
    if _SKETCHES is None:
        from dedup.counts import CountTable

        docs = list(texts())
        counts = CountTable()
        _SKETCHES = [s for i in range(0, len(docs), 1000) for s in SKETCHER.sketch(docs[i : i + 1000], counts)]
    return _SKETCHES


def _filler_keys(m: int):
    """Band keys of m unrelated articles, in chunks (1M × 256 signatures would not fit comfortably)."""
    near, term = [], []
    for start in range(0, m, 100_000):
        n = min(100_000, m - start)
        near.append(band_keys(random_signatures(n, CONFIG.num_perm, start + 1), NEAR_B, NEAR_R))
        term.append(band_keys(random_signatures(n, CONFIG.term_num_perm, start + 2), TERM_B, TERM_R))
    return np.concatenate(near), np.concatenate(term)


# -- band tables alone ------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=index_sizes(), ids=_size_id)
def tables(request):
    m = request.param
    sk = corpus_sketches()
    fill = max(0, m - len(sk))
    near_f, term_f = _filler_keys(fill)
    near_keys = np.concatenate([near_f, np.array([s.near_keys for s in sk])])
    term_keys = np.concatenate([term_f, np.array([s.term_keys for s in sk])])
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    near, terms = BandTable(), BandTable()
    rows = np.arange(len(near_keys))
    near.bulk_load(rows, near_keys)
    terms.bulk_load(rows, term_keys)
    load = time.perf_counter() - t0
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    first_real = fill
    return {"m": len(near_keys), "near": near, "terms": terms, "load_s": load, "bytes": used, "first_real": first_real,
            "near_keys": near_keys, "term_keys": term_keys}


def test_bandtable_query(benchmark, tables):
    """check's index-time core: query both band tables with a real article's keys."""
    sk = corpus_sketches()[:N_QUERIES]
    near, terms = tables["near"], tables["terms"]
    lat: list[float] = []

    def go():
        _time_each(lambda s: np.union1d(near.query(s.near_keys), terms.query(s.term_keys)), sk, lat)

    run(benchmark, go, rounds=3)
    size = _size_id(tables["m"])
    benchmark.extra_info.update(index_size=tables["m"], bulk_load_s=round(tables["load_s"], 3))
    record(f"band query p50 @{size}", "dedup", _pct(lat, 50) * 1e6, "µs", benchmark=benchmark, higher_is_better=False)
    record(f"band query p99 @{size}", "dedup", _pct(lat, 99) * 1e6, "µs", benchmark=benchmark, higher_is_better=False)
    record(f"band tables RAM @{size}", "dedup", tables["bytes"] / tables["m"], "B/article", benchmark=benchmark,
           higher_is_better=False)
    record(f"band tables RAM @{size}", "goal", 300, "B/article", benchmark=benchmark, higher_is_better=False, dedup=False)
    record(f"band tables bulk load @{size}", "dedup", tables["m"] / tables["load_s"], "art/s", benchmark=benchmark)


def test_bandtable_near_query(benchmark, tables):
    """Near-duplicate table alone: the like-for-like comparison with datasketch's MinHashLSH."""
    sk = corpus_sketches()[:N_QUERIES]
    near = tables["near"]
    lat: list[float] = []

    def go():
        _time_each(lambda s: near.query(s.near_keys), sk, lat)

    run(benchmark, go, rounds=3)
    size = _size_id(tables["m"])
    record(f"band query p50 @{size}", "dedup-near", _pct(lat, 50) * 1e6, "µs", benchmark=benchmark, higher_is_better=False)
    record(f"band query p99 @{size}", "dedup-near", _pct(lat, 99) * 1e6, "µs", benchmark=benchmark, higher_is_better=False)


def test_bandtable_insert(benchmark, tables):
    """One-at-a-time inserts into a table of the given size (what a crawler does), near + terms."""
    sk = corpus_sketches()
    base = tables["m"]

    def go():
        near, terms = BandTable(), BandTable()
        rows = np.arange(base)
        near.bulk_load(rows, tables["near_keys"])
        terms.bulk_load(rows, tables["term_keys"])
        t = time.perf_counter()
        for i, s in enumerate(sk):
            near.add(base + i, s.near_keys)
            terms.add(base + i, s.term_keys)
        return time.perf_counter() - t

    secs: list[float] = []
    run(benchmark, lambda: secs.append(go()), rounds=1, warmup=0)
    size = _size_id(tables["m"])
    record(f"band insert @{size}", "dedup", len(sk) / secs[-1], "art/s", benchmark=benchmark)


@pytest.fixture(scope="module")
def datasketch_lsh(tables):
    datasketch = pytest.importorskip("datasketch")
    m = tables["m"]
    if m > DATASKETCH_MAX:
        pytest.skip(f"datasketch index of {m:,} > DEDUP_BENCH_DATASKETCH_MAX")
    # Build datasketch's LSH from the same near signatures (filler signatures regenerated the same way).
    sk = corpus_sketches()
    fill = tables["first_real"]
    sigs = [random_signatures(min(100_000, fill - s), CONFIG.num_perm, s + 1) for s in range(0, fill, 100_000)]
    sigs = np.concatenate(sigs + [np.array([s.near_sig for s in sk])]) if sigs else np.array([s.near_sig for s in sk])
    lsh = datasketch.MinHashLSH(num_perm=CONFIG.num_perm, params=(NEAR_B, NEAR_R))
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    with lsh.insertion_session() as session:
        for i, sig in enumerate(sigs):
            session.insert(i, datasketch.LeanMinHash(seed=CONFIG.seed, hashvalues=sig, scheme="affine32"), check_duplication=False)
    load = time.perf_counter() - t0
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return {"lsh": lsh, "m": len(sigs), "load_s": load, "bytes": used, "ds": datasketch}


def test_datasketch_query(benchmark, tables, datasketch_lsh):
    ds = datasketch_lsh["ds"]
    queries = [ds.LeanMinHash(seed=CONFIG.seed, hashvalues=s.near_sig, scheme="affine32") for s in corpus_sketches()[:N_QUERIES]]
    lsh = datasketch_lsh["lsh"]
    lat: list[float] = []

    def go():
        _time_each(lsh.query, queries, lat)

    run(benchmark, go, rounds=3)
    size = _size_id(tables["m"])
    record(f"band query p50 @{size}", "datasketch", _pct(lat, 50) * 1e6, "µs", benchmark=benchmark, higher_is_better=False)
    record(f"band query p99 @{size}", "datasketch", _pct(lat, 99) * 1e6, "µs", benchmark=benchmark, higher_is_better=False)
    record(f"band tables RAM @{size}", "datasketch", datasketch_lsh["bytes"] / datasketch_lsh["m"], "B/article",
           benchmark=benchmark, higher_is_better=False)
    record(f"band tables bulk load @{size}", "datasketch", datasketch_lsh["m"] / datasketch_lsh["load_s"], "art/s",
           benchmark=benchmark)


def test_datasketch_insert(benchmark, tables, datasketch_lsh):
    ds = datasketch_lsh["ds"]
    lsh = datasketch_lsh["lsh"]
    mins = [ds.LeanMinHash(seed=CONFIG.seed, hashvalues=s.near_sig, scheme="affine32") for s in corpus_sketches()]
    base = datasketch_lsh["m"]
    secs: list[float] = []

    def go():
        t = time.perf_counter()
        for i, q in enumerate(mins):
            lsh.insert(base + i, q, check_duplication=False)
        secs.append(time.perf_counter() - t)
        for i in range(len(mins)):
            lsh.remove(base + i)

    run(benchmark, go, rounds=1, warmup=0)
    size = _size_id(tables["m"])
    record(f"band insert @{size}", "datasketch", len(mins) / secs[-1], "art/s", benchmark=benchmark)


# -- the whole Index (SQLite) -----------------------------------------------------------------------


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _filler_terms() -> list[tuple[np.ndarray, int]]:
    """Per corpus article that is neither indexed nor checked: (its general words, how many story words it has).

    A word used by at least common_term_share of the corpus's stories is general ("government", "police"): a
    large index holds it at that rate, which decides the words a check leaves out of its term signature and the
    weights of the rest. A story's own words (names, figures) are replaced in each filler row by random ones, so
    that repeating the corpus thousands of times does not repeat its stories."""
    try:
        from benchmarks.synth import generate
        articles = [(a.text, a.story) for a in generate(len(texts()), seed=SEED)]
    except ImportError:  # (the fallback corpus has no stories: each article its own)
        articles = [(t, k) for k, t in enumerate(texts())]
    sources = articles[FULL_ADD + 300:] or articles
    term_sets = [extract(t, CONFIG.shingle_size).term_set for t, _ in sources]
    by_story: dict[object, np.ndarray] = {}
    for (_, story), terms in zip(sources, term_sets):
        by_story[story] = np.union1d(by_story.get(story, terms), terms)
    words, stories = np.unique(np.concatenate(list(by_story.values())), return_counts=True)
    general = words[stories >= max(2, CONFIG.common_term_share * len(by_story))]
    return [(terms[np.isin(terms, general)], int(np.count_nonzero(~np.isin(terms, general)))) for terms in term_sets]


def _fill_store(path, m: int) -> None:
    """m unrelated filler articles written straight into an index file: random keys and signatures (they never
    meet a check), tiny shingles, and content terms as a large corpus of this news would hold them (_filler_terms)."""
    Index.open(path, CONFIG).close()  # creates the file with the config
    store = SQLiteStore(path)
    kinds = _filler_terms()
    rng = np.random.default_rng(13)
    shingles = np.arange(3, dtype=np.uint32)
    for start in range(0, m, 50_000):
        n = min(50_000, m - start)
        near = random_signatures(n, CONFIG.num_perm, start + 11)
        term = random_signatures(n, CONFIG.term_num_perm, start + 12)
        nk, tk = band_keys(near, NEAR_B, NEAR_R), band_keys(term, TERM_B, TERM_R)
        records = []
        for i in range(n):
            general, own = kinds[(start + i) % len(kinds)]
            terms = np.unique(np.concatenate((general, rng.integers(0, 1 << 32, own, dtype=np.uint32))))
            features = pack(Features(60, 0, shingles, terms, np.zeros(len(terms), np.uint32)))
            records.append(Record(0, f"filler-{start + i}", {}, "", features, near[i].tobytes(), term[i].tobytes(),
                                  nk[i].tobytes(), tk[i].tobytes(), b""))
        store.put(records)
    store.close()


@pytest.fixture(scope="module", params=FULL_SIZES, ids=_size_id)
def full_index(request, tmp_path_factory):
    m = request.param
    docs = list(texts())[:FULL_ADD]
    path = tmp_path_factory.mktemp("index") / "bench.dedup"
    _fill_store(path, max(0, m - len(docs)))
    t0 = time.perf_counter()
    writer = Index.open(path)  # no stored band tables yet: built from every row's keys
    rebuild_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    writer.add_many((f"a{i}", t, None) for i, t in enumerate(docs))
    add_s = time.perf_counter() - t0
    writer.close()  # a writer's close stores the band tables
    rss0 = _rss()
    t0 = time.perf_counter()
    index = Index.open(path)
    open_s = time.perf_counter() - t0
    rss_open = _rss() - rss0
    info = {"m": len(index), "open_s": open_s, "rebuild_s": rebuild_s, "rss_per_article": rss_open / len(index),
            "add_rate": len(docs) / add_s, "file_bytes": os.path.getsize(path) / len(index), "path": path}
    yield index, info
    index.close()


def test_index_add_and_open(benchmark, full_index):
    index, info = full_index
    size = _size_id(info["m"])
    benchmark.extra_info.update(index_size=info["m"], file_bytes_per_article=round(info["file_bytes"]))
    # The timed part: reopening the index file (reads the stored band tables, then the rows after them).
    run(benchmark, lambda: Index.open(info["path"]).close(), rounds=1, warmup=0)
    record(f"Index.add_many (with sketching) @{size}", "dedup", info["add_rate"], "art/s", benchmark=benchmark)
    record(f"Index.open @{size}", "dedup", info["open_s"], "s", benchmark=benchmark, higher_is_better=False)
    record(f"Index.open @{size}", "dedup, band tables rebuilt from the rows", info["rebuild_s"], "s", benchmark=benchmark,
           higher_is_better=False, dedup=False)
    record(f"Index.open @{size}", "goal", 2.0, "s", benchmark=benchmark, higher_is_better=False, dedup=False)
    record(f"Index RSS after open @{size}", "dedup", info["rss_per_article"], "B/article", benchmark=benchmark,
           higher_is_better=False)


def test_index_check(benchmark, full_index):
    """check of articles already indexed (a crawler fetching a page again) and of articles that are not (the
    rest of the corpus: new pages, many of them copies or rewrites of indexed stories)."""
    index, info = full_index
    corpus = list(texts())
    docs = corpus[:min(300, FULL_ADD)]
    fresh = corpus[FULL_ADD : FULL_ADD + 300]
    total, core, core_fresh, core_cold = [], [], [], []

    def index_time(numbered: tuple[int, object]) -> None:  # refresh + band lookups + verification
        index._refresh()
        index._matches(f"q{numbered[0]}", numbered[1])

    def cold(numbered: tuple[int, object]) -> None:  # every candidate fetched from SQLite and unpacked
        index._cache.clear()
        index_time(numbered)

    fresh_sketches = index._sketch(fresh)

    def go():
        _time_each(lambda numbered: index.check(f"q{numbered[0]}", numbered[1]), enumerate(docs), total)
        _time_each(index_time, enumerate(index._sketch(docs)), core)
        _time_each(index_time, enumerate(fresh_sketches), core_fresh)
        _time_each(cold, enumerate(fresh_sketches), core_cold)

    run(benchmark, go, rounds=1)
    size = _size_id(info["m"])
    alone = [t for k, (t, s) in enumerate(zip(core_fresh, fresh_sketches)) if not index._matches(f"q{k}", s)]
    if alone:  # what most pages of a crawl are: a story the index does not hold yet
        record(f"Index.check p50 @{size}", f"dedup index time (matching nothing: {len(alone)} of {len(fresh)} new articles)",
               _pct(alone, 50) * 1e6, "µs", benchmark=benchmark, dedup=False, higher_is_better=False)
    if core_fresh:
        for q in (50, 99):
            record(f"Index.check p{q} @{size}", "dedup index time (articles not indexed)", _pct(core_fresh, q) * 1e6, "µs",
                   benchmark=benchmark, dedup=False, higher_is_better=False)
            record(f"Index.check p{q} @{size}", "dedup index time (not indexed, no candidate cached)", _pct(core_cold, q) * 1e6,
                   "µs", benchmark=benchmark, dedup=False, higher_is_better=False)
    record(f"Index.check p50 @{size}", "dedup with sketching", _pct(total, 50) * 1e6, "µs", benchmark=benchmark, dedup=False,
           higher_is_better=False)
    record(f"Index.check p50 @{size}", "dedup index time", _pct(core, 50) * 1e6, "µs", benchmark=benchmark, dedup=True,
           higher_is_better=False)
    record(f"Index.check p99 @{size}", "dedup with sketching", _pct(total, 99) * 1e6, "µs", benchmark=benchmark, dedup=False,
           higher_is_better=False)
    record(f"Index.check p99 @{size}", "dedup index time", _pct(core, 99) * 1e6, "µs", benchmark=benchmark, dedup=True,
           higher_is_better=False)
    record(f"Index.check p50 @{size}", "goal", 100, "µs", benchmark=benchmark, dedup=False, higher_is_better=False)
    record(f"Index.check p99 @{size}", "goal", 1000, "µs", benchmark=benchmark, dedup=False, higher_is_better=False)


def test_index_check_on_real_news(benchmark):
    """check on real news: Multi-News' source articles (several outlets reporting each event, some of them
    copies) in one in-memory index, 1,000 of them checked under their own ids (so each meets the rest as a new
    article would): index time for all, and for the ones that match nothing."""
    docs = news()
    if not docs:
        pytest.skip("shared/eval/multinews not found")
    index = Index()
    index.add_many((article_id, text, None) for article_id, text in docs)
    picked = np.random.default_rng(SEED_REAL).choice(len(docs), min(1000, len(docs)), replace=False).tolist()
    ids = [docs[k][0] for k in picked]
    sketches = index._sketch([docs[k][1] for k in picked])
    lat: list[float] = []

    def index_time(k: int) -> None:  # refresh + band lookups + verification, as test_index_check times it
        index._refresh()
        index._matches(ids[k], sketches[k])

    run(benchmark, lambda: _time_each(index_time, range(len(ids)), lat), rounds=3)
    alone = [t for k, t in enumerate(lat) if not index._matches(ids[k], sketches[k])]
    group = f"Index.check on real news ({len(docs):,} Multi-News articles)"
    for q in (50, 99):
        record(f"{group} p{q}", "dedup index time", _pct(lat, q) * 1e6, "µs", benchmark=benchmark, higher_is_better=False)
        if alone:
            record(f"{group} p{q}", f"dedup index time (matching nothing: {len(alone)} of {len(ids)})", _pct(alone, q) * 1e6,
                   "µs", benchmark=benchmark, dedup=False, higher_is_better=False)
    record(f"{group} p50", "goal", 100, "µs", benchmark=benchmark, dedup=False, higher_is_better=False)




def test_index_check_candidates_grow_with_real_news(benchmark):
    """How a check's work grows with the index on real news: Multi-News' source articles (shuffled) added a
    quarter, a half, then all into one in-memory index; after each, the same 300 articles checked (under their
    own ids): candidates the band tables return per check (the rest of the articles are other events: nearly
    all of these are topic neighbours), those the prefilter lets it fetch and, of those, the ones it does not
    match, and index time. The filler rows of test_index_check never share a band
    key with anything, so they cannot show this."""
    from dedup.arrays import unique_sorted

    docs = news()
    if not docs:
        pytest.skip("shared/eval/multinews not found")
    order = np.random.default_rng(SEED_REAL).permutation(len(docs)).tolist()
    docs = [docs[k] for k in order]
    checked = docs[:300]
    index = Index()
    sizes = [len(docs) // 4, len(docs) // 2, len(docs)]
    grown = {}

    def grow():
        added = 0
        for size in sizes:
            index.add_many((article_id, text, None) for article_id, text in docs[added:size])
            added = size
            sketches = index._sketch([text for _, text in checked])
            candidates, fetched, unmatched, lat = [], [], [], []
            kept_rows = []
            for (article_id, _), s in zip(checked, sketches):
                near, by_terms, kept = index._candidate_rows(s)
                candidates.append(len(unique_sorted(np.concatenate((near, by_terms)))) - (article_id in index))
                kept_rows.append(unique_sorted(np.concatenate((near, by_terms[kept]))))
                fetched.append(len(kept_rows[-1]) - (article_id in index))
            _time_each(lambda numbered: index._matches(checked[numbered[0]][0], numbered[1]), enumerate(sketches), lat)
            for (article_id, _), s, rows in zip(checked, sketches, kept_rows):  # (after the timing: it fetches them)
                matched = {m.id for m in index._matches(article_id, s)} | {article_id}
                unmatched.append(sum(c[0] not in matched for c in index._candidates(rows.tolist())))
            grown[size] = (float(np.mean(candidates)), float(np.mean(fetched)), float(np.mean(unmatched)), _pct(lat, 50))

    run(benchmark, grow, rounds=1, warmup=0)
    group = "Index.check on real news as the index grows"
    for size, (candidates, fetched, unmatched, p50) in grown.items():
        record(f"{group}: candidates per check", f"dedup @{size:,} articles", candidates, "candidates", benchmark=benchmark,
               higher_is_better=False)
        record(f"{group}: candidates per check", f"dedup @{size:,} articles, share of the index", candidates / size * 100, "%",
               benchmark=benchmark, higher_is_better=False, dedup=False)
        record(f"{group}: candidates fetched per check (kept by the prefilter)", f"dedup @{size:,} articles", fetched,
               "candidates", benchmark=benchmark, higher_is_better=False)
        record(f"{group}: candidates fetched per check (kept by the prefilter)", f"dedup @{size:,} articles, not matched",
               unmatched, "candidates", benchmark=benchmark, higher_is_better=False)
        record(f"{group}: candidates fetched per check (kept by the prefilter)", f"dedup @{size:,} articles, not matched, share of the index",
               unmatched / size * 100, "%", benchmark=benchmark, higher_is_better=False, dedup=False)
        record(f"{group}: p50 index time", f"dedup @{size:,} articles", p50 * 1e6, "µs", benchmark=benchmark, higher_is_better=False)
