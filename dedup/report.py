"""Scan results as a table for people, or JSON / JSONL / CSV for scripts (the JSON layout is documented in the README)."""
from __future__ import annotations

import csv
import io
import json

from .align import counted
from .read import display_path, visible, where
from .scan import ScanResult
from .verify import DUPLICATE, NEAR, Pair

FORMATS = ("table", "json", "jsonl", "csv")


def to_dict(r: ScanResult) -> dict:
    """The scan report as plain data: the `--format json` document."""
    cluster_of = _cluster_of(r)
    return {
        "summary": summary(r),
        "clusters": [
            {
                "id": c.id,
                "canonical": c.canonical,
                "size": len(c.members),
                "members": c.members,
                "pairs": [_pair(p, r) for p in c.pairs],
            }
            for c in r.clusters
        ],
        "links": [{**_pair(p, r), "cluster_a": cluster_of.get(p.a), "cluster_b": cluster_of.get(p.b)} for p in r.links],
        "unique": [{"id": u.id, "reason": u.reason} for u in r.unique],
        "skipped": [{"path": display_path(s.path), "line": s.line, "reason": s.reason} for s in r.skipped],
        "warnings": r.warnings,
        "articles": {a.id: _described(a) for a in r.articles.values()},
    }


def _cluster_of(r: ScanResult) -> dict[str, int]:
    """Each clustered article's story id."""
    return {m: c.id for c in r.clusters for m in c.members}


def _described(a) -> dict:
    """Where an article came from and what its record said of it (the fields it has)."""
    fields = (("path", display_path(a.path) if a.path else None), ("title", a.title), ("url", a.url), ("source", a.source),
              ("published", a.published))
    return {k: v for k, v in fields if v}


def summary(r: ScanResult) -> dict:
    in_clusters = sum(len(c.members) for c in r.clusters)
    return {
        "articles": len(r.articles),
        "clusters": len(r.clusters),
        "in_clusters": in_clusters,
        "unique": len(r.unique),
        "links": len(r.links),
        "skipped": len(r.skipped),
    }


def _pair(p, r: ScanResult) -> dict:
    d = p.as_dict()
    d["summary"] = r.summaries.get((p.a, p.b), "")
    return d


def render(r: ScanResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_dict(r), indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        d = to_dict(r)
        rows = [{"type": "summary", **d["summary"]}]
        rows += [{"type": "cluster", **c} for c in d["clusters"]]
        rows += [{"type": "link", **l} for l in d["links"]]
        rows += [{"type": "unique", **u} for u in d["unique"]]
        rows += [{"type": "skipped", **s} for s in d["skipped"]]
        rows += [{"type": "warning", "message": w} for w in d["warnings"]]
        rows += [{"type": "article", "id": k, **v} for k, v in d["articles"].items()]
        return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows)
    if fmt == "csv":
        return _csv(r)
    return _table(r)


