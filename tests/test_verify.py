from unittest import mock

import numpy as np
from hypothesis import given, settings, strategies as st

from dedup import sentences
from dedup import verify as verify_module
from dedup.config import Config
from dedup.counts import CountTable
from dedup.features import extract, pack, unpack
from dedup.verify import DUPLICATE, NEAR, PARTIAL, REWRITE, Verifier, verify
from conftest import seed_texts

CONFIG = Config()


def pair(a: str, b: str):
    return verify("a", extract(a, 5), "b", extract(b, 5), CountTable(), CONFIG)


def test_same_text_after_normalisation_is_a_duplicate(seeds):
    text = seeds["000"]
    p = pair(text, "  " + text.upper().replace("\n\n", "\n").replace(", ", " , "))
    assert p.relation == DUPLICATE


def test_syndicated_copy_with_new_headline_and_trimmed_ending_is_near_duplicate(seeds):
    text = seeds["003"]
    copy = "EXCLUSIVE: Kenya doubles down on Haiti\n" + text[: int(len(text) * 0.7)]
    p = pair(text, copy)
    assert p.relation == NEAR
    assert p.containment > 0.95 and p.jaccard < 0.8


def test_different_stories_are_not_related(seeds, shared):
    import json

    bbc = [json.loads(line) for line in open(shared / "eval/bbc_news/bbc_news.jsonl", encoding="utf-8")][:40]
    for doc in bbc:
        assert pair(seeds["001"], doc["text"]) is None


def test_two_unrelated_short_texts_are_never_duplicates():
    assert pair("Shares rose today.", "Rain is expected tomorrow.") is None
    assert pair("ok", "ok!") is not None  # identical after normalisation: that is a fact, not a guess
    assert pair("Breaking news", "Breaking news update") is None  # too short to compare


def test_features_round_trip_through_bytes(seeds):
    f = extract(seeds["002"], 5)
    g = unpack(pack(f))
    assert (f.n_words, f.exact) == (g.n_words, g.exact)
    for name in ("shingles", "terms", "term_sentence"):
        assert np.array_equal(getattr(f, name), getattr(g, name))


def _edited_copies(seeds) -> dict[str, str]:
    """The seed articles and rewrites of them: paragraphs reversed, the first dropped, two repeated (a sentence
    of one side then matches two of the other: the one-to-one matching has choices to make), and a stop word
    after every third word (no word 5-shingle left in common, every content term kept)."""
    texts = {}
    for key, text in seeds.items():
        paragraphs = [p for p in text.splitlines() if p.strip()]
        words = "\n".join(paragraphs[:0:-1] + paragraphs[1:3]).split(" ")
        texts[key] = text
        texts[key + "-edited"] = " ".join(w + " then" if k % 3 == 2 else w for k, w in enumerate(words))
    return texts


def _all_pairs(texts: dict[str, str], stats: CountTable, config: Config = CONFIG) -> dict[tuple[str, str], object]:
    """verify of every ordered pair, each from freshly extracted features (no derived array shared)."""
    return {(a, b): verify(a, extract(ta, 5), b, extract(tb, 5), stats, config) for a, ta in texts.items() for b, tb in texts.items() if a != b}


def _stats(texts) -> CountTable:
    stats = CountTable()
    for t in texts:
        stats.add(extract(t, 5).terms)
    return stats


def test_one_verifier_for_many_candidates_gives_what_verify_gives_pair_by_pair(seeds):
    texts = _edited_copies(seeds)
    stats = _stats(texts.values())
    feats = {k: extract(t, 5) for k, t in texts.items()}
    reused = {}
    for a in texts:
        check = Verifier(a, feats[a], stats, CONFIG)
        reused.update({(a, b): check(b, feats[b]) for b in texts if b != a})
    assert reused == _all_pairs(texts, stats)
    assert {p.relation for p in reused.values() if p} == {REWRITE, PARTIAL} and max(p.passages for p in reused.values() if p) >= 10


def test_passages_counted_by_matrix_product_equal_passages_counted_term_by_term(seeds, monkeypatch):
    texts = _edited_copies(seeds)
    stats = _stats(texts.values())
    by_product = _all_pairs(texts, stats)
    monkeypatch.setattr(verify_module, "_DENSE_LIMIT", -1)  # every pair counted term by term, as long articles are
    assert _all_pairs(texts, stats) == by_product
    assert max(p.passages for p in by_product.values() if p) >= 10


SEED_SENTENCES = [t[s.start : s.end] for t in seed_texts().values() for s in sentences.split(t)]
EVERY_PAIR_COMPARED = Config(min_words=1, near_jaccard=2.0, near_containment=2.0, rewrite_score=0.0)  # passages always counted


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(SEED_SENTENCES), max_size=14), st.lists(st.sampled_from(SEED_SENTENCES), max_size=14))
def test_both_ways_of_counting_passages_agree_on_any_mix_of_real_sentences(a, b):
    texts = {"a": "\n\n".join(a), "b": "\n\n".join(b)}
    stats = _stats(texts.values())
    by_product = _all_pairs(texts, stats, EVERY_PAIR_COMPARED)
    with mock.patch.object(verify_module, "_DENSE_LIMIT", -1):
        assert _all_pairs(texts, stats, EVERY_PAIR_COMPARED) == by_product
