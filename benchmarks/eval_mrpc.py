"""MRPC test-split evaluation of dedup.paraphrase.is_paraphrase, and of `dedup align` on the same pairs.

    python -m benchmarks.eval_mrpc [--data /work/shared/eval/mrpc] [--sample N]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from dedup import paraphrase
from dedup.align import REWORDED, SAME, align
from dedup.normalize import words
from dedup.tokenhash import term_set
from dedup.verify import shares_passage

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "mrpc"
PUBLISHED = {  # test accuracy / F1 from the data README (ACL Wiki)
    "Wan et al. 2006 (best non-neural)": (0.756, 0.830),
    "Qiu et al. 2006": (0.720, 0.816),
    "Mihalcea et al. 2006": (0.703, 0.813),
}


def _scores(pred: list[bool], gold: list[bool]) -> dict:
    tp = sum(p and g for p, g in zip(pred, gold))
    fp = sum(p and not g for p, g in zip(pred, gold))
    fn = sum(g and not p for p, g in zip(pred, gold))
    n = len(gold)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(p == g for p, g in zip(pred, gold)) / n if n else 0.0
    return {"accuracy": accuracy, "f1": f1, "precision": precision, "recall": recall}


def _shares_passage(a: str, b: str) -> bool:
    """Whether two sentences share what makes a shared passage in verification (and a reworded one in align)."""
    ta, tb = term_set(words(a)), term_set(words(b))
    return bool(shares_passage(len(ta & tb), len(ta), len(tb)))


def evaluate_mrpc(data_dir: Path = DEFAULT_DATA, sample: int | None = None) -> dict:
    """Accuracy, F1, precision, recall of is_paraphrase on the MRPC test split, with the always-yes baseline; the
    same of `dedup align` (whether it aligns any passage of one sentence with the other's); and how many pairs
    share a passage by verification's rule, and how many of those are paraphrases."""
    rows = []
    with open(Path(data_dir) / "mrpc_test.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
                if sample is not None and len(rows) >= sample:
                    break
    gold = [bool(r["label"]) for r in rows]
    t0 = time.perf_counter()
    pred = [paraphrase.is_paraphrase(r["text1"], r["text2"]) for r in rows]
    elapsed = time.perf_counter() - t0
    feats = [(paraphrase.features(r["text1"]), paraphrase.features(r["text2"])) for r in rows]
    t1 = time.perf_counter()
    for fa, fb in feats:
        paraphrase.pair_similarity(fa, fb)
    pair_elapsed = time.perf_counter() - t1
    n = len(rows)
    out = {"split": "test", "n": n, **_scores(pred, gold)}
    aligned = [any(s.kind in (SAME, REWORDED) for s in align(r["text1"], r["text2"]).segments) for r in rows]
    out["align"] = _scores(aligned, gold)
    rule = [_shares_passage(r["text1"], r["text2"]) for r in rows]
    out["passage_rule"] = {"pairs": sum(rule), "paraphrases": sum(g for g, x in zip(gold, rule) if x),
                           "judge_rejects": sum(x and not p for x, p in zip(rule, pred)),
                           "judge_rejects_paraphrases": sum(g for g, x, p in zip(gold, rule, pred) if x and not p)}
    out["always_yes"] = _scores([True] * n, gold)
    out["threshold"] = paraphrase.THRESHOLD
    out["us_per_pair"] = 1e6 * elapsed / n if n else 0.0  # features of both sentences + pair score
    out["us_per_precomputed_pair"] = 1e6 * pair_elapsed / n if n else 0.0  # pair score only (as in alignment)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="MRPC test-split evaluation of dedup.paraphrase")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sample", type=int, default=None, help="only the first N test pairs")
    args = ap.parse_args()
    r = evaluate_mrpc(args.data, args.sample)
    print(f"MRPC {r['split']} split, {r['n']} pairs, threshold {r['threshold']}")
    print(f"{'system':38s} {'acc':>6s} {'F1':>6s} {'prec':>6s} {'rec':>6s}")
    print(f"{'dedup.paraphrase':38s} {r['accuracy']:6.1%} {100 * r['f1']:6.1f} {r['precision']:6.1%} {r['recall']:6.1%}")
    a = r["align"]
    print(f"{'dedup align (a passage aligned)':38s} {a['accuracy']:6.1%} {100 * a['f1']:6.1f} {a['precision']:6.1%} {a['recall']:6.1%}")
    y = r["always_yes"]
    print(f"{'always yes':38s} {y['accuracy']:6.1%} {100 * y['f1']:6.1f} {y['precision']:6.1%} {y['recall']:6.1%}")
    for name, (acc, f1) in PUBLISHED.items():
        print(f"{name + ' [published]':38s} {acc:6.1%} {100 * f1:6.1f}")
    print(f"cost: {r['us_per_pair']:.1f} µs per raw pair, {r['us_per_precomputed_pair']:.1f} µs per precomputed pair")


if __name__ == "__main__":
    main()
