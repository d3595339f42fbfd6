import numpy as np
import pytest
from datasketch.lsh import _optimal_param
from hypothesis import given, settings, strategies as st

from dedup.lsh import BandTable, band_keys, optimal_bands


@pytest.mark.parametrize("threshold,num_perm,weights", [(0.15, 128, (0.5, 0.5)), (0.5, 128, (0.5, 0.5)), (0.8, 64, (0.5, 0.5)), (0.3, 128, (0.2, 0.8))])
def test_band_layout_is_chosen_as_datasketch_does(threshold, num_perm, weights):
    assert optimal_bands(threshold, num_perm, *weights) == _optimal_param(threshold, num_perm, *weights)


def test_band_keys_differ_per_band_and_match_on_equal_bands():
    sig = np.arange(20, dtype=np.uint32)[None, :].repeat(2, axis=0)
    sig[1, 15:] += 1  # last band differs
    keys = band_keys(sig, 4, 5)
    assert len(set(keys[0].tolist())) == 4
    assert (keys[0, :3] == keys[1, :3]).all() and keys[0, 3] != keys[1, 3]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=1, max_size=60))
def test_add_remove_round_trip(ops):
    """Whatever the order of adds and removes, a query finds exactly the live rows sharing a key."""
    table = BandTable()
    live: dict[int, np.ndarray] = {}
    for step, (row, remove) in enumerate(ops):
        if remove and row in live:
            table.remove(row)
            del live[row]
        elif not remove and row not in live:
            keys = np.array([row % 7, 100 + row % 3], dtype=np.uint64)
            table.add(row, keys)
            live[row] = keys
    for probe in range(7):
        expected = {r for r, k in live.items() if probe in k.tolist()}
        assert set(table.query(np.array([probe], dtype=np.uint64)).tolist()) == expected


def test_big_buckets_yield_linear_pairs_not_quadratic():
    table = BandTable()
    n = 1000
    table.bulk_load(np.arange(n), np.zeros((n, 1), dtype=np.uint64))  # one wire story on 1,000 sites
    pairs = table.pairs(cap=64)
    assert len(pairs) < 2 * n  # a star and a chain, not 499,500 pairs
    # ... and still connected: every row reaches row 0.
    assert set(pairs[:, 0].tolist()) | set(pairs[:, 1].tolist()) == set(range(n))
    small = BandTable()
    small.bulk_load(np.arange(5), np.zeros((5, 1), dtype=np.uint64))
    assert len(small.pairs(cap=64)) == 10


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(50, 3000), st.integers(2, 12), st.sampled_from([2, 5, 64]))
def test_compiled_pair_codes_are_the_numpy_ones(seed, rows, keys, cap):
    """The compiled pass (a hash set of the distinct pairs) gives the codes the numpy blocks give: every pair of
    a bucket up to cap rows, a star and a chain beyond, a pair met in many bands once, a row with itself never."""
    pytest.importorskip("dedup._compiled")
    from dedup import accel

    rng = np.random.default_rng(seed)
    table = BandTable()
    band_keys = rng.integers(0, keys, (rows, 6), dtype=np.uint64)  # few keys: buckets of every size, pairs in several bands
    band_keys[: rows // 3, 1] = band_keys[: rows // 3, 0]  # (a row in one bucket twice: no pair with itself)
    table.bulk_load(rng.permutation(rows * 2)[:rows], band_keys)
    compiled = table.pair_codes(cap)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accel, "kernels", lambda: None)
        assert np.array_equal(compiled, table.pair_codes(cap))
    assert compiled.dtype == np.int64 and len(compiled) and (np.diff(compiled) > 0).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1, max_size=80), st.integers(0, 3))
