"""Stories must not chain: one event covered by hundreds of outlets is normal, a topic is not a story."""
import json

from hypothesis import given, strategies as st

from dedup.cluster import cluster, copy_groups
from dedup.config import Config
from dedup.scan import scan
from dedup.verify import NEAR, PARTIAL, REWRITE, Pair


def _p(a, b, rel=REWRITE, score=0.2):
    return Pair(a, b, rel, 0.0, 0.0, score, 0)


def _stories(pairs, similarity):
    """cluster() of pairs whose near-duplicates are near by Jaccard (none held in the other)."""
    return cluster(pairs, copy_groups((p.a, p.b, None) for p in pairs if p.relation == NEAR), similarity, 0.15, lambda x: (x,))


def test_a_chain_of_loose_rewrite_edges_does_not_become_one_story():
    ids = [f"a{i:03d}" for i in range(200)]
    pairs = [_p(ids[i], ids[i + 1]) for i in range(199)]  # plain union-find would give one cluster of 200
    clusters, links = _stories(pairs, {(p.a, p.b): p.rewrite_score for p in pairs})
    assert max(len(c.members) for c in clusters) <= 3
    assert links  # the edges that did not merge are still reported


def test_copies_chain_and_a_dense_rewrite_group_merges():
    pairs = [_p("c1", "c2", NEAR), _p("c2", "c3", NEAR), _p("c3", "c4", NEAR)]  # copies of copies
    pairs += [_p(x, y, REWRITE, 0.3) for x, y in [("r1", "r2"), ("r1", "r3"), ("r2", "r3")]]
    clusters, _ = _stories(pairs, {(p.a, p.b): p.rewrite_score for p in pairs if p.relation == REWRITE})
    assert sorted(sorted(c.members) for c in clusters) == [["c1", "c2", "c3", "c4"], ["r1", "r2", "r3"]]


def test_a_partial_pair_inside_one_story_is_its_pair_and_one_across_stories_a_link():
    """Partial pairs stay out of what joins a story, but one between two members of a story (joined by other
    pairs) used to be reported as a 'link between stories' from that story to itself."""
    pairs = [_p("a", "b", NEAR), _p("b", "c", NEAR), _p("a", "c", PARTIAL), _p("x", "y", NEAR), _p("c", "x", PARTIAL)]
    clusters, links = _stories(pairs, {})
    story = {m: c.id for c in clusters for m in c.members}
    assert sorted(sorted(c.members) for c in clusters) == [["a", "b", "c"], ["x", "y"]]
    assert [(p.a, p.b) for p in links] == [("c", "x")] and all(story[p.a] != story[p.b] for p in links)
    assert ("a", "c", PARTIAL) in {(p.a, p.b, p.relation) for c in clusters for p in c.pairs}


def test_same_event_corpus_does_not_collapse_into_one_cluster(shared, tmp_path):
    """Multi-News: 570 articles in 200 same-event clusters, many on overlapping topics (see its README).

    Linking every pair with content-word Jaccard ≥ 0.15 and taking connected components put 470 of 561
    articles in one cluster. The largest true cluster has 9 articles.
    """
    docs = [json.loads(line) for line in open(shared / "eval/multinews/multinews_longbench_fulltext_docs.jsonl", encoding="utf-8")]
    path = tmp_path / "mn.jsonl"
    path.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs), encoding="utf-8")
    result = scan([path], Config())
    assert max(len(c.members) for c in result.clusters) <= 20


NOTICE = ("Dow jones reprints: this copy is for your personal, non-commercial use only. To order presentation-ready "
          "copies for distribution to your colleagues, clients or customers, use the order reprints tool at the bottom "
          "of any article or visit www.djreprints.com")  # a real chrome paragraph (Multi-News), too long to learn as boilerplate


