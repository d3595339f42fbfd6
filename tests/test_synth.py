"""The synthetic corpus generator: determinism, lengths, proportions, ground-truth consistency, I/O."""
from __future__ import annotations

import hashlib
import json
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
if not (SHARED / "eval" / "mrpc" / "mrpc_train.jsonl").is_file():
    pytest.skip(f"shared evaluation data not found under {SHARED / 'eval'}", allow_module_level=True)
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import synth  # noqa: E402

try:
    from dedup.normalize import fingerprint_text  # the engine's exact-duplicate key
except Exception:  # pragma: no cover - the generator does not depend on the engine
    def fingerprint_text(text: str) -> str:
        return " ".join(re.findall(r"[^\W_]+", text.casefold()))

N = 2000
SEED = 7
_STOP = frozenset(
    "the a an and or of to in on at for with by from as is are was were be been has have had it its this that "
    "he she they we i you his her their our said says will would could can not but also after before than "
    "more who which what when there about into over up out new one two".split()
)


@pytest.fixture(scope="module")
def corpus():
    return synth.generate(N, seed=SEED, shared_dir=SHARED)


@pytest.fixture(scope="module")
def by_id(corpus):
    return {a.id: a for a in corpus}


def _sentences(a: synth.SynthArticle, min_words: int = 5) -> set[str]:
    blocks = a.text.split("\n")
    return {s for b in blocks for s in synth._split_sentences(b.strip()) if len(s.split()) >= min_words}


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W\d_]+", text.casefold()) if len(w) > 2 and w not in _STOP}


def test_deterministic():
    a = synth.generate(300, seed=1, shared_dir=SHARED)
    b = synth.generate(300, seed=1, shared_dir=SHARED)
    c = synth.generate(300, seed=2, shared_dir=SHARED)
    assert a == b
    assert [x.text for x in a] != [x.text for x in c]
    assert len(a) == 300 and len({x.id for x in a}) == 300


def test_default_shared_dir_and_relative_fallback():
    assert synth.default_shared_dir() == SHARED
    a = synth.generate(20, seed=3)
    b = synth.generate(20, seed=3, shared_dir=Path("does/not/exist/../shared"))
    assert a == b


def test_lengths(corpus):
    words = [len(a.text.split()) for a in corpus]
    assert min(words) >= synth.MIN_WORDS and max(words) <= synth.MAX_WORDS
    assert 450 <= statistics.median(words) <= 600


def test_kind_proportions(corpus):
    kinds = Counter(a.kind for a in corpus)
    assert set(kinds) == set(synth.KINDS)
    assert kinds["unrelated"] == round(synth.SINGLE_SHARE * N)
    assert kinds["partial"] == round(synth.PARTIAL_SHARE * N)
    derived = kinds["duplicate"] + kinds["near-duplicate"] + kinds["rewrite"]
    assert 0.17 <= kinds["duplicate"] / derived <= 0.33
    assert 0.52 <= kinds["near-duplicate"] / derived <= 0.72
    assert 0.07 <= kinds["rewrite"] / derived <= 0.20
    assert kinds["original"] == len(synth.clusters(corpus))


def test_story_sizes_heavy_tailed(corpus):
    sizes = sorted(Counter(a.story for a in corpus).values(), reverse=True)
    assert sizes[0] >= 300  # one wire story reprinted by hundreds of sites
    assert sum(s == 1 for s in sizes) > len(sizes) / 2  # most stories have one article
    assert any(2 <= s <= 10 for s in sizes)


def test_parents_and_chains(corpus, by_id):
    chained = 0
    for a in corpus:
        if a.kind in ("original", "unrelated"):
            assert a.parent is None and a.edit_rate == 0.0
            continue
        p = by_id[a.parent]
        if a.kind == "partial":
            assert p.story != a.story
        else:
            assert p.story == a.story
            chained += p.kind != "original"
    assert chained > 50  # copies of copies exist


def test_duplicates_normalise_to_parent(corpus, by_id):
    dups = [a for a in corpus if a.kind == "duplicate"]
    assert dups
    for a in dups:
        assert fingerprint_text(a.text) == fingerprint_text(by_id[a.parent].text)
    assert sum(a.text != by_id[a.parent].text for a in dups) > 0.9 * len(dups)


def test_near_duplicates(corpus, by_id):
    js = []
    for a in corpus:
        if a.kind == "near-duplicate":
            assert 0.01 <= a.edit_rate <= 0.10
            js.append(synth.jaccard5(a.text, by_id[a.parent].text))
    assert min(js) >= 0.25 and max(js) < 1.0
    assert 0.45 <= statistics.median(js) <= 0.7