def test_bulk_and_incremental_loads_agree(ops, wide):
    """One bulk load of the live rows answers every query and pair request as a table built one add and remove at
    a time does, including rows that come back after removal and rows past the packed row width."""
    offset = [0, 1 << 16, (1 << 20) + 5, 1 << 40][wide]
    rng = np.random.default_rng(len(ops))
    universe = rng.integers(0, 1 << 63, 12, dtype=np.uint64)  # hashed band keys, as band_keys makes them
    keys_of = {row: universe[[row % 12, (row * 7 + 3) % 12, 11 - row % 5]] for row in range(41)}
    incremental, live = BandTable(), set()
    for row, remove in ops:
        if remove and row in live:
            incremental.remove(offset + row)
            live.discard(row)
        elif not remove and row not in live:
            incremental.add(offset + row, keys_of[row])
            live.add(row)
    bulk = BandTable()
    order = sorted(live)
    bulk.bulk_load(np.array([offset + r for r in order], dtype=np.int64), np.array([keys_of[r] for r in order]).reshape(len(order), 3))
    for key in universe:
        expected = {offset + r for r in live if key in keys_of[r]}
        assert set(incremental.query(np.array([key])).tolist()) == expected == set(bulk.query(np.array([key])).tolist())
    assert len(incremental) >= len(bulk) == 3 * len(live)  # removed rows' entries may linger until compaction
    assert incremental.pairs(cap=64).tolist() == bulk.pairs(cap=64).tolist()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.integers(1, 30_000), min_size=1, max_size=4))
def test_compiled_query_with_directories_finds_what_binary_search_finds(seed, pieces):
    """Big tables (several runs, directories of thousands of slots) answer like the plain numpy search."""
    pytest.importorskip("dedup._compiled")
    from dedup import accel

    rng = np.random.default_rng(seed)
    table, first, held = BandTable(), 0, []
    shared = rng.integers(0, 1 << 63, 50, dtype=np.uint64)  # keys many rows hold: buckets of several rows
    for n in pieces:
        keys = rng.integers(0, 1 << 63, (n, 8), dtype=np.uint64)
        keys[:, 0] = shared[rng.integers(0, 50, n)]
        table.bulk_load(np.arange(first, first + n), keys)
        held.append(keys.ravel())
        first += n
    table.remove(3)
    held = np.concatenate(held)
    probes = [np.concatenate([held[rng.integers(0, len(held), 3)], rng.integers(0, 1 << 63, 5, dtype=np.uint64)]) for _ in range(20)]
    compiled = [table.query(p) for p in probes]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accel, "kernels", lambda: None)
        for p, rows in zip(probes, compiled):
            assert np.array_equal(rows, table.query(p))
    assert sum(len(r) > 0 for r in compiled) >= 10  # each probe holds three stored keys (only row 3 is gone)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_one_run_query_finds_what_binary_search_finds(seed):
    """A table of one run (restored or compacted: what a check meets) is queried in one compiled call; it answers
    like the numpy search, removed rows left out."""
    pytest.importorskip("dedup._compiled")
    from dedup import accel

    rng = np.random.default_rng(seed)
    table = BandTable()
    keys = rng.integers(0, 1 << 63, (3000, 8), dtype=np.uint64)
    keys[:, 0] = rng.integers(0, 1 << 63, 40, dtype=np.uint64)[rng.integers(0, 40, 3000)]  # buckets of many rows
    table.bulk_load(np.arange(3000), keys)
    table.snapshot()  # compacted: one run
    table.remove(3, 17, 2999)
    assert len(table._runs) == 1
    probes = [np.concatenate([keys.ravel()[rng.integers(0, keys.size, 4)], rng.integers(0, 1 << 63, 4, dtype=np.uint64)]) for _ in range(30)]
    compiled = [table.query(p) for p in probes]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accel, "kernels", lambda: None)
        for p, rows in zip(probes, compiled):
            assert rows.dtype == np.int64 and np.array_equal(rows, table.query(p))
    assert sum(len(r) > 1 for r in compiled) >= 10


