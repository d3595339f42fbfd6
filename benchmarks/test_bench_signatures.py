"""MinHash signatures from raw text (128 permutations, word 5-shingles), articles per second.

Contenders, all from the same raw texts in the same run:

``dedup``            normalize.clean → tokenhash.tokenize (numba-compiled scanner: folds, splits, hashes) →
                     shingle.unique_shingles → Permutations.signatures, in batches of 1,000 articles
                     (the shingle part of features.extract, then what Sketcher does with the shingles)
``dedup-no-numba``   the same with the pure-Python token path (regex + xxhash): identical signatures
``dedup-sketcher``   the full Sketcher.sketch: the above plus sentence split, content terms, a second
                     256-permutation term signature and LSH band keys of both (more work than the others)
``datasketch``       MinHash.bulk (affine32), shingles built in Python as its docs show
``rensa``            RMinHash(num_perm, seed).update(shingles).digest() per article, as its README shows
``rensa-matrix``     RMinHash.digest_matrix_from_token_sets: rensa's own bulk API
``gaoya``            MinHashStringIndex.insert_document: Rust tokenise + 5-shingle + MinHash + LSH insert
                     (25 bands × 5 rows = dedup's near-duplicate layout), one call per article

The Python-built shingles of datasketch/rensa use the simple tokeniser their examples use
(``re.findall(r"\\w+", text.lower())``), which does less work than dedup's normalisation (NFKC,
invisible characters, URLs, figures). Slow references run on a prefix of the corpus (rates are per
article, so they compare; dedup-sketcher 1,000, datasketch 300). Figures are recorded with their ratios by benchmarks/conftest.py.
"""
from __future__ import annotations

import multiprocessing as mp
import re
from functools import lru_cache

import numpy as np
import pytest

from benchmarks.conftest import record, run
from benchmarks.corpus import texts
from dedup.config import Config
from dedup.counts import CountTable
from dedup import tokenhash
from dedup.normalize import clean, words
from dedup.shingle import shingle_hashes, unique_shingles
from dedup.signature import Permutations
from dedup.sketch import Sketcher
from dedup.tokenhash import hash_tokens, tokenize

NUM_PERM = 128
K = 5
SEED = 1
BATCH = 1000
GROUP = "signatures from raw text (128 perms, word 5-shingles)"
_SIMPLE = re.compile(r"\w+")


def _prefix(n: int) -> tuple[str, ...]:
    docs = texts()
    return docs[: min(len(docs), n)]


def _rate(benchmark, group: str, who: str, n: int, fn, **timing) -> None:
    """Time fn over n articles and record the rate in group (the ratio table pairs it with the others)."""
    secs = run(benchmark, fn, **timing)
    benchmark.extra_info["articles"] = n
    record(group, who, n / secs, "art/s", benchmark=benchmark)


# -- dedup -----------------------------------------------------------------------------------------

_PERMS: Permutations | None = None


def dedup_signatures(docs, scan=tokenize) -> np.ndarray:
    """Raw texts → (len(docs), 128) uint32 signatures, the engine's tokenise + shingle + MinHash path."""
    global _PERMS
    if _PERMS is None:
        _PERMS = Permutations(NUM_PERM, SEED)
    out = []
    for i in range(0, len(docs), BATCH):
        sets = [unique_shingles(scan(clean(t)).hashes, K) for t in docs[i : i + BATCH]]
        out.append(_PERMS.signatures(sets))
    return np.concatenate(out) if out else np.empty((0, NUM_PERM), np.uint32)


def test_dedup(benchmark):
    docs = texts()
    _rate(benchmark, GROUP, "dedup", len(docs), lambda: dedup_signatures(docs), rounds=3)


def test_dedup_without_numba(benchmark):
    docs = _prefix(1000)
    assert (dedup_signatures(docs[:50]) == dedup_signatures(docs[:50], tokenhash._regex_tokenize)).all()
    _rate(benchmark, GROUP, "dedup-no-numba", len(docs), lambda: dedup_signatures(docs, tokenhash._regex_tokenize), rounds=1)


def test_dedup_sketcher(benchmark):
    docs = list(_prefix(1000))
    sketcher, counts = Sketcher(Config()), CountTable()

    def go():
        for i in range(0, len(docs), BATCH):
            sketcher.sketch(docs[i : i + BATCH], counts)

    _rate(benchmark, GROUP, "dedup-sketcher", len(docs), go, rounds=1)


# -- references ------------------------------------------------------------------------------------


def _shingles(text: str) -> list[str]:
    toks = _SIMPLE.findall(text.lower())
    return [" ".join(toks[i : i + K]) for i in range(max(1, len(toks) - K + 1))]


def test_datasketch(benchmark):
    datasketch = pytest.importorskip("datasketch")
    docs = _prefix(300)

    def go():
        data = [[s.encode("utf-8") for s in _shingles(t)] for t in docs]
        return datasketch.MinHash.bulk(data, num_perm=NUM_PERM, seed=SEED, scheme="affine32")

    _rate(benchmark, GROUP, "datasketch", len(docs), go, rounds=1, warmup=0)


def test_rensa(benchmark):
    rensa = pytest.importorskip("rensa")
    docs = texts()

    def go():
        out = []
        for t in docs:
            m = rensa.RMinHash(num_perm=NUM_PERM, seed=SEED)
            m.update(_shingles(t))
            out.append(m.digest())
        return out

    _rate(benchmark, GROUP, "rensa", len(docs), go, rounds=3)


