"""Fit the paraphrase model of dedup/paraphrase.py on the MRPC train split (numpy logistic regression).

    python -m benchmarks.train_paraphrase [--data /work/shared/eval/mrpc] [--test]

Prints the IDF table, weights, bias and threshold to paste into dedup/paraphrase.py.
Only the train split is used for fitting, IDF and the threshold (10-fold cross-validation, 3 repeats);
--test additionally reports the test split, for information only.
"""
from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np

from dedup import paraphrase

DEFAULT_DATA = Path("/work/shared/eval/mrpc")
IDF_WORDS = 150  # stems with a stored IDF (the most frequent ones); the rest share one default
L2 = 1e-3


def load(data_dir: Path, split: str) -> list[dict]:
    with open(data_dir / f"mrpc_{split}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def idf_table(rows: list[dict], k: int = IDF_WORDS) -> tuple[dict[str, float], float]:
    """IDF of the k most frequent stems over the train sentences, and the default for all others."""
    df: Counter = Counter()
    n = 0
    for r in rows:
        for t in (r["text1"], r["text2"]):
            n += 1
            df.update({paraphrase.stem(w) for *_, w in paraphrase.word_spans(t)})
    top = sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    table = {w: round(math.log(n / c), 2) for w, c in top}
    return table, round(max(table.values()) + 1.0, 2)


def matrix(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    x = [paraphrase.pair_features(paraphrase.features(r["text1"]), paraphrase.features(r["text2"])) for r in rows]
    return np.array(x, dtype=float), np.array([r["label"] for r in rows], dtype=float)


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2, iters: int = 25) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method on standardised features; raw-scale weights."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    reg = np.r_[np.ones(z.shape[1] - 1), 0.0] * l2
    for _ in range(iters):
        p = 1 / (1 + np.exp(-z @ w))
        g = z.T @ (p - y) / len(y) + reg * w
        h = (z.T * (p * (1 - p))) @ z / len(y) + np.diag(reg)
        w -= np.linalg.solve(h, g)
    coef = w[:-1] / sd
    return coef, float(w[-1] - (w[:-1] * mu / sd).sum())


def metrics(pred: np.ndarray, y: np.ndarray) -> dict:
    tp = float(((pred == 1) & (y == 1)).sum())
    fp = float(((pred == 1) & (y == 0)).sum())
    fn = float(((pred == 0) & (y == 1)).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"accuracy": float((pred == y).mean()), "f1": f1, "precision": prec, "recall": rec}


def cross_validate(x: np.ndarray, y: np.ndarray, folds: int = 10, repeats: int = 3) -> list[np.ndarray]:
    out = []
    for rep in range(repeats):
        idx = np.random.default_rng(rep).permutation(len(y))
        p = np.zeros(len(y))
        for part in np.array_split(idx, folds):
            mask = np.ones(len(y), bool)
            mask[part] = False
            c, b = fit(x[mask], y[mask])
            p[part] = 1 / (1 + np.exp(-(x[part] @ c + b)))
        out.append(p)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--test", action="store_true", help="also report the test split (information only)")
    args = ap.parse_args()
    train = load(args.data, "train")
    table, default = idf_table(train)
    paraphrase._IDF.clear()
    paraphrase._IDF.update(table)
    paraphrase.IDF_DEFAULT = default
    x, y = matrix(train)
    probs = cross_validate(x, y)

    def cv_at(th: float) -> dict:
        ms = [metrics((p >= th).astype(float), y) for p in probs]
        return {k: float(np.mean([m[k] for m in ms])) for k in ms[0]}

    grid = [round(t, 3) for t in np.arange(0.30, 0.651, 0.025)]
    th = max(grid, key=lambda t: cv_at(t)["accuracy"] + cv_at(t)["f1"])
    for t in grid:
        m = cv_at(t)
        print(f"cv threshold {t:.3f}: accuracy {m['accuracy']:.4f} F1 {m['f1']:.4f}{'  <- chosen' if t == th else ''}")
    coef, bias = fit(x, y)
    print()
    print("IDF_TABLE = (")
    items = [f"{w}:{v}" for w, v in table.items()]
    for k in range(0, len(items), 10):
        print(f'    "{" ".join(items[k:k + 10])} "')
    print(")")
    print(f"IDF_DEFAULT = {default}")
    print("WEIGHTS = (")
    for name, w in zip(paraphrase.FEATURE_NAMES, coef):
        print(f"    {w:+.4f},  # {name}")
    print(")")
    print(f"BIAS = {bias:.4f}")
    print(f"THRESHOLD = {th}")
    if args.test:
        xt, yt = matrix(load(args.data, "test"))
        m = metrics(((1 / (1 + np.exp(-(xt @ coef + bias)))) >= th).astype(float), yt)
        print(f"# test (information only): accuracy {m['accuracy']:.4f} F1 {m['f1']:.4f}")


if __name__ == "__main__":
    main()
