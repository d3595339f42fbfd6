"""Candidates for partial links: articles that share whole sentences (dedup.reuse), and what a scan makes of them."""
import importlib
import itertools
import json
from collections import Counter
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import accel, scan, sentences
from dedup.features import Features, extract
from dedup.lsh import pairs_of
from dedup.reuse import sentence_keys, shared_sentence_pairs
from dedup.verify import PARTIAL, PASSAGE_TERMS

SENTENCE = "Kenya dispatched approximately 400 police personnel to Port-au-Prince in June and July."


def test_a_sentence_keeps_its_key_through_case_punctuation_stop_words_and_order():
    base = sentence_keys(extract(SENTENCE + " The weather was fine.", 5))
    assert len(base) == 1  # the short second sentence has under six content terms: no key
    edited = "In June and July, approximately 400 police personnel were dispatched by KENYA to Port-au-Prince!"
    assert np.array_equal(sentence_keys(extract(edited, 5)), base)
    changed = SENTENCE.replace("400", "600")
    assert not np.isin(sentence_keys(extract(changed, 5)), base).any()


@pytest.mark.parametrize("compiled", [True, False])
def test_a_term_hashed_to_zero_changes_its_sentences_key(compiled):
    """A sum of mixed hashes must not let a term add nothing: {0, 1, …, 6} and {1, …, 6} are different sentences."""
    if compiled:
        pytest.importorskip("dedup._compiled")

    def key(terms):
        t = np.array(terms, dtype=np.uint32)
        with mock.patch.object(accel, "kernels", accel.kernels if compiled else (lambda: None)):
            return sentence_keys(Features(len(t), 0, np.empty(0, dtype=np.uint32), t, np.zeros(len(t), dtype=np.uint32)))

    assert len(key(range(1, 7))) == 1 and not np.array_equal(key(range(0, 7)), key(range(1, 7)))


_TERM = st.one_of(st.integers(0, 40), st.integers(2**32 - 40, 2**32 - 1))  # (repeats, and hashes near 2³²)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_TERM, max_size=80), max_size=8))
def test_compiled_sentence_keys_equal_numpy_sentence_keys(sentences_terms):
    """Sentences of up to 80 terms: the kernel sorts short ones by insertion and long ones with np.sort."""
    pytest.importorskip("dedup._compiled")
    terms = np.array([t for held in sentences_terms for t in held], dtype=np.uint32)
    term_sentence = np.array([n for n, held in enumerate(sentences_terms) for _ in held], dtype=np.uint32)
    f = Features(len(terms), 0, np.empty(0, dtype=np.uint32), terms, term_sentence)
    compiled = sentence_keys(f)
    with mock.patch.object(accel, "kernels", lambda: None):
        plain = sentence_keys(Features(len(terms), 0, f.shingles, terms, term_sentence))
    assert compiled.dtype == plain.dtype and np.array_equal(compiled, plain)
    assert len(plain) == len({frozenset(held) for held in sentences_terms if len(set(held)) >= PASSAGE_TERMS})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sets(st.integers(0, 12), max_size=6), st.integers(0, 4)), max_size=12), st.integers(1, 3), st.integers(2, 6))
def test_shared_sentence_pairs_are_those_of_groups_sharing_enough_keys_held_by_few(articles, min_shared, cap):
    """Brute force: a key's holders are groups; groups holding a key with at most `cap` others count it shared;
    for each shared key of two groups sharing enough, their first rows holding it pair up, and their rows holding
    it with the most keys (then the first) pair up."""
    holders: dict[int, dict[int, list[int]]] = {}  # key → group → its rows holding the key
    for row, (held, group) in enumerate(articles):
        for k in held:
            holders.setdefault(k, {}).setdefault(group, []).append(row)
    count, rows_of = Counter(), {}
    for by_group in holders.values():
        if len(by_group) <= cap:
            for g, h in itertools.combinations(sorted(by_group), 2):
                count[g, h] += 1
                fullest = [min(by_group[x], key=lambda r: (-len(articles[r][0]), r)) for x in (g, h)]
                for a, b in ((by_group[g][0], by_group[h][0]), fullest):
                    rows_of.setdefault((g, h), set()).add((min(a, b), max(a, b)))
    expected = set().union(*(rows_of[gh] for gh, n in count.items() if n >= min_shared))
    keys = np.array([k for held, _ in articles for k in held], dtype=np.uint64)
    rows = np.array([row for row, (held, _) in enumerate(articles) for _ in held], dtype=np.int64)
    groups = np.array([group for _, group in articles], dtype=np.int64)
    got = pairs_of(shared_sentence_pairs(keys, rows, groups, min_shared, cap))
    assert set(map(tuple, got.tolist())) == expected
    with mock.patch("dedup.reuse._CHUNK_PAIRS", 3):  # counted over several chunks, as a large scan's are
        assert np.array_equal(pairs_of(shared_sentence_pairs(keys, rows, groups, min_shared, cap)), got)


