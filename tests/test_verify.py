import numpy as np

from dedup.config import Config
from dedup.counts import CountTable
from dedup.features import extract, pack, unpack
from dedup.verify import DUPLICATE, NEAR, verify

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
