from unittest import mock

import pytest

import numpy as np
from hypothesis import given, settings, strategies as st

from dedup import sentences
from dedup import verify as verify_module
from dedup.config import Config
from dedup.counts import CountTable
from dedup.features import extract, pack, unpack
from dedup.verify import DUPLICATE, NEAR, PARTIAL, REWRITE, verify, verify_pairs
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
    for a, b in (("https://example.com/article/123", "😀 🎉"), ("— * —", "https://other.org/two"), ("", "   ")):
        assert pair(a, b) is None  # no word at all: two such texts are not the same text (nor is nothing)
    assert pair("😀 🎉", " 😀  🎉 ").relation == DUPLICATE  # but the same symbols are


def test_features_round_trip_through_bytes(seeds):
    f = extract(seeds["002"], 5)
    g = unpack(pack(f))
    assert (f.n_words, f.exact) == (g.n_words, g.exact)
    for name in ("shingles", "terms", "term_sentence", "term_set"):
        assert np.array_equal(getattr(f, name), getattr(g, name))
    assert np.array_equal(g.term_set, np.unique(g.terms))  # the stored distinct terms are the terms' own
    blob = pack(f)
    for broken in (blob[:10], blob[:-4], blob + b"\0\0\0\0"):
        with pytest.raises(ValueError):
            unpack(broken)


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


def test_all_pairs_verified_at_once_give_what_verify_gives_pair_by_pair(seeds):
    texts = _edited_copies(seeds)
    stats = _stats(texts.values())
    names = list(texts)
    pairs = [(i, j) for i in range(len(names)) for j in range(len(names)) if i != j]
    config = Config(partial_passages=1)  # one passage makes a partial here, so that every branch is taken
    together = verify_pairs(names, [extract(texts[k], 5) for k in names], np.array(pairs), stats, config)
    reused = {(names[i], names[j]): p for (i, j), p in zip(pairs, together)}
    assert reused == _all_pairs(texts, stats, config)
    assert {p.relation for p in reused.values() if p} == {REWRITE, PARTIAL} and max(p.shared_passages for p in reused.values() if p) >= 10


def test_a_partial_link_needs_two_reused_sentences(seeds, shared):
    """A different story that repeats the wire's background: one repeated sentence is not enough (on real news
    a single matching sentence is most often a site template with the topic filled in), two are."""
    import json

    other = json.loads(open(shared / "eval/bbc_news/bbc_news.jsonl", encoding="utf-8").readline())["text"]
    wire = seeds["001"]
    background = [wire[s.start : s.end] for s in sentences.split(wire)][3:5]  # the Security Council; 400 police since June
    one, two = (extract(other + "\n\n" + " ".join(background[:n]), 5) for n in (1, 2))
    assert verify("wire", extract(wire, 5), "one", one, CountTable(), CONFIG) is None
    assert verify("wire", extract(wire, 5), "one", one, CountTable(), Config(partial_passages=1)).relation == PARTIAL
    p = verify("wire", extract(wire, 5), "two", two, CountTable(), CONFIG)
    assert (p.relation, p.shared_passages) == (PARTIAL, 2) and p.rewrite_score < CONFIG.rewrite_score


def test_candidates_counted_one_at_a_time_give_what_they_give_all_together(seeds, monkeypatch):
    texts = _edited_copies(seeds)
    stats = _stats(texts.values())
    together = _all_pairs(texts, stats)
    monkeypatch.setattr(verify_module, "_PAIR_BINS", -1)  # a chunk per candidate, cells counted as a very long one's
    assert _all_pairs(texts, stats) == together
    assert max(p.shared_passages for p in together.values() if p) >= 10


def _passages_by_hand(fa, fb) -> int:
    """The passage rule written out plainly: every sentence pair's shared distinct terms, then the greedy
    one-to-one matching, most shared first, ties in (sentence of A, sentence of B) order."""
    def by_sentence(f):
        out: dict[int, set[int]] = {}
        for t, s in zip(f.terms.tolist(), f.term_sentence.tolist()):
            out.setdefault(s, set()).add(t)
        return out

    sa, sb = by_sentence(fa), by_sentence(fb)
    scored = [(len(sa[i] & sb[j]), i, j) for i in sorted(sa) for j in sorted(sb)]
    scored = [(c, i, j) for c, i, j in scored if c >= 6 and c >= 0.6 * min(len(sa[i]), len(sb[j]))]
    used_a, used_b = set(), set()
    for c, i, j in sorted(scored, key=lambda x: -x[0]):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    return len(used_a)


