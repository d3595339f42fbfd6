import subprocess
from contextlib import contextmanager
import sys

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings, strategies as st

from dedup.features import extract
from dedup.signature import Permutations, jaccard, to_datasketch


def test_bit_identical_to_datasketch_affine32():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 1 << 32, 600, dtype=np.uint64).astype(np.uint32)
    for seed, num_perm in [(1, 128), (42, 64), (7, 256)]:
        reference = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda v: v)
        reference.update_batch(values.tolist())
        assert np.array_equal(Permutations(num_perm, seed).signature(values), reference.hashvalues)


def test_batch_equals_one_by_one_and_empty_sets(seeds):
    perms = Permutations(128, 1)
    sets = [extract(t, 5).shingles for t in seeds.values()] + [np.empty(0, np.uint32)]
    batch = perms.signatures(sets)
    for s, row in zip(sets, batch):
        assert np.array_equal(perms.signature(s), row)
    assert (batch[-1] == 0xFFFFFFFF).all()


def test_datasketch_export_gives_the_same_estimate(seeds):
    perms = Permutations(128, 5)
    a, b = (perms.signature(extract(seeds[k], 3).shingles) for k in ("002", "003"))
    assert to_datasketch(a, 5).jaccard(to_datasketch(b, 5)) == jaccard(a, b)


def test_same_article_same_signature_in_another_process(seeds):
    """Signatures must not depend on Python's per-process string hash seed."""
    code = (
        "import sys; from dedup.features import extract; from dedup.signature import Permutations; "
        "t = open(sys.argv[1], encoding='utf-8').read(); "
        "print(Permutations(128, 1).signature(extract(t, 5).shingles).tobytes().hex())"
    )
    from conftest import SEEDS

    path = str(sorted(SEEDS.glob("*.txt"))[0])
    outs = {subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, env={"PYTHONHASHSEED": str(h)}, check=True).stdout for h in (1, 2)}
    local = Permutations(128, 1).signature(extract(open(path, encoding="utf-8").read(), 5).shingles).tobytes().hex()
    assert outs == {local + "\n"}


@settings(max_examples=60, deadline=None)
@given(st.integers(50, 800), st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
def test_estimate_tracks_exact_jaccard(size, share, seed):
    """With 128 permutations the estimate's standard error is ≤ 0.045; allow 5.5 of them."""
    rng = np.random.default_rng(seed)
    pool = np.unique(rng.integers(0, 1 << 32, 3 * size, dtype=np.uint64).astype(np.uint32))
    shared = int(share * size)
    a = pool[:size]
    b = np.concatenate([pool[:shared], pool[size : 2 * size - shared]])
    exact = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    sigs = Permutations(128, 1).signatures([a, b])
    assert abs(jaccard(sigs[0], sigs[1]) - exact) <= 0.25


# -- the compiled kernels give exactly what the numpy paths give ------------------------------------------

@contextmanager
def _numpy_only():
    from dedup import accel

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accel, "kernels", lambda: None)
        yield


SETS = st.lists(st.lists(st.integers(0, (1 << 32) - 1), max_size=300).map(lambda v: np.array(v, dtype=np.uint32)), max_size=6)


@settings(max_examples=60, deadline=None)  # the first example loads the compiled kernels
@given(SETS, st.sampled_from([(64, 1), (128, 7), (256, 42)]))
def test_compiled_minhash_equals_numpy_minhash(sets, layout):
    pytest.importorskip("dedup._compiled")
    perms = Permutations(*layout)
    compiled = perms.signatures(sets)
    with _numpy_only():
        assert np.array_equal(compiled, perms.signatures(sets))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, (1 << 64) - 1), max_size=80).map(lambda v: np.array(v, dtype=np.uint64)), st.integers(1, 7))
def test_compiled_shingles_equal_numpy_shingles(token_hashes, k):
    pytest.importorskip("dedup._compiled")
    from dedup.shingle import shingle_hashes, unique_shingles

    compiled = shingle_hashes(token_hashes, k)
    with _numpy_only():
        assert np.array_equal(compiled, shingle_hashes(token_hashes, k))
    assert np.array_equal(unique_shingles(token_hashes, k), np.unique(compiled))