def test_rensa_matrix(benchmark):
    rensa = pytest.importorskip("rensa")
    docs = texts()

    def go():
        return rensa.RMinHash.digest_matrix_from_token_sets([_shingles(t) for t in docs], NUM_PERM, SEED)

    _rate(benchmark, GROUP, "rensa-matrix", len(docs), go, rounds=3)


def _gaoya_index():
    from gaoya.minhash import MinHashStringIndex

    return MinHashStringIndex(hash_size=32, jaccard_threshold=0.5, num_bands=25, band_size=5, analyzer="word",
                              lowercase=True, ngram_range=(K, K))


def test_gaoya(benchmark):
    pytest.importorskip("gaoya")
    docs = texts()

    def go():
        index = _gaoya_index()
        for i, t in enumerate(docs):
            index.insert_document(i, t)
        return index

    _rate(benchmark, GROUP, "gaoya", len(docs), go, rounds=3)


# -- where dedup's time goes (µs per article, per stage) -------------------------------------------

STAGES = "dedup stages (µs/article)"


@lru_cache(maxsize=1)
def _stage_inputs():
    docs = texts()
    cleaned = [clean(t) for t in docs]
    th = [tokenize(c).hashes for c in cleaned]
    return docs, cleaned, th, [unique_shingles(h, K) for h in th]


@pytest.mark.parametrize("stage", ["clean", "tokenize", "tokenize (no numba)", "shingle_hashes+np.unique",
                                   "unique_shingles", "signatures"])
def test_stage(benchmark, stage):
    docs, cleaned, th, sets = _stage_inputs()
    perms = Permutations(NUM_PERM, SEED)
    fn = {
        "clean": lambda: [clean(t) for t in docs],
        "tokenize": lambda: [len(tokenize(c).hashes) for c in cleaned],  # results dropped, as in the pipeline
        "tokenize (no numba)": lambda: [len(tokenhash._regex_tokenize(c).hashes) for c in cleaned],
        "shingle_hashes+np.unique": lambda: [np.unique(shingle_hashes(h, K)) for h in th],
        "unique_shingles": lambda: [unique_shingles(h, K) for h in th],
        "signatures": lambda: [perms.signatures(sets[i : i + BATCH]) for i in range(0, len(sets), BATCH)],
    }[stage]
    secs = run(benchmark, fn, rounds=3)
    record(STAGES, stage, secs / len(docs) * 1e6, "µs", benchmark=benchmark, higher_is_better=False, dedup=False)


# -- two processes vs one --------------------------------------------------------------------------

PARALLEL = "dedup signatures, 2 processes vs 1"


@pytest.fixture(scope="module")
def pool():
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    with ctx.Pool(2) as p:
        p.map(dedup_signatures, [texts()[:10]] * 2)  # warm both workers (imports, permutations, caches)
        yield p


@pytest.mark.parametrize("procs", [1, 2])
def test_processes(benchmark, pool, procs):
    docs = texts()
    if procs == 1:
        fn = lambda: dedup_signatures(docs)  # noqa: E731
    else:
        half = (len(docs) + 1) // 2
        fn = lambda: np.concatenate(pool.map(dedup_signatures, [docs[:half], docs[half:]]))  # noqa: E731
    secs = run(benchmark, fn, rounds=2)
    benchmark.extra_info["articles"] = len(docs)
    record(PARALLEL, f"dedup-{procs}proc" if procs == 2 else "1proc", len(docs) / secs, "art/s", benchmark=benchmark,
           dedup=procs == 2)


# -- the same token lists for everyone: what shingle.py + signature.py do vs the references' MinHash ------


@lru_cache(maxsize=1)
def _token_lists() -> list[list[str]]:
    return [words(t) for t in texts()]

TOKENS = "signatures from token lists (same normalize.words tokens for all; 128 perms, 5-shingles)"


@pytest.mark.parametrize("who", ["dedup", "datasketch", "rensa"])
def test_from_tokens(benchmark, who):
    toks = _token_lists()
    if who == "datasketch":
        datasketch = pytest.importorskip("datasketch")
        toks = toks[:300]
        fn = lambda: datasketch.MinHash.bulk(  # noqa: E731
            [[" ".join(t[i : i + K]).encode() for i in range(max(1, len(t) - K + 1))] for t in toks],
            num_perm=NUM_PERM, seed=SEED, scheme="affine32")
    elif who == "rensa":
        rensa = pytest.importorskip("rensa")
        fn = lambda: rensa.RMinHash.digest_matrix_from_token_sets(  # noqa: E731
            [[" ".join(t[i : i + K]) for i in range(max(1, len(t) - K + 1))] for t in toks], NUM_PERM, SEED)
    else:
        perms = Permutations(NUM_PERM, SEED)
        fn = lambda: [perms.signatures([unique_shingles(hash_tokens(t), K) for t in toks[i : i + BATCH]])  # noqa: E731
                      for i in range(0, len(toks), BATCH)]
    slow = who == "datasketch"
    _rate(benchmark, TOKENS, who, len(toks), fn, rounds=1 if slow else 2, warmup=0 if slow else 1)