@pytest.mark.parametrize("slices", [2, 5])
def test_a_table_restored_from_slices_is_queried_as_the_whole_run(slices):
    """An index's stored band table comes back as consecutive slices of its one sorted run (read-only, one per
    stored part): queried in one compiled call over all of them, it answers as the whole run does, with and
    without the kernels, removed rows left out."""
    pytest.importorskip("dedup._compiled")
    from dedup import accel

    rng = np.random.default_rng(slices)
    keys = rng.integers(0, 1 << 63, (4000, 8), dtype=np.uint64)
    keys[:, 0] = rng.integers(0, 1 << 63, 40, dtype=np.uint64)[rng.integers(0, 40, 4000)]  # buckets across slices
    whole = BandTable()
    whole.bulk_load(np.arange(4000), keys)
    bits, run = whole.snapshot()
    cuts = np.linspace(0, len(run), slices + 1).astype(int)
    parts = [np.frombuffer(run[a:b].tobytes(), dtype=np.uint64) for a, b in zip(cuts, cuts[1:])]
    restored = BandTable.restore(bits, parts)
    assert len(restored._runs) == slices
    for table in (whole, restored):
        table.remove(3, 17, 3999)
    probes = [np.concatenate([keys.ravel()[rng.integers(0, keys.size, 4)], rng.integers(0, 1 << 63, 4, dtype=np.uint64)]) for _ in range(30)]
    compiled = [restored.query(p) for p in probes]
    assert all(np.array_equal(rows, whole.query(p)) for p, rows in zip(probes, compiled))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accel, "kernels", lambda: None)
        assert all(np.array_equal(rows, restored.query(p)) for p, rows in zip(probes, compiled))
    assert sum(len(r) > 1 for r in compiled) >= 10


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("damage", ["swapped pair", "reversed run", "parts out of order"])
def test_a_damaged_snapshot_is_refused_not_queried(compiled, damage):
    """A stored snapshot whose entries are not sorted would send the compiled search's directory reads astray:
    restore refuses it (the index then rebuilds its tables from the articles), with the kernels and without."""
    from dedup import accel

    if compiled:
        pytest.importorskip("dedup._compiled")
    rng = np.random.default_rng(5)
    table = BandTable()
    table.bulk_load(np.arange(500), rng.integers(0, 1 << 63, (500, 4), dtype=np.uint64))
    bits, run = table.snapshot()
    parts = [run[:1000].copy(), run[1000:].copy()]
    if damage == "swapped pair":
        parts[0][[10, 11]] = parts[0][[11, 10]]
    elif damage == "reversed run":
        parts[1] = parts[1][::-1].copy()
    else:
        parts = parts[::-1]
    with pytest.MonkeyPatch.context() as mp:
        if not compiled:
            mp.setattr(accel, "kernels", lambda: None)
        assert BandTable.restore(bits, [run[:1000], run[1000:]]).same_entries(table)
        with pytest.raises(ValueError, match="band table run"):
            BandTable.restore(bits, parts)


@pytest.mark.parametrize("spread", [1, 2000])
def test_compiled_query_of_a_story_held_by_thousands_of_rows(spread):
    """Two thousand rows sharing every band key (a story's copies) come back from each band: the compiled query
    sorts them once through a bitmap when they are dense (spread 1: rows 0…1999) and by sorting when they are
    sparse (spread 2,000: rows 0, 2000, 4000…), and answers as the numpy search does, removed rows left out."""
    pytest.importorskip("dedup._compiled")
    from dedup import accel

    keys = np.random.default_rng(spread).integers(0, 1 << 63, 30, dtype=np.uint64)
    table = BandTable()
    table.bulk_load(np.arange(0, 2000 * spread, spread), np.tile(keys, (2000, 1)))
    table.snapshot()
    table.remove(0, 7 * spread, 1999 * spread)
    rows = table.query(keys[:20])
    assert rows.dtype == np.int64 and rows.tolist() == [r for r in range(0, 2000 * spread, spread) if r not in (0, 7 * spread, 1999 * spread)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accel, "kernels", lambda: None)
        assert np.array_equal(rows, table.query(keys[:20]))
