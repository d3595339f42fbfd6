"""dedup.sentences: the hand-written splitting loop against the rule written as a regular expression."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEEDS
from dedup import accel, sentences
from dedup.sentences import Span

# The rule as patterns: a run of sentence-ending punctuation and closers, then (on the same line) whitespace, at
# most one opener, and a letter or digit that is not a lower-case ASCII letter, or a link; the last word before a
# point must not be an initial or a known abbreviation. Or a run holding a Chinese or Japanese full stop, then
# anything on the same line.
_END = re.compile(r"""(?>[.!?…。！？]+["'”’»)\]」』）]*)(?=\s+["'“‘«(\[「『（]?(?:[^\W_a-z]|https?://|www\.))"""
                  r"""|(?=[.!?…]*[。！？])(?>[.!?…。！？]+["'”’»)\]」』）]*)(?=[\s\S])""")
_LAST_WORD = re.compile(r"(\w+)\W*\Z")


def _by_pattern(text: str) -> list[Span]:
    spans = []

    def take(start: int, end: int) -> None:
        piece = text[start:end]
        if piece.strip():
            start += len(piece) - len(piece.lstrip())
            spans.append(Span(start, start + len(piece.strip())))

    for start, end in sentences._lines(text):
        cursor = start
        for m in _END.finditer(text, start, end):
            word = _LAST_WORD.search(text, cursor, m.start() + 1)
            word = word.group(1) if word else ""
            full = any(c in "。！？" for c in m.group())
            if text[m.start()] == "." and not full and (len(word) == 1 or word.casefold() in sentences._ABBREVIATIONS):
                continue
            take(cursor, m.end())
            cursor = m.end()
        take(cursor, end)
    return spans


PIECES = [".", "!", "?", "…", "...", '"', "'", "”", "’", "»", ")", "]", "“", "‘", "«", "(", "[", " ", "  ", "\n", "\n\n",
          "\t", "\u00a0", "word", "Word", "é", "É", "7", "3.5", "_", "Mr", "mr", "U", "u", "St", "etc", "Ω", "ß", "١",
          "https://", "http://x.org", "www.", "http", "ww", "😀", "𐐀", "ſt", "K", "İ", "\u2028", "\x0b", "\r\n",
          "\n \t\n", ":", ";", "A line of more than fifty characters, and no end in it", "。", "！", "？", "」", "「", "）", "（",
          "野党は計画を批判した", "首相"]


@settings(max_examples=1000, deadline=None)  # (the first example loads the compiled kernel)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_the_loop_splits_as_the_pattern_does(text):
    assert sentences.split(text) == _by_pattern(text)
    assert sentences._split(text) == sentences.split(text)  # (the Python loop and the compiled one, when numba is installed)


def test_the_compiled_loop_leaves_a_word_that_is_not_ascii_to_case_folding():
    """"ſt." folds to "st.", an abbreviation: the compiled loop, which compares ASCII, hands the text back."""
    text = "He lives on Main ſt. Paris is far. It is on Rue K. Then É. Macron spoke. Then 😀. Next one."
    fast = accel.kernels()
    if fast is not None:
        assert sentences._compiled_split(fast, text) is None
    assert [text[a:b] for a, b in sentences.spans(text).tolist()] == [
        "He lives on Main ſt. Paris is far.", "It is on Rue K. Then É. Macron spoke.", "Then 😀.", "Next one."]


def test_real_articles_split_as_the_pattern_does():
    for path in SEEDS.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        spans = sentences.split(text)
        assert spans == _by_pattern(text)
        assert len(spans) > 10


def test_chinese_and_japanese_full_stops_end_a_sentence():
    """。！？ are followed by no space: a Japanese text was one sentence, and align found none of the sentences two
    texts shared (helper-44's walk)."""
    text = "日本政府は木曜日、新しい経済対策を発表した。野党は計画を批判した！首相は「雇用が増える」と述べた。\n次の行です"
    assert [text[a:b] for a, b in sentences.split(text)] == [
        "日本政府は木曜日、新しい経済対策を発表した。", "野党は計画を批判した！", "首相は「雇用が増える」と述べた。", "次の行です"]


def test_abbreviations_and_initials_do_not_end_a_sentence():
    text = "Mr. Ruto met Dr. A. Conille in Nairobi. The U.N. Security Council votes on Sept. 30. It will pass."
    assert [text[s.start : s.end] for s in sentences.split(text)] == [
        "Mr. Ruto met Dr. A. Conille in Nairobi.",
        "The U.N. Security Council votes on Sept. 30.",
        "It will pass.",
    ]


def test_a_link_after_a_sentence_starts_another():
    """clean() drops links, so the cleaned text breaks before the word after one; the text as written must break
    there too, or align joins two sentences that verification counts apart."""
    text = "Ruto praised the officers on Saturday. https://example.com/photo.jpg Ruto promised new equipment. www.x.org is his site."
    assert [text[s.start : s.end] for s in sentences.split(text)] == [
        "Ruto praised the officers on Saturday.",
        "https://example.com/photo.jpg Ruto promised new equipment.",
        "www.x.org is his site.",
    ]