def test_copies_count_once_for_a_sentence():
    """A sentence held by a story and by its 70 copies (one group) and by one follow-up is held by two groups:
    under the cap, so the follow-up pairs with the story."""
    keys = np.tile(np.array([1, 2], dtype=np.uint64), 72)
    rows = np.repeat(np.arange(72, dtype=np.int64), 2)
    groups = np.where(np.arange(72) < 71, 0, 71)
    assert pairs_of(shared_sentence_pairs(keys, rows, groups, 2, 64)).tolist() == [[0, 71]]
    assert len(shared_sentence_pairs(keys, rows, np.arange(72), 2, 64)) == 0  # 72 stories holding one sentence: a template


def test_a_story_whose_trimmed_copies_come_first_pairs_by_its_full_copy_too():
    """Copies 0 and 1 each hold one of the two sentences a follow-up (3) repeats, the full copy (2) holds both: only
    the pair with the full copy shares two sentences, as verification will require."""
    held = [[1], [2], [1, 2, 3], [1, 2]]
    keys = np.array([k for ks in held for k in ks], dtype=np.uint64)
    rows = np.array([r for r, ks in enumerate(held) for _ in ks], dtype=np.int64)
    groups = np.array([0, 0, 0, 3])
    assert pairs_of(shared_sentence_pairs(keys, rows, groups, 2, 64)).tolist() == [[0, 3], [1, 3], [2, 3]]


def test_follow_ups_repeating_two_background_sentences_are_linked_as_partial(tmp_path, shared, seeds):
    """Real BBC stories, two of which repeat two sentences of the Kenya–Haiti wire story as background: the scan
    links each to the wire, and to each other, as `partial` (and nothing else), though both LSH tables miss the
    pairs."""
    docs = [json.loads(line) for line in open(shared / "eval/bbc_news/bbc_news.jsonl", encoding="utf-8")][:30]
    wire = seeds["001"]
    background = " ".join(wire[s.start : s.end] for s in sentences.split(wire)[3:5])  # the Security Council; 400 police since June
    follow_ups = ("bbc-business-004", "bbc-business-005")
    (tmp_path / "wire.txt").write_text(wire, encoding="utf-8")
    for d in docs:
        paragraphs = d["text"].split("\n")
        if d["id"] in follow_ups:
            paragraphs.insert(2, background)
        (tmp_path / f"{d['id']}.txt").write_text("\n".join(paragraphs), encoding="utf-8")

    def related(result):
        return {(p.a, p.b, p.relation, p.shared_passages) for p in result.links} | {(p.a, p.b, p.relation, p.shared_passages) for c in result.clusters for p in c.pairs}

    a, b = (f"{name}.txt" for name in follow_ups)
    assert related(scan(tmp_path)) == {(a, "wire.txt", PARTIAL, 2), (b, "wire.txt", PARTIAL, 2), (a, b, PARTIAL, 2)}
    scan_module = importlib.import_module("dedup.scan")
    with mock.patch.object(scan_module, "shared_sentence_pairs", lambda *a, **k: np.empty(0, dtype=np.int64)):
        assert related(scan(tmp_path)) == set()  # (what the scan found before it keyed sentences)