SEED_SENTENCES = [t[s.start : s.end] for t in seed_texts().values() for s in sentences.split(t)]
MIXES = st.lists(st.sampled_from(SEED_SENTENCES), max_size=14).map("\n\n".join)


@settings(max_examples=150, deadline=None)
@given(MIXES, st.lists(MIXES, min_size=1, max_size=5))
def test_passages_are_the_plainly_counted_ones_for_any_mix_of_real_sentences(a, others):
    fa, fbs = extract(a, 5), [extract(b, 5) for b in others]
    expected = [_passages_by_hand(fa, fb) for fb in fbs]
    firsts, others_at = np.zeros(len(fbs), dtype=np.int64), np.arange(1, len(fbs) + 1)
    assert verify_module._passages([fa, *fbs], firsts, others_at).tolist() == expected
    with mock.patch.object(verify_module, "_PAIR_BINS", -1):
        assert verify_module._passages([fa, *fbs], firsts, others_at).tolist() == expected


def test_passages_by_hand_are_not_trivial(seeds):
    """The plain count above finds real passages in real text (so the property test compares something)."""
    texts = _edited_copies(seeds)
    assert _passages_by_hand(extract(texts["000"], 5), extract(texts["000-edited"], 5)) >= 8


@settings(max_examples=100, deadline=None)  # the first example loads the compiled kernels
@given(MIXES, st.lists(MIXES, min_size=1, max_size=5), st.sampled_from([CONFIG, Config(min_words=1, rewrite_score=0.0)]))
def test_compiled_verification_gives_exactly_what_numpy_gives(a, others, config):
    """The merge and matching kernels are twins of the numpy path: same relations, same figures to the last bit."""
    pytest.importorskip("dedup._compiled")
    from dedup import accel

    fa, fbs = extract(a, 5), [extract(b, 5) for b in others]
    stats = _stats([a, *others])
    names = ["a", *(f"b{k}" for k in range(len(fbs)))]
    pairs = np.array([(i, j) for i in range(len(names)) for j in range(len(names)) if i != j])
    compiled = verify_pairs(names, [fa, *fbs], pairs, stats, config)
    with mock.patch.object(accel, "kernels", lambda: None):
        assert verify_pairs(names, [fa, *fbs], pairs, stats, config) == compiled


@settings(max_examples=60, deadline=None)
@given(MIXES, st.lists(MIXES, min_size=3, max_size=8), st.sampled_from([CONFIG, Config(min_words=1, rewrite_score=0.0)]))
def test_compiled_one_against_many_gives_exactly_what_numpy_gives(a, others, config):
    """A check verifies one article against all its candidates: the kernel puts the first article in a hash set
    and probes it with each candidate; same relations and figures to the last bit as the numpy merge."""
    pytest.importorskip("dedup._compiled")
    from dedup import accel

    fa, fbs = extract(a, 5), [extract(b, 5) for b in others]
    stats = _stats([a, *others])
    names = ["a", *(f"b{k}" for k in range(len(fbs)))]
    pairs = np.array([(0, j) for j in range(1, len(names))] + [(j, 0) for j in range(1, len(names))])
    compiled = verify_pairs(names, [fa, *fbs], pairs, stats, config)
    with mock.patch.object(accel, "kernels", lambda: None):
        assert verify_pairs(names, [fa, *fbs], pairs, stats, config) == compiled


@settings(max_examples=100, deadline=None)
@given(MIXES)
def test_compiled_sentence_terms_equal_numpy_sentence_terms(text):
    pytest.importorskip("dedup._compiled")
    from dedup import accel

    compiled = extract(text, 5).sentence_terms
    with mock.patch.object(accel, "kernels", lambda: None):
        plain = extract(text, 5).sentence_terms
    assert all(x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(compiled, plain))



