"""dedup.paraphrase on real MRPC train pairs and on edge cases (test-split accuracy: benchmarks/eval_mrpc.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import paraphrase
from dedup.paraphrase import features, is_paraphrase, pair_similarity, sentence_similarity

MRPC = Path("/work/shared/eval/mrpc")
needs_mrpc = pytest.mark.skipif(not (MRPC / "mrpc_train.jsonl").exists(), reason="MRPC data not available")


def _train_rows(n: int = 40) -> list[dict]:
    with open(MRPC / "mrpc_train.jsonl", encoding="utf-8") as f:
        return [json.loads(next(f)) for _ in range(n)]


# train rows the model judges with a clear margin; labels are the human labels
POSITIVES = [0, 2, 9, 19, 22, 38]
NEGATIVES = [6, 8, 12, 36]


@needs_mrpc
@pytest.mark.parametrize("k", POSITIVES)
def test_known_train_positives_are_paraphrases(k):
    r = _train_rows()[k]
    assert r["label"] == 1
    assert is_paraphrase(r["text1"], r["text2"])


@needs_mrpc
@pytest.mark.parametrize("k", NEGATIVES)
def test_known_train_negatives_are_not(k):
    r = _train_rows()[k]
    assert r["label"] == 0
    assert not is_paraphrase(r["text1"], r["text2"])


def test_seed_background_sentences_are_paraphrases():
    a = "Kenya dispatched approximately 400 police personnel to Port-au-Prince in June and July out of an anticipated 1,000 after the Security Council authorised the MSS mission."
    b = "After the Security Council approved the MSS mission, Kenya sent about 400 police officers—out of an expected 1,000—to Port-au-Prince in June and July."
    assert is_paraphrase(a, b)
    assert not is_paraphrase(a, "The 15-member council is scheduled to cast a vote on the mandate renewal on September 30.")


def test_number_change_lowers_similarity():
    a = "The company said profit rose 12 percent to $4.5 billion in the second quarter."
    b = "The company said profit rose 12 percent to $4.5 billion in the second quarter of the year."
    c = "The company said profit rose 31 percent to $7.9 billion in the second quarter of the year."
    assert sentence_similarity(a, b) > sentence_similarity(a, c)


def test_identical_and_unrelated():
    s = "Ruto visited Haiti to inspect the Multinational Security Support deployment."
    assert sentence_similarity(s, s) == 1.0
    assert sentence_similarity(s, "Shares of Xoma fell 16 percent in early trade.") < 0.2


def test_symmetric():
    a = "The DVD-CCA then appealed to the state Supreme Court."
    b = "The DVD CCA appealed that decision to the U.S. Supreme Court."
    assert sentence_similarity(a, b) == pytest.approx(sentence_similarity(b, a))


def test_stem_conflates_morphology():
    assert paraphrase.stem("deployed") == paraphrase.stem("deployment") == paraphrase.stem("deploys") == "deploy"


def test_weights_match_features():
    assert len(paraphrase.WEIGHTS) == len(paraphrase.FEATURE_NAMES)
    assert len(paraphrase.pair_features(features("a b c"), features("a b d"))) == len(paraphrase.FEATURE_NAMES)
    assert 0 < paraphrase.THRESHOLD < 1


@pytest.mark.parametrize(
    "a,b",
    [("", ""), ("", "word"), ("   ", "\n\n"), ("🙂🙂", "🙂"), ("שלום עולם", "שלום"), ("a\u200bb", "ab"), ("x", "x"),
     ("1,900", "1900"), ("word " * 3000, "word " * 2999 + "other")],
)  # fmt: skip
def test_edge_cases_in_range(a, b):
    s = sentence_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert isinstance(is_paraphrase(a, b), bool)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200))
def test_any_text_in_range(a, b):
    s = pair_similarity(features(a), features(b))
    assert 0.0 <= s <= 1.0


def test_two_unrelated_long_passages_are_not_rewordings_and_an_edited_copy_is(shared):
    """Text without sentence ends is one passage: two unrelated 500-word ones scored 0.96 (these 400-word ones 0.62) (the judge's word-set
    ratios fill up with common words past sentence length), and `dedup align` called them reworded."""
    import re

    with open(shared / "eval/multinews/multinews_test_truncated_docs.jsonl", encoding="utf-8") as fh:
        docs = [t for t in (json.loads(line)["text"] for line in fh) if len(t.split()) > 400][:2]
    a, b = (" ".join(re.sub(r"[.!?\"]", "", d).split()[:400]) for d in docs)
    assert sentence_similarity(a, b) == 0.0
    edited = a.replace(" the ", " a ", 20) + " And one more clause at the end"
    assert sentence_similarity(a, edited) > 0.9
