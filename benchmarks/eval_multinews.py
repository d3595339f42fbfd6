"""Multi-News: real articles from many outlets grouped by the event a newser.com editor summarised.

Scanned as they come (every set's articles in one scan), scored as clusters against the events: pairwise
precision / recall / F1 and ARI. "Articles" that are crawl chrome, not news (the same text cited for several
events, or judged irrelevant to the summary by at least 3 of the 5 votes the set carries, see its README) and
texts under 50 words are left out. Not held out: the rewrite threshold was chosen on Multi-News pairs.
"""
from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

from dedup import scan, sentences
from dedup.align import REWORDED, SAME, align

from .clusters import adjusted_rand_index, labels_from_clusters, pairwise_scores

SETS = {"full": "multinews_longbench_fulltext_docs.jsonl", "truncated": "multinews_test_truncated_docs.jsonl"}
_MIN_WORDS = 50


def _news(folder: Path, name: str) -> list[dict]:
    """The set's articles that are news: see the module's docstring."""
    votes = {}
    with open(folder / SETS["truncated"], encoding="utf-8") as f:  # the votes and repeat counts live here
        for line in f:
            d = json.loads(line)
            votes[d["id"]] = d["irrelevant_votes"] < 3 and d["n_clusters_with_identical_text_all_splits"] <= 1
    with open(folder / SETS[name], encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return [d for d in rows if votes.get(d.get("truncated_doc_id", d["id"]), False) and len(d["text"].split()) >= _MIN_WORDS]


def _evaluate(folder: Path, name: str) -> dict:
    articles = _news(folder, name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.jsonl"
        path.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in articles), encoding="utf-8")
        result = scan([path])
    event = {d["id"]: d["cluster"] for d in articles}
    numbered = {e: n for n, e in enumerate(sorted(set(event.values())))}
    truth = {i: numbered[e] for i, e in event.items()}
    found = labels_from_clusters(list(truth), [list(c.members) for c in result.clusters])
    pairs = Counter((p.relation, event[p.a] == event[p.b]) for c in result.clusters for p in c.pairs)
    links = Counter((p.relation, event[p.a] == event[p.b]) for p in result.links)
    shown = _alignments(result, {d["id"]: d["text"] for d in articles}) if name == "full" else {}
    return {
        "articles": len(articles),
        "events": len(numbered),
        **{k: round(v, 4) for k, v in pairwise_scores(truth, found).items()},
        "ari": round(adjusted_rand_index(truth, found), 4),
        "largest_cluster": max((len(c.members) for c in result.clusters), default=0),
        "pairs_in_clusters": {f"{r} {'same event' if same else 'other event'}": n for (r, same), n in sorted(pairs.items())},
        "links": {f"{r} {'same event' if same else 'other event'}": n for (r, same), n in sorted(links.items())},
        **shown,
    }


def _alignments(result, texts: dict[str, str]) -> dict:
    """How the alignments of the verified pairs agree with their "shared passages" figure: the pairs whose quick
    alignment (the scan's summaries) or full one (`dedup align`) pairs fewer sentences than the figure counts."""
    pairs = [p for c in result.clusters for p in c.pairs] + list(result.links)
    fewer = Counter()
    for p in pairs:
        a, b = texts[p.a], texts[p.b]
        for mode, detail in (("quick", False), ("align", True)):
            fewer[mode] += _sentence_pairs(align(a, b, detail=detail), a, b) < p.shared_passages
    return {"alignment": {"pairs": len(pairs), "quick_shows_fewer": fewer["quick"], "align_shows_fewer": fewer["align"]}}


def _sentence_pairs(al, a: str, b: str) -> int:
    """Sentence pairs an alignment shows in both texts (a passage of n sentences in A and m in B: min(n, m))."""
    count = lambda text, span: len(sentences.split(text[span.start : span.end]))  # noqa: E731
    return sum(min(count(a, s.a), count(b, s.b)) for s in al.segments if s.kind in (SAME, REWORDED))


def evaluate_multinews(folder: Path, sample: bool = False) -> dict:
    """Scores of the full-text set (570 articles, 200 events) and, unless `sample`, of the truncated set
    (15,505 articles, 5,622 events)."""
    return {name: _evaluate(folder, name) for name in (("full",) if sample else ("full", "truncated"))}