def _check_verdicts_and_verdicts(fa, fbs, stats, config):
    """What a check's kernels give for fa against the packed fbs, and what verdicts gives for the same pairs."""
    checked = verify_module.check_verdicts(fa, [pack(f) for f in fbs], stats, config)
    n = len(fbs)
    return checked, verify_module.verdicts([fa, *fbs], np.zeros(n, dtype=np.int64), np.arange(1, n + 1), stats, config)


CHECK_CONFIGS = [CONFIG, Config(min_words=1, rewrite_score=0.0), Config(partial_passages=1), Config(rewrite_score=0.3)]


RUN_ONS = st.lists(st.sampled_from(SEED_SENTENCES), min_size=4, max_size=14).map(lambda s: " and ".join(x.rstrip(". ") for x in s) + ".")
ARTICLES = st.one_of(MIXES, RUN_ONS, MIXES.map(lambda t: t.replace(". ", ", ")))  # (sentences of any length)


@settings(max_examples=150, deadline=None)  # the first example loads the compiled kernels
@given(ARTICLES, st.lists(ARTICLES, min_size=1, max_size=8), st.sampled_from(CHECK_CONFIGS), st.booleans())
def test_a_check_gives_exactly_the_verdicts_of_its_candidates(a, others, config, tiny_bins):
    """A check verifies its packed candidates in two compiled passes (most ruled out before their own terms'
    counts are read): every relation and figure is verdicts' own, to the last bit; with tiny_bins every pair
    that needs sentence pairs is handed back to verdicts."""
    pytest.importorskip("dedup._compiled")
    fa, fbs = extract(a, 5), [extract(b, 5) for b in others]
    stats = _stats([a, *others, *SEED_SENTENCES[::7]])
    with mock.patch.object(verify_module, "_PAIR_BINS", 1 if tiny_bins else verify_module._PAIR_BINS):
        checked, expected = _check_verdicts_and_verdicts(fa, fbs, stats, config)
    related = expected[0] != verify_module.UNRELATED
    assert np.array_equal(checked[0], expected[0])
    for got, want in zip(checked[1:], expected[1:]):  # an unrelated pair's figures are never read
        assert np.array_equal(got[related], want[related])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(SEED_SENTENCES), min_size=6, max_size=16, unique=True),
       st.lists(st.tuples(st.integers(0, 15), st.integers(3, 16), st.lists(st.sampled_from(SEED_SENTENCES), max_size=8), st.integers(1, 3),
                          st.booleans()), min_size=1, max_size=5), st.booleans())