def _csv(r: ScanResult) -> str:
    """One row per input: every article and every skipped file, with its status, the articles of other stories it
    is linked to (id and relation, as the links of the JSON report), its record's title and url, and for a member
    verified against its story's canonical article the figures of that pair."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "status", "cluster", "canonical", "relation_to_canonical", "reason", "linked_to", "title", "url",
                *_FIGURES])
    info = {a.id: (a.title or "", a.url or "") for a in r.articles.values()}
    pairs: dict[tuple[str, str], Pair] = {}
    linked: dict[str, list[str]] = {}
    for p in r.links:
        linked.setdefault(p.a, []).append(f"{p.b} ({p.relation})")
        linked.setdefault(p.b, []).append(f"{p.a} ({p.relation})")
    blank = [""] * len(_FIGURES)
    for c in r.clusters:
        for p in c.pairs:
            pairs[(p.a, p.b)] = pairs[(p.b, p.a)] = p
        for m in c.members:
            p = pairs.get((m, c.canonical))
            rel = "canonical" if m == c.canonical else p.relation if p else "same story"
            figures = list(map(p.as_dict().get, _FIGURES)) if p else blank
            w.writerow(_defused([m, "clustered", c.id, c.canonical, rel, "", "; ".join(linked.get(m, [])), *info.get(m, ("", "")), *figures]))
    for u in r.unique:
        w.writerow(_defused([u.id, "unique", "", "", "", u.reason, "; ".join(linked.get(u.id, [])), *info.get(u.id, ("", "")), *blank]))
    for s in r.skipped:
        w.writerow(_defused([where(s), "skipped", "", "", "", s.reason, "", "", "", *blank]))
    return out.getvalue()


_FIGURES = ("jaccard", "containment", "rewrite_score", "shared_passages")  # a pair's figures, named as in the JSON report


def _defused(cells: list) -> list:
    """Cells a spreadsheet will not run: one that starts like a formula (=, +, -, @, a tab or a carriage return: an
    id such as =HYPERLINK(…) from a crawled record) gets a leading apostrophe, as OWASP advises, and so does one that
    starts with an apostrophe, so that dropping one leading apostrophe always gives the value."""
    return ["'" + c if isinstance(c, str) and c[:1] in ("=", "+", "-", "@", "\t", "\r", "'") else c for c in cells]


def headline(r: ScanResult) -> str:
    """The scan in one line: what was read and what became of it."""
    s = summary(r)
    return (
        f"{counted(s['articles'], 'article')} read: {counted(s['clusters'], 'story', 'stories')} with copies or rewrites "
        f"({counted(s['in_clusters'], 'article')}), {s['unique']:,} unique, {counted(s['links'], 'link')} between stories, "
        f"{s['skipped']:,} skipped"
    )


def _table(r: ScanResult) -> str:
    lines = [headline(r), ""]
    for c in r.clusters:
        opening = f': "{r.openings[c.canonical]}"' if r.openings.get(c.canonical) else ""
        lines.append(f"Story {c.id}: {counted(len(c.members), 'article')}, canonical {c.canonical}{opening}")
        for m in c.members:
            lines.append(f"  {'*' if m == c.canonical else ' '} {m}")
        lines += [line for p in c.pairs for line in _pair_lines(p, r, "    ")]
        lines.append("")
    if r.links:
        lines.append("Links between stories:")
        story = {m: f"story {k}" for m, k in _cluster_of(r).items()}
        between: dict[frozenset, list] = {}  # the links between two stories (or a unique article) under one heading,
        for p in r.links:  # whichever way each runs
            between.setdefault(frozenset((story.get(p.a, p.a), story.get(p.b, p.b))), []).append(p)
        for group in between.values():
            lines.append(f"  {story.get(group[0].a, 'unique')} ~ {story.get(group[0].b, 'unique')}:")
            lines += [line for p in group for line in _pair_lines(p, r, "    ")]
        lines.append("")
    if r.unique:
        lines.append("Unique:")
        lines += [f"  {u.id} ({u.reason})" for u in r.unique]
        lines.append("")
    if r.skipped:
        lines.append("Skipped:")
        lines += [f"  {x.said()}" for x in r.skipped]
        lines.append("")
    if r.warnings:
        lines.append("Warnings:")
        lines += [f"  {w}" for w in r.warnings]
        lines.append("")
    return "\n".join(map(visible, lines))


def _pair_lines(p, r: ScanResult, indent: str) -> list[str]:
    """A pair, its figures, and (when computed) the one-line summary of what differs."""
    lines = [f"{indent}{p.a} ~ {p.b}: {p.relation} ({figures(p)})"]
    if r.summaries.get((p.a, p.b)):
        lines.append(f"{indent}  {r.summaries[(p.a, p.b)]}")
    return lines


def figures(p) -> str:
    """A pair's figures as a report line shows them; a copy's shared passages are not counted (its whole text is
    shared), so its line leaves them out rather than say 0."""
    passages = "" if p.relation in (DUPLICATE, NEAR) else f", shared passages {p.shared_passages}"
    return f"shingle Jaccard {p.jaccard:.2f}, containment {p.containment:.2f}, rewrite score {p.rewrite_score:.2f}{passages}"