def test_a_page_held_whole_in_unrelated_articles_does_not_join_them(shared, tmp_path, seeds):
    """A page of chrome alone is contained in every article that carries the chrome: a near-duplicate of each by
    containment, which union-find chained into one story of unrelated articles (9 articles of 7 events on
    Multi-News). It is now linked to each and joins none. Excerpts of one wire story, held in it, still join it."""
    docs = {d["id"]: " ".join(d["text"].split()[:150]) for d in map(json.loads, open(shared / "eval/bbc_news/bbc_news.jsonl", encoding="utf-8"))}
    carriers = ["bbc-business-001", "bbc-sport-001", "bbc-tech-001"]  # one topic each: the notice is all they share
    for name in carriers:
        (tmp_path / f"{name}.txt").write_text(f"{NOTICE}\n{docs[name]}\n", encoding="utf-8")
    (tmp_path / "notice.txt").write_text(NOTICE + "\n", encoding="utf-8")
    words = seeds["003"].split()
    for i in range(2):
        (tmp_path / f"wire-{i}.txt").write_text(f"Site {i}: {' '.join(words)}\n", encoding="utf-8")
    (tmp_path / "wire-opening.txt").write_text(" ".join(words[:150]) + "\n", encoding="utf-8")
    (tmp_path / "wire-ending.txt").write_text(" ".join(words[-150:]) + "\n", encoding="utf-8")

    result = scan([tmp_path])
    assert [sorted(c.members) for c in result.clusters] == [["wire-0.txt", "wire-1.txt", "wire-ending.txt", "wire-opening.txt"]]
    assert {(p.a, p.b) for p in result.links if p.relation == NEAR} == {tuple(sorted((f"{x}.txt", "notice.txt"))) for x in carriers}
    reasons = {u.id: u.reason for u in result.unique}
    assert reasons["notice.txt"] == "held whole in 3 articles that are not copies of each other, so in no story: see links"
    assert reasons["bbc-tech-001.txt"] == "in no story, but linked to 1 article: see links"
    excerpts = [p for p in result.clusters[0].pairs if p.relation == NEAR and "wire-" in p.a + p.b and ("opening" in p.a + p.b or "ending" in p.a + p.b)]
    assert excerpts and all(p.jaccard < Config().near_jaccard <= p.containment for p in excerpts)


def _partition(uf, nodes):
    groups = {}
    for x in nodes:
        groups.setdefault(uf.find(x), set()).add(x)
    return sorted(sorted(g) for g in groups.values())


_edges = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.booleans()).filter(lambda e: e[0] != e[1]), max_size=30)


@given(_edges, st.randoms())
def test_copy_groups_do_not_depend_on_the_order_of_the_pairs(edges, rnd):
    """The same verified pairs in any order (workers finish in any order) give the same groups; pairs near by
    Jaccard alone give the connected components."""
    triples = [(a, b, None if same else a) for a, b, same in edges]  # (a held in b where not the same text)
    shuffled = [(b, a, h) for a, b, h in triples]
    rnd.shuffle(shuffled)
    assert _partition(copy_groups(triples), range(12)) == _partition(copy_groups(shuffled), range(12))
    plain = {x: {x} for x in range(12)}
    for a, b, h in triples:
        if h is None and plain[a] is not plain[b]:
            merged = plain[a] | plain[b]
            for x in merged:
                plain[x] = merged
    assert _partition(copy_groups([t for t in triples if t[2] is None]), range(12)) == sorted(sorted(g) for g in {id(g): g for g in plain.values()}.values())


def test_copy_groups_judge_a_held_text_with_its_copies_and_once_its_holders_are_joined():
    """Two copies of a chrome page, each held in one article, are one text held in two: neither article joins them.
    An excerpt held in a story and in its trimmed copy joins both, once the trimmed copy has joined the story."""
    nodes = ["A", "B", "N", "N2", "W", "T", "E"]
    edges = [("N", "N2", None), ("N", "A", "N"), ("N2", "B", "N2"), ("T", "W", "T"), ("E", "W", "E"), ("E", "T", "E")]
    assert _partition(copy_groups(edges), nodes) == [["A"], ["B"], ["E", "T", "W"], ["N", "N2"]]