def test_a_check_gives_exactly_the_verdicts_of_sentences_sharing_most_terms(sentences, cuts, run_on):
    """Candidates sharing some or most of the article's terms but no word shingle, so that passages are counted
    and their overlap test reads the sizes of both sentences: each sentence of theirs (whole, or its first half)
    says a thing once, twice or thrice (fewer distinct terms than tokens), as one run-on sentence (many tokens:
    its distinct terms are counted another way) or one to a paragraph."""
    pytest.importorskip("dedup._compiled")

    def text(parts: list[str], times: int = 1, halves: bool = False) -> str:
        parts = [" ".join(x.split()[: len(x.split()) // 2]) if halves else x for x in parts]
        said = [" and ".join([x.rstrip(". ")] * times) for x in parts]
        return " and ".join(said) + "." if run_on else "\n\n".join(x + "." for x in said)

    a = text(sentences)
    others = [text(sentences[i : i + n] + extra, times, halves) for i, n, extra, times, halves in cuts if sentences[i : i + n]]
    others = [" ".join(w + " then" if k % 3 == 2 else w for k, w in enumerate(b.split(" "))) for b in others]  # no shingle kept
    fa, fbs = extract(a + "\n\n" + a, 5), [extract(b + "\n\n" + b, 5) for b in others]
    stats = _stats([a, *others, *SEED_SENTENCES[::7]])
    checked, expected = _check_verdicts_and_verdicts(fa, fbs, stats, Config(partial_passages=1, rewrite_score=1.0))
    assert np.array_equal(checked[0], expected[0]) and np.array_equal(checked[4], expected[4])


@settings(max_examples=100, deadline=None)
@given(ARTICLES, st.integers(1, 3))
def test_a_check_counts_each_sentences_distinct_terms_as_features_do(text, times):
    """The check's kernel counts a candidate's distinct terms sentence by sentence from its terms in text order
    (pair by pair in a short sentence, sorted in a long one): the sizes Features.sentence_terms gives."""
    kernels = pytest.importorskip("dedup._compiled")
    f = extract(" ".join([text] * times) if times > 1 else text, 5)  # (a run-on said twice: one sentence, each term twice)
    if len(f.terms):
        sizes = f.sentence_terms[2]
        assert np.array_equal(kernels._sentence_sizes(f.terms, kernels._held_sentences(f.term_sentence), len(sizes)), sizes)


def test_a_check_rules_out_unrelated_news_early_and_finds_the_rewrites(seeds, shared):
    """The check's first pass does rule out real candidates (other news sharing some words with the wire) before
    verifying them, and keeps the wire's rewrites; the verdicts are verdicts' own."""
    import json

    kernels = pytest.importorskip("dedup._compiled")
    with open(shared / "eval/bbc_news/bbc_news.jsonl", encoding="utf-8") as fh:
        news = [json.loads(line)["text"] for _, line in zip(range(300), fh)]
    stats = _stats([*news, *seeds.values()])
    wire = extract(seeds["000"], 5)
    others = [extract(t, 5) for t in [*news, seeds["001"], seeds["002"], seeds["003"], seeds["004"]]]
    blobs = [pack(f) for f in others]
    data = np.frombuffer(b"".join(blobs), dtype="<u4")
    lengths = np.array([len(b) // 4 for b in blobs])
    _, could, _, _, _, _ = kernels.check_figures(data, np.cumsum(lengths) - lengths, lengths, wire.shingles, wire.term_set, verify_module.idf(wire.term_set, stats),
                                          wire.n_words, np.uint64(wire.exact), CONFIG.min_words, CONFIG.near_jaccard,
                                          CONFIG.near_containment, CONFIG.rewrite_score / 2, 10, stats.counts, np.uint32(stats.mask),
                                          float(stats.documents + verify_module.IDF_PRIOR))
    assert not could[: len(news)].any()  # (bbc_news has nothing on Haiti; the shared-weight bound alone kept 19 of these 300)
    assert could[len(news) :].all()
    checked, expected = _check_verdicts_and_verdicts(wire, others, stats, CONFIG)
    assert np.array_equal(checked[0], expected[0])
    assert [verify_module.RELATIONS[r] for r in checked[0][len(news) : -1]] == [REWRITE, REWRITE, REWRITE]
    assert checked[0][-1] != verify_module.UNRELATED  # 004, the later story (see test_scan: rewrite, not yet partial)


@pytest.mark.parametrize("tiny_bins", [False, True])
def test_sentences_without_content_terms_take_no_room_in_passage_counts(seeds, monkeypatch, tiny_bins):
    """Sentences are numbered among those holding content terms: 1,900 "It was." between a story's sentences
    used to give each pair of articles millions of empty sentence cells (seconds a check); now the padded and the
    plain texts number their sentences alike, and verdicts and the check agree on them."""
    if tiny_bins:
        monkeypatch.setattr(verify_module, "_PAIR_BINS", 64)  # the check hands such pairs back to verdicts
    plain = seeds["001"]
    padded = ("\n" + "It was. " * 170 + "\n").join(plain.split("\n"))  # (001 has a sentence or two a line)
    fp, fd = extract(plain, 5), extract(padded, 5)
    assert fd.term_sentence[-1] > 1500 and np.array_equal(fd.sentence_terms[1], fp.sentence_terms[1])
    stats = _stats([plain, padded, *seeds.values()])
    others = [extract(seeds[k], 5) for k in ("002", "003", "004")]
    checked, expected = _check_verdicts_and_verdicts(fd, [fp, *others], stats, Config(partial_passages=1))
    assert all(np.array_equal(c, e) for c, e in zip(checked, expected))
    assert checked[4][1:].tolist() == _check_verdicts_and_verdicts(fp, others, stats, Config(partial_passages=1))[0][4].tolist()
