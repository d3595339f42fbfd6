"""The prefilter: content-term signatures' low bytes in memory, counted before a check fetches a candidate."""
import json
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from dedup import Config, Index, accel
from dedup.prefilter import Prefilter, min_agreements
from dedup.signature import Permutations

CONFIG = Config()


def _pairs_at(jaccard: float, n: int, rng: np.random.Generator) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """n pairs of random term sets (300 distinct terms between them) with exactly this Jaccard."""
    union, a, b = 300, [], []
    shared = round(jaccard * union)
    for _ in range(n):
        terms = rng.choice(1 << 32, union, replace=False).astype(np.uint32)
        own = (union - shared) // 2
        a.append(terms[: shared + own])
        b.append(np.concatenate([terms[:shared], terms[shared + own :]]))
    return a, b


def _agreements(a: list[np.ndarray], b: list[np.ndarray]) -> np.ndarray:
    perms = Permutations(CONFIG.term_num_perm, CONFIG.seed)
    sa, sb = perms.signatures(a), perms.signatures(b)
    return np.count_nonzero(sa.astype(np.uint8) == sb.astype(np.uint8), axis=1)


def test_the_cut_keeps_pairs_at_the_rewrite_lsh_threshold_and_drops_other_events():
    """At the Jaccard the rewrite band layout is built for, the cut drops about 1% of pairs; at what other events
    on the same topic share (0.03), nearly all. Low bytes: a high byte (mostly zero in a minimum) would keep all."""
    rng = np.random.default_rng(3)
    k = min_agreements(CONFIG.rewrite_lsh_threshold, CONFIG.term_num_perm)
    at_threshold = _agreements(*_pairs_at(CONFIG.rewrite_lsh_threshold, 2000, rng))
    other_events = _agreements(*_pairs_at(0.03, 2000, rng))
    assert np.mean(at_threshold < k) < 0.02
    assert np.mean(other_events < k) > 0.9


@pytest.mark.parametrize("threshold, num_perm", [(0.1, 256), (0.3, 64), (0.02, 4096), (1.0, 16)])
def test_min_agreements_is_the_binomial_one_percent_point(threshold, num_perm):
    k = min_agreements(threshold, num_perm)
    draws = np.random.default_rng(0).binomial(num_perm, threshold, 200_000)
    assert np.mean(draws < k) <= 0.0115
    assert k == num_perm or np.mean(draws < k + 1) > 0.0085


OPS = st.lists(st.tuples(st.booleans(), st.integers(1, 6), st.integers(0, 2**32 - 1)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(OPS)
def test_agreements_are_the_rows_own_after_adds_removals_and_a_snapshot(ops):
    """Whatever rows came and went, a held row's count is its own signature's equal low bytes, a row never held
    counts as agreeing everywhere (with or without the compiled kernel), and a snapshot restores the same answers."""
    width = 16
    rng = np.random.default_rng(0)
    table, live, row = Prefilter(width), {}, 0
    for add, count, seed in ops:
        if add:
            rows = np.arange(row + 1, row + count + 1)
            sigs = np.random.default_rng(seed).integers(0, 2**32, (count, width), dtype=np.uint32)
            sigs[:, : count] = 7  # some values shared by every row
            table.load(rows, sigs)
            live.update(zip(rows.tolist(), sigs))
            row += count
        elif live:
            gone = sorted(live)[seed % len(live)]
            table.remove(gone)
            del live[gone]
    query = rng.integers(0, 2**32, width, dtype=np.uint32)
    query[:3] = 7
    ask = np.array(sorted(live) + [row + 1, row + 5], dtype=np.int64)
    expected = [int(np.count_nonzero((live[r] & 255) == (query & 255))) for r in sorted(live)] + [width, width]
    assert table.agreements(ask, query).tolist() == expected
    with mock.patch.object(accel, "kernels", lambda: None):  # numpy's answer is the compiled one's
        assert table.agreements(ask, query).tolist() == expected
    rows, data = table.snapshot()
    assert rows.tolist() == sorted(live)
    assert Prefilter.restore(rows, data, width).agreements(ask, query).tolist() == expected


def test_rows_out_of_order_are_refused():
    table = Prefilter(4)
    table.load(np.array([3, 5]), np.zeros((2, 4), dtype=np.uint32))
    with pytest.raises(ValueError, match="increasing"):
        table.load(np.array([4]), np.zeros((1, 4), dtype=np.uint32))
    with pytest.raises(ValueError, match="not in order"):
        Prefilter.restore(np.array([5, 3]), np.zeros((2, 4), dtype=np.uint8), 4)


def test_on_real_news_the_cut_drops_most_candidates_and_no_match(shared, monkeypatch):
    """Multi-News: several outlets on each event, many events on each topic. The cut fetches a fraction of the
    term-band candidates, and a check finds exactly what it finds without the cut."""
    with open(shared / "eval/multinews/multinews_test_truncated_docs.jsonl", encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    docs = [docs[k] for k in np.random.default_rng(7).permutation(len(docs))[:3000] if docs[k]["text"].strip()]  # (a few are empty)
    ix = Index()
    ix.add_many([(d["id"], d["text"], None) for d in docs])
    probes = docs[:150]
    sketches = ix._sketch([d["text"] for d in probes])
    found = [[(m.id, m.relation, m.rewrite_score) for m in ix._matches(d["id"], s)] for d, s in zip(probes, sketches)]
    cuts = [ix._candidate_rows(s)[1:] for s in sketches]  # (term-band rows, which of them the cut keeps)
    kept = sum(int(np.count_nonzero(keep)) for _, keep in cuts)
    rewrites = sum(r == "rewrite" for f in found for _, r, _ in f)
    monkeypatch.setattr(ix, "_min_agreements", 0)
    assert found == [[(m.id, m.relation, m.rewrite_score) for m in ix._matches(d["id"], s)] for d, s in zip(probes, sketches)]
    assert rewrites >= 5  # (the comparison covers rewrites, not only copies)
    assert kept < 0.5 * sum(len(rows) for rows, _ in cuts)