def test_rewrites_share_facts_not_shingles(corpus, by_id):
    js, facts, near = [], [], []
    for a in corpus:
        p = by_id[a.parent] if a.parent else None
        if a.kind == "rewrite":
            assert 0.2 <= a.edit_rate <= 0.75
            js.append(synth.jaccard5(a.text, p.text))
            cp = _content(p.text)
            facts.append(len(cp & _content(a.text)) / len(cp))
        elif a.kind == "near-duplicate":
            near.append(synth.jaccard5(a.text, p.text))
    assert max(js) < 0.75 and statistics.median(js) < 0.45
    assert statistics.median(js) < statistics.median(near)
    assert min(facts) >= 0.5 and statistics.median(facts) >= 0.75  # most content words survive


def test_partials(corpus, by_id):
    sizes = Counter(a.story for a in corpus)
    for a in corpus:
        if a.kind != "partial":
            continue
        p = by_id[a.parent]
        text = fingerprint_text(a.text)
        shared = {s for s in _sentences(p, 3) if fingerprint_text(s) in text}
        assert len(shared) >= 2, (a.id, p.id)
        assert len(synth.word_shingles(a.text) & synth.word_shingles(p.text)) >= 10
        assert sizes[a.story] == 1 and p.story != a.story
        assert synth.jaccard5(a.text, p.text) < 0.25


def test_unrelated_are_unlinked(corpus):
    roots = {}
    for a in corpus:
        if a.kind == "original":
            roots.setdefault(a.topic, a)
    sizes = Counter(a.story for a in corpus)
    same_topic = 0
    for a in corpus:
        if a.kind == "unrelated":
            assert sizes[a.story] == 1
            if a.topic in roots:
                same_topic += 1
                assert synth.jaccard5(a.text, roots[a.topic].text) < 0.1
    assert same_topic >= 0.15 * sum(a.kind == "unrelated" for a in corpus)


def test_no_sentence_shared_across_stories_except_partials(corpus):
    owner: dict[str, int] = {}
    chrome = [fingerprint_text(x) for x in synth.BOILERPLATE_TOP + synth.BOILERPLATE_BOTTOM]
    clashes = 0
    for a in corpus:
        if a.kind == "partial":
            continue
        for s in _sentences(a):
            k = fingerprint_text(s)
            if len(k.split()) < 8 or s.startswith("http") or any(k in c or c in k for c in chrome):
                continue
            if owner.setdefault(k, a.story) != a.story:
                clashes += 1
    assert clashes == 0


def test_truth_pairs(corpus):
    pairs = synth.truth_pairs(corpus)
    sizes = Counter(a.story for a in corpus)
    assert len(pairs) == sum(s * (s - 1) // 2 for s in sizes.values())
    partial_ids = {a.id for a in corpus if a.kind == "partial"}
    assert not any(p & partial_ids for p in pairs)
    story = {a.id: a.story for a in corpus}
    assert all(len({story[i] for i in p}) == 1 for p in list(pairs)[:5000])


@pytest.mark.parametrize("fmt", ["txt", "jsonl"])
def test_write_corpus_round_trip(tmp_path, fmt):
    arts = synth.generate(120, seed=5, shared_dir=SHARED)
    synth.write_corpus(arts, tmp_path / "a", fmt)
    synth.write_corpus(arts, tmp_path / "b", fmt)
    assert synth.read_corpus(tmp_path / "a") == arts
    truth = json.loads((tmp_path / "a" / "truth.json").read_text(encoding="utf-8"))
    assert truth["n"] == 120 and truth["clusters"] == synth.clusters(arts)
    assert sorted(truth["partials"]) == sorted([a.id, a.parent] for a in arts if a.kind == "partial")

    def digest(folder: Path) -> str:
        h = hashlib.sha256()
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                h.update(str(f.relative_to(folder)).encode() + b"\0" + f.read_bytes())
        return h.hexdigest()

    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    if fmt == "txt":
        assert (tmp_path / "a" / arts[0].id).read_bytes() == arts[0].text.encode("utf-8")


def test_cli(tmp_path, capsys):
    assert synth.main(["40", str(tmp_path / "out"), "--seed", "4", "--format", "jsonl"]) == 0
    lines = (tmp_path / "out" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40
    assert [json.loads(x)["text"] for x in lines] == [a.text for a in synth.generate(40, seed=4)]
