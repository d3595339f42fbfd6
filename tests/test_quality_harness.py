"""The quality harness runs on a small sample in CI, so it cannot rot (the full run is in the README)."""
import pytest

from benchmarks import quality


@pytest.fixture(scope="module")
def results(shared):
    return quality.run(sample=True)


def test_every_labelled_set_is_measured(results):
    assert {"mrpc", "clough_stevenson", "seeds", "multinews", "synthetic"} <= set(results)
    table = quality.table(results)
    assert table.count("\n") == 18 and "MRPC" in table and "Multi-News full text" in table and "Synthetic" in table


def test_sample_figures_are_real(results):
    m = results["mrpc"]
    assert m["n"] == 200 and m["accuracy"] > m["always_yes"]["accuracy"]
    assert m["align"]["accuracy"] > m["always_yes"]["accuracy"] and m["align"]["recall"] >= m["recall"]
    rule = m["passage_rule"]
    assert 0 < rule["judge_rejects_paraphrases"] <= rule["judge_rejects"] <= rule["pairs"] and rule["paraphrases"] > rule["pairs"] / 2
    clough = results["clough_stevenson"]["categories"]
    # Same-topic, independently written answers stay apart, but for two that score as rewrites of a copied
    # answer (rewrite scores 0.159 and 0.141, no shared passage): a known shortfall, see the README.
    assert clough["non"]["false_positives"] <= 2
    # Related to anything at all, as many are to each other (a shortfall the README's second `non` row shows):
    assert clough["non"]["false_positives"] <= clough["non"]["related_to_any"] <= clough["non"]["answers"]
    assert clough["cut_excluding_label_errors"]["share"] == 1.0 and clough["heavy"]["share"] >= 0.95
    news = results["multinews"]["full"]
    assert news["alignment"]["pairs"] > 100 and news["alignment"]["quick_shows_fewer"] == news["alignment"]["align_shows_fewer"] == 0
    assert news["articles"] > 400 and news["precision"] > 0.9 and 0 < news["recall"] < 1
    syn = results["synthetic"]
    assert syn["n"] == 1_000 and syn["verified_precision"] > 0.9 and 0 < syn["ari"] <= 1
    assert 0.5 < syn["partial_link_precision"] <= 1 and 0 < syn["partial_link_recall"] < 1
