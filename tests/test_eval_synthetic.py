"""The synthetic-corpus evaluator: its figures on a small corpus, and its brute force checked by hand."""
from __future__ import annotations

import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

pytest.importorskip("scipy", reason="scipy is a benchmark-only dependency")

from benchmarks.eval_synthetic import (  # noqa: E402
    engine_view,
    evaluate_synthetic,
    exact_jaccard_pairs,
    exact_near_pairs,
    exact_rewrite_pairs,
)
from dedup import Config  # noqa: E402
from dedup.verify import NEAR, REWRITE, verify, weighted_jaccard  # noqa: E402

needs_shared = pytest.mark.skipif(
    not (SHARED / "eval" / "mrpc" / "mrpc_train.jsonl").is_file(),
    reason=f"shared evaluation data not found under {SHARED / 'eval'} (the synthetic generator needs it)",
)

BASE = (
    "The city council voted on Tuesday to close the old harbour bridge for repairs after engineers found deep cracks "
    "in two of its steel supports. Traffic will be diverted through the northern ring road for at least six months, "
    "and ferry operators expect a sharp rise in passengers. The mayor said the repairs would cost about 14 million "
    "pounds and that the bridge would reopen before the summer festival. Residents of the harbour district complained "
    "that they had not been consulted and that buses would take twice as long to reach the centre."
)
TEXTS = {
    "a.txt": BASE,
    # a few words edited: still a near-duplicate
    "b.txt": BASE.replace("Tuesday", "Monday").replace("six months", "eight months").replace("sharp rise", "steep rise"),
    # the first half only: contained in the original
    "c.txt": BASE.split(" Residents")[0],
    # heavily reworded, same facts
    "d.txt": (
        "Engineers found deep cracks in two steel supports of the old harbour bridge, and on Tuesday the city council "
        "voted to shut it for repairs. Drivers face a diversion through the northern ring road for six months or more, "
        "while ferry operators expect many more passengers. The repairs should cost around 14 million pounds, the mayor "
        "said, promising the bridge would reopen ahead of the summer festival; harbour district residents said nobody "
        "consulted them and buses to the centre would be twice as slow."
    ),
    # another story entirely
    "e.txt": (
        "A local football club announced on Friday that its stadium will host an international youth tournament next "
        "spring, bringing teams from twelve countries. The club chairman said volunteers were needed to run the event "
        "and that hotels in the region had already reported a surge in bookings from visiting families and coaches."
    ),
    # every fifth word changed: shares few shingles with the original
    "f.txt": " ".join(w if k % 5 else "zzz" for k, w in enumerate(BASE.split())),
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return engine_view(folder, Config())


def test_brute_force_near_pairs_match_a_direct_computation(tiny):
    config = tiny.config
    sets = [set(f.shingles.tolist()) for f in tiny.features]
    expected = {}
    for i, j in combinations(range(tiny.n), 2):
        shared = len(sets[i] & sets[j])
        jac = shared / len(sets[i] | sets[j])
        cont = shared / max(1, min(len(sets[i]), len(sets[j])))
        if jac >= config.near_jaccard or cont >= config.near_containment:
            expected[(i, j)] = (jac, cont)
    pairs, jac, cont = exact_near_pairs([f.shingles for f in tiny.features], config)
    got = {(int(i), int(j)): (float(x), float(y)) for (i, j), x, y in zip(pairs, jac, cont)}
    assert len(got) == len(expected) >= 2  # a~b (edits) and a~c (containment) at least
    assert got.keys() == expected.keys()
    for key, (x, y) in expected.items():
        assert got[key] == pytest.approx((x, y))
    # and they are exactly the pairs verify() calls near-duplicates
    names = tiny.ids
    for i, j in combinations(range(tiny.n), 2):
        p = verify(names[i], tiny.features[i], names[j], tiny.features[j], tiny.terms, config)
        assert (p is not None and p.relation == NEAR) == ((i, j) in expected), (names[i], names[j])
    idx = {name: k for k, name in enumerate(names)}
    assert (idx["a.txt"], idx["b.txt"]) in got and (idx["a.txt"], idx["c.txt"]) in got
    assert not any(idx["e.txt"] in key or idx["f.txt"] in key for key in got)


def test_brute_force_rewrite_scores_match_verify(tiny):
    config = tiny.config
    pairs, score, shared = exact_rewrite_pairs([f.term_set for f in tiny.features], tiny.terms, config)
    got = {(int(i), int(j)): (float(s), int(n)) for (i, j), s, n in zip(pairs, score, shared)}
    expected = {}
    for i, j in combinations(range(tiny.n), 2):
        s, n = weighted_jaccard(tiny.features[i], tiny.features[j], tiny.terms)
        if s >= config.rewrite_score and n >= config.rewrite_min_shared:
            expected[(i, j)] = (s, n)
    assert got.keys() == expected.keys()
    for key, (s, n) in expected.items():
        assert got[key][0] == pytest.approx(s, rel=1e-9) and got[key][1] == n
    idx = {name: k for k, name in enumerate(tiny.ids)}
    assert (idx["a.txt"], idx["d.txt"]) in got
    p = verify("a", tiny.features[idx["a.txt"]], "d", tiny.features[idx["d.txt"]], tiny.terms, config)
    assert p is not None and p.relation == REWRITE


def test_brute_force_plain_jaccard():
    sets = [np.array([1, 2, 3, 4]), np.array([1, 2, 3, 5]), np.array([7, 8]), np.array([], dtype=np.int64), np.array([2, 3])]
    pairs, jac = exact_jaccard_pairs(sets, 0.5)
    got = {(int(i), int(j)): float(x) for (i, j), x in zip(pairs, jac)}
    assert got == pytest.approx({(0, 1): 3 / 5, (0, 4): 2 / 4, (1, 4): 2 / 4})


@pytest.fixture(scope="module")
def small():
    if not (SHARED / "eval" / "mrpc" / "mrpc_train.jsonl").is_file():
        pytest.skip(f"shared evaluation data not found under {SHARED / 'eval'} (the synthetic generator needs it)")
    return evaluate_synthetic(n=400, seed=1)


KEYS = ("n", "near_candidate_recall", "rewrite_candidate_recall", "verified_precision", "cluster_precision",
        "cluster_recall", "cluster_f1", "ari")


@needs_shared
def test_evaluate_synthetic_reports_real_figures(small):
    r = small
    for k in KEYS:
        assert k in r, k
    assert r["n"] == 400
    for k in KEYS[1:]:
        assert 0.0 <= r[k] <= 1.0, (k, r[k])
    assert r["near_pairs_exact"] > 0 and r["rewrite_pairs_exact"] > 0
    assert r["near_pairs_exact"] >= r["near_pairs_exact_distinct_texts"]
    assert r["verified_pairs"] > 0 and r["candidates"] > 0
    # the recorded tables propose every pair the scan itself verified
    assert r["scan_pairs_outside_recorded_candidates"] == 0
    # copies of an article are found and clustered on a corpus this small
    assert r["near_candidate_recall"] >= 0.95
    assert r["per_kind_vs_parent"]["duplicate"]["same_cluster"] >= 0.95
    assert r["largest_cluster"] >= 2 and r["largest_story"] >= 2
    assert sum(r["kinds"].values()) == 400


@needs_shared
def test_evaluate_synthetic_is_deterministic(small):
    again = evaluate_synthetic(n=400, seed=1)
    strip = lambda d: {k: v for k, v in d.items() if k != "timings_s"}  # noqa: E731
    assert strip(again) == strip(small)
