"""The compiled token scanner gives exactly what the regex + xxhash path gives, and what normalize.tokens says."""
import numpy as np
import pytest
import xxhash
from hypothesis import given, settings, strategies as st

from dedup import accel, sentences, tokenhash
from dedup.features import extract
from dedup.tokenhash import term_hash
from dedup.normalize import clean, tokens

scan = pytest.importorskip("dedup._compiled", reason="numba is not installed: only the regex path exists")

# Letters, digits of several scripts, separators, characters whose case folding is longer (ß, İ, ŉ),
# marks, '_' (a word character that is not a letter), invisible characters and surrogates.
TRICKY = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("ab Z9 0,.,.-_'\n\tßİŉﬁé\u0301٣²½\u200b\u00adΣς한\x1c\x85\u1680\u2028\u3000\xa0")),
        st.characters(codec="utf-8"),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    ),
    max_size=120,
)


def both_paths(cleaned: str) -> tuple[tokenhash.Tokens, tokenhash.Tokens]:
    return tokenhash.tokenize(cleaned), tokenhash._regex_tokenize(cleaned)


def same(a: tokenhash.Tokens, b: tokenhash.Tokens) -> bool:
    return (a.hashes.tolist(), a.terms.tolist(), a.starts.tolist(), a.ends.tolist(), a.words, a.text) == (
        b.hashes.tolist(), b.terms.tolist(), b.starts.tolist(), b.ends.tolist(), b.words, b.text)


def spelled(t: tokenhash.Tokens) -> list[str]:
    return [t.token(i) for i in range(len(t.hashes))]


@settings(deadline=None)  # the first example loads the compiled kernel
@given(st.lists(st.integers(0, 0x10FFFF), max_size=40))
def test_compiled_xxh64_is_xxhash_of_utf32(cps):
    buf = np.array(cps + [0], dtype=np.uint64)
    data = np.array(cps, dtype="<u4").tobytes()
    assert scan._xxh64(buf, len(cps)) == xxhash.xxh64_intdigest(data)


@settings(max_examples=300, deadline=None)
@given(TRICKY)
def test_compiled_scan_equals_regex_path_and_normalize_tokens(text):
    compiled, regex = both_paths(text)
    assert same(compiled, regex)
    assert spelled(compiled) == tokens(text)


def test_real_articles_scan_the_same_both_ways(seeds):
    for text in seeds.values():
        compiled, regex = both_paths(clean(text))
        assert len(compiled.hashes) > 300
        assert same(compiled, regex)
        assert spelled(compiled) == tokens(clean(text))


def test_figures_lose_thousands_separators_and_keep_decimals():
    found = tokenhash.tokenize("1,900 Troops, 2.5 m, 3,")
    assert spelled(found) == ["1900", "troops", "2.5", "m", "3"]
    assert found.hashes[0] == tokenhash.hash_token("1900") and found.hashes[1] == tokenhash.hash_token("troops")


def test_folding_that_lengthens_text_is_scanned_on_the_folded_text():
    found = tokenhash.tokenize("Die Straße in İzmir")  # İ folds to i + a combining dot, which splits the word
    assert spelled(found) == ["die", "strasse", "in", "i", "zmir"] == tokens("Die Straße in İzmir")
    assert found.text == "die strasse in i̇zmir" and same(found, tokenhash._regex_tokenize("Die Straße in İzmir"))


def _features_by_sentence(text: str) -> tuple[list[int], list[int]]:
    """Content terms and their sentence, tokenising sentence by sentence (the slow, obvious way)."""
    cleaned = clean(text)
    terms, where = [], []
    for i, span in enumerate(sentences.split(cleaned)):
        for token in tokens(cleaned[span.start : span.end]):
            h = term_hash(token)
            if h >= 0:
                terms.append(h)
                where.append(i)
    return terms, where


SENTENCE = st.lists(st.sampled_from("Straße İstanbul ŉ police 1,900 officers Haiti’s the “MSS” Ruto ﬁnal 600".split()), min_size=1, max_size=8)


@settings(max_examples=100, deadline=None)
@given(st.lists(SENTENCE, min_size=1, max_size=6))
def test_each_term_is_placed_in_its_sentence_even_when_folding_lengthens_text(words_by_sentence):
    text = " ".join(" ".join(ws).capitalize() + "." for ws in words_by_sentence)
    f = extract(text, 5)
    terms, where = _features_by_sentence(text)
    assert f.terms.tolist() == terms
    assert f.term_sentence.tolist() == where


def test_pure_python_path_gives_identical_features(seeds, monkeypatch):
    compiled = [extract(t, 5) for t in seeds.values()]
    monkeypatch.setattr(accel, "kernels", lambda: None)
    for text, f in zip(seeds.values(), compiled):
        g = extract(text, 5)
        assert (f.n_words, f.exact) == (g.n_words, g.exact)
        assert (f.shingles == g.shingles).all() and (f.terms == g.terms).all() and (f.term_sentence == g.term_sentence).all()


STEMMABLE = st.lists(
    st.sampled_from("The police deployed deploying deployments parties studied things ings bus Kings a I 5 ² ²abcdes said "
                    "was MSS 1,900 rings sing studies agreement ment ments Über ÉTUDES naïvely".split()),
    max_size=25,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(STEMMABLE)
def test_compiled_terms_are_term_hash_of_each_token(text):
    compiled, regex = both_paths(text)
    assert same(compiled, regex)
    assert compiled.terms.tolist() == [term_hash(t) for t in tokens(text)]
    assert tokenhash.term_set(tokens(text)) == set(compiled.terms.tolist()) - {tokenhash.NOT_A_TERM}  # (what align uses)


def test_a_character_beyond_the_basic_plane_makes_only_its_own_page_of_the_table():
    table = tokenhash._Table()
    codes = np.frombuffer("Ruto 😀 met 𝐆𝐮𝐭𝐞𝐫𝐫𝐞𝐬".encode("utf-32-le"), dtype=np.uint32)
    entries = table.covering(codes)
    assert table.made.sum() == 16 + 2  # the Basic Multilingual Plane, and the pages of 😀 and of 𝐆
    assert entries[ord("😀")] == ord("😀")  # a symbol: neither letter nor digit
    assert entries[ord("𝐆")] >> 24 == tokenhash._LETTER and entries[ord("𝐆")] & 0xFFFFFF == ord("𝐆")
    assert entries[0x10400] == 0  # Deseret (another page): not made, never read
    text = clean("Ruto 😀 met 𝐆𝐮𝐭𝐞𝐫𝐫𝐞𝐬 and 𐐀𐐨 (Deseret, folds to lower case)")
    assert same(*both_paths(text)) and spelled(tokenhash.tokenize(text)) == tokens(text)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork on this platform")
def test_a_process_forked_while_a_page_is_made_can_make_pages():
    """A child forked while another thread held the table's lock inherited it held, and hung on its first emoji."""
    import os

    with tokenhash._TABLE.lock:  # (as a thread making a page holds it)
        pid = os.fork()
        if pid == 0:  # the child: a fresh lock, so it makes its page
            os._exit(0 if not tokenhash._TABLE.lock.locked() and len(tokenhash.tokenize("Ruto 🀄 Haiti").hashes) == 2 else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
