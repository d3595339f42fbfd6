"""Detection quality on every labelled set, with the engine's default settings, as one table.

    python -m benchmarks.quality                  # full run: prints the table, writes benchmarks/results/quality.json
    python -m benchmarks.quality --sample         # small, fast run (what CI does)
    python -m benchmarks.quality --update-readme  # full run, and rewrites the README's quality table

No threshold is fitted on the split it is reported on: the paraphrase model and its threshold come from MRPC
train; the rewrite threshold was chosen on Multi-News and BBC (see README), so the Multi-News rows are not held
out; the other sets are reported only.
"""
from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

from .eval_clough import evaluate_clough
from .eval_mrpc import evaluate_mrpc
from .eval_multinews import evaluate_multinews
from .eval_seeds import evaluate_seeds

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval"
RESULTS = ROOT / "benchmarks" / "results" / "quality.json"


def run(sample: bool) -> dict:
    started = time.perf_counter()
    out = {
        "mode": "sample" if sample else "full",
        "mrpc": evaluate_mrpc(SHARED / "mrpc", sample=200 if sample else None),
        "clough_stevenson": evaluate_clough(SHARED / "clough_stevenson"),
        "seeds": evaluate_seeds(ROOT / "fixtures" / "seeds"),
        "multinews": evaluate_multinews(SHARED / "multinews", sample=sample),
    }
    try:
        from .eval_synthetic import evaluate_synthetic
    except ImportError:
        out["synthetic"] = None
    else:
        out["synthetic"] = evaluate_synthetic(n=1_000 if sample else 10_000, seed=0)
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def table(r: dict) -> str:
    """The results as a Markdown table (the README's quality section)."""
    m, c, s = r["mrpc"], r["clough_stevenson"]["categories"], r["seeds"]
    rows = [
        "| set | measure | dedup | reference / goal |",
        "| --- | --- | --- | --- |",
        f"| MRPC test ({m['n']} sentence pairs) | accuracy / F1 of the paraphrase judge | {100 * m['accuracy']:.1f}% / {100 * m['f1']:.1f} | always-yes {100 * m['always_yes']['accuracy']:.1f}% / {100 * m['always_yes']['f1']:.1f}; Wan et al. 2006 75.6% / 83.0; goal ≥ 76% / 83.5 |",
        f"| MRPC test | accuracy / F1 of `dedup align` (a passage of one aligned with the other's) | {100 * m['align']['accuracy']:.1f}% / {100 * m['align']['f1']:.1f} | |",
        f"| MRPC test | pairs sharing a passage by verification's rule (paraphrases among them); of those, rejected by the judge | {m['passage_rule']['pairs']:,} ({m['passage_rule']['paraphrases']:,}); {m['passage_rule']['judge_rejects']:,} ({m['passage_rule']['judge_rejects_paraphrases']:,}) | |",
    ]
    for cat, goal in (("cut", "all"), ("light", "all"), ("heavy", "≥ 95%")):
        x = c[cat]
        errors = f" (+{len(x['missed_known_label_errors'])} known label errors missed)" if x["missed_known_label_errors"] else ""
        denominator = x["answers"] - len(x["missed_known_label_errors"])
        rows.append(f"| Clough & Stevenson `{cat}` | answers found related to their source | {x['related_to_source']}/{denominator}{errors} | {goal} |")
    rows.append(f"| Clough & Stevenson `non` | same-topic answers wrongly related to the source | {c['non']['false_positives']}/{c['non']['answers']} (partial links: {c['non']['partial_only']}) | 0 |")
    rows.append(f"| Clough & Stevenson `non` | independent answers related to any document (in a story or linked) | {c['non']['related_to_any']}/{c['non']['answers']} | 0 |")
    rows.append(f"| Seeds (5 articles) | cluster ARI vs the editor's reading; partial link to 004 | {s['ari']:.2f}; {'found' if s['partial_link_to_004_found'] else 'not found'} | 1.00; found |")
    for name, x in r["multinews"].items():
        kind = "full text" if name == "full" else "truncated, lower-cased"
        wrong = sum(n for k, n in x["pairs_in_clusters"].items() if k.endswith("other event"))
        rows.append(
            f"| Multi-News {kind} ({x['articles']:,} articles, {x['events']:,} events; not held out) | clusters: pairwise "
            f"P / R / F1; ARI; pairs across events put in one story | {x['precision']:.3f} / {x['recall']:.3f} / {x['f1']:.3f}; "
            f"{x['ari']:.3f}; {wrong} | |"
        )
        partial = {k.rsplit(" ", 2)[1]: n for k, n in x["links"].items() if k.startswith("partial ")}  # same / other
        rows.append(f"| Multi-News {kind} | partial links between stories: same event / other event | {partial.get('same', 0)} / {partial.get('other', 0)} | |")
        if "alignment" in x:
            al = x["alignment"]
            rows.append(f"| Multi-News {kind} | verified pairs whose alignment shows fewer sentence pairs than their `shared_passages`: scan summary / `dedup align` | {al['quick_shows_fewer']} / {al['align_shows_fewer']} of {al['pairs']} | 0 |")
    syn = r.get("synthetic")
    if syn:
        rows.append(f"| Synthetic, N = {syn['n']:,} | LSH candidate recall of pairs above the threshold (near / rewrite) | {syn['near_candidate_recall']:.4f} / {syn['rewrite_candidate_recall']:.4f} | ≥ 0.99 |")
        rows.append(f"| Synthetic, N = {syn['n']:,} | precision of verified pairs | {syn['verified_precision']:.4f} | ≥ 0.99 |")
        rows.append(f"| Synthetic, N = {syn['n']:,} | partial links: precision; partials linked to their source's story | {syn['partial_link_precision']:.3f}; {syn['partial_link_recall']:.3f} | |")
        rows.append(f"| Synthetic, N = {syn['n']:,} | clusters: pairwise P / R / F1; ARI | {syn['cluster_precision']:.3f} / {syn['cluster_recall']:.3f} / {syn['cluster_f1']:.3f}; {syn['ari']:.3f} | |")
    return "\n".join(rows) + "\n"


def update_readme(markdown: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = re.sub(r"(<!-- quality:start -->\n).*?(<!-- quality:end -->)", lambda mt: mt.group(1) + markdown + mt.group(2), text, flags=re.S)
    readme.write_text(new, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", action="store_true", help="small samples, for CI")
    ap.add_argument("--update-readme", action="store_true", help="rewrite the README's quality table")
    ap.add_argument("--json", type=Path, default=None, help=f"where to write the JSON (default {RESULTS.relative_to(ROOT)} on full runs)")
    args = ap.parse_args()
    results = run(args.sample)
    md = table(results)
    print(md)
    target = args.json or (None if args.sample else RESULTS)
    if target:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.update_readme:
        if args.sample:
            raise SystemExit("--update-readme needs a full run (drop --sample)")
        update_readme(md)


if __name__ == "__main__":
    main()
