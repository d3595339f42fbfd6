from hypothesis import given, settings, strategies as st

from dedup import sentences
from dedup.normalize import clean, tokens, word_spans, words


def test_words_fold_case_width_and_figures():
    assert words("Kenya’s ＲＵＴＯ sent 1,900 troops; 700,000 displaced.") == ["kenya", "s", "ruto", "sent", "1900", "troops", "700000", "displaced"]


def test_invisible_characters_do_not_split_words():
    assert words("peace\u200bkeeping mis\u00adsion") == ["peacekeeping", "mission"]


def test_urls_are_not_text():
    assert words("see https://example.com/a/b?c=1 now") == ["see", "now"]


def test_word_spans_slice_the_original(seeds):
    text = seeds["001"]
    spans = word_spans(text)
    assert [t for _, _, t in spans] == words(text)
    for start, end, token in spans[:200]:
        assert words(text[start:end]) == [token]


def test_sentences_of_a_real_article(seeds):
    text = seeds["001"]
    got = [text[s.start : s.end] for s in sentences.split(text)]
    assert got[0].startswith("In his latest visit to Haiti")
    # "U.N." inside a sentence is not a sentence end.
    assert any("fully U.N. Peacekeeping mission" in s for s in got)
    assert len(got) == 14


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\t\"”’AZ1,") + ["\u200b", "é", "😀", "ש"]), max_size=300))
def test_sentence_spans_are_ordered_disjoint_and_cover_all_text(text):
    spans = sentences.split(text)
    covered = set()
    last = 0
    for s in spans:
        assert last <= s.start < s.end <= len(text)
        assert not text[s.start].isspace() and not text[s.end - 1].isspace()
        covered.update(range(s.start, s.end))
        last = s.end
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


@given(st.text(max_size=200))
def test_clean_never_fails_and_is_idempotent_on_words(text):
    assert words(clean(text)) == words(text)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_ascii_fast_path_gives_the_unicode_patterns_tokens(text):
    from dedup.normalize import SEPARATOR, TOKEN

    assert tokens(text) == TOKEN.findall(SEPARATOR.sub("", text.casefold()))


URLISH = st.lists(st.sampled_from(["http", "https", "HTTPs", "hTTp", "s", "://", "www.", "WwW.", "ww", "w", ".", " ", "\n", "x", "é", "/", ":", "İ", "\u212a", "ſ"]), max_size=30).map("".join)


@settings(max_examples=500)
@given(URLISH)
def test_url_removal_is_the_url_pattern(text):
    from dedup.normalize import _URL, _strip_urls

    assert _strip_urls(text) == _URL.sub(" ", text)
