"""Boilerplate learned from the corpus: what goes, and what a story's own copies and rewrites keep."""
import numpy as np
from hypothesis import given, settings, strategies as st

from dedup import boilerplate
from dedup.counts import CountTable
from dedup.sentences import split

QUOTE = "“We have absolutely no problem with it,” Ruto said."


def _learned(texts: list[str]) -> CountTable:
    table = CountTable()
    for t in texts:
        boilerplate.learn(table, t)
    return table


def _sentences(seeds, n: int) -> list[str]:
    """n long sentences of the seeds, each a different one, opening with a capital (as a sentence after chrome must)."""
    found = [text[s.start : s.end] for text in seeds.values() for s in split(text)]
    return [x for x in found if len(x.split()) >= 20 and x[0].isupper()][:n]


def test_a_quote_that_rewrites_share_inside_their_text_stays(seeds):
    own = _sentences(seeds, 8)
    texts = [f"{own[2 * i]} {QUOTE} {own[2 * i + 1]}" for i in range(4)]
    table = _learned(texts)
    assert all(boilerplate.strip(t, table, 3) == t for t in texts)


def test_chrome_at_either_edge_of_a_run_in_line_goes_and_the_text_stays(seeds):
    own = _sentences(seeds, 8)
    texts = [f"Skip ad. Sign up for one of our email newsletters. {own[2 * i]} {own[2 * i + 1]} Read more." for i in range(4)]
    table = _learned(texts)
    assert [boilerplate.strip(t, table, 3) for t in texts] == [f"{own[2 * i]} {own[2 * i + 1]}" for i in range(4)]
    # learned from too few articles to tell, nothing goes
    assert boilerplate.strip(texts[0], _learned(texts[:2]), 3) == texts[0]


def test_removing_an_article_uncounts_exactly_what_it_added(seeds):
    table = _learned(list(seeds.values()))
    before = table.counts.copy()
    boilerplate.learn(table, seeds["001"], sign=1)
    boilerplate.learn(table, seeds["001"], sign=-1)
    assert (table.counts == before).all() and table.documents == 5


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("Ab. !?\n “”\"x1…'"), max_size=120), min_size=1, max_size=6))
def test_strip_only_ever_removes_lines_and_edge_sentences(texts):
    """Whatever the text: strip never raises, and what it keeps is, line by line and in order, a piece of the
    original line (a blank line stays as it was); only the first and last non-blank kept lines can lose part of
    themselves."""
    table = _learned(texts * 3)  # everything recurs: the most that can go, goes
    for text in texts:
        kept = boilerplate.strip(text, table, 3).split("\n")
        lines = text.split("\n")
        filled = [n for n, piece in enumerate(kept) if piece.strip()]
        at = 0
        for n, piece in enumerate(kept):
            while at < len(lines) and not (piece in lines[at] if piece.strip() else piece == lines[at]):
                at += 1
            assert at < len(lines), (piece, lines)
            if n not in filled[:1] + filled[-1:]:
                assert piece == lines[at]
            at += 1


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(" \t\xa0\u2003\u3000\u2028\x1f\x85\r\x0bAb.é\u00ad"), max_size=40), max_size=6))
def test_a_line_hashes_as_its_words_single_spaced(pieces):
    """Lines already single-spaced skip the re-spacing: the same hash and word count as re-spaced, whatever
    spaces (Unicode's included) they hold."""
    respaced = [" ".join(p.split()) for p in pieces]
    hashes, words = boilerplate._hashes(pieces)
    assert hashes == boilerplate._hashes(respaced)[0]
    assert words == [len(r.split()) for r in respaced]
    assert [h == 0 for h in hashes] == [not r for r in respaced]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=30), max_size=8), st.data())
def test_a_document_counts_each_item_once_and_uncounting_takes_it_back(documents, data):
    """However often a document holds an item (or two items share a slot), it counts once in that slot; uncounting
    the documents, in any order, leaves the table as it was."""
    table = CountTable()
    for items in documents:
        table.add(np.array(items + items[:3], dtype=np.uint64))
    for slot in {int(x) & table.mask for items in documents for x in items}:
        assert table.counts[slot] == sum(any(int(x) & table.mask == slot for x in items) for items in documents)
    for items in data.draw(st.permutations(documents)):
        table.add(np.array(items, dtype=np.uint64), sign=-1)
    assert not table.counts.any() and table.documents == 0


def _by_group(groups: list[list[str]]) -> CountTable:
    """Line counts with each group of copies counted once (as a scan counts them again once it knows the copies)."""
    table = CountTable()
    for texts in groups:
        table.add(np.unique(np.concatenate([boilerplate.lines_of(t) for t in texts])))
    return table


def test_a_footer_as_long_as_hard_wrapped_lines_goes(seeds):
    """Hard-wrapped text has no line of 20 words, and a footer's lines are as long as its own: measured by its most
    widespread long line, the footer was its own measure and stayed (50 BBC stories wrapped at 72 characters
    under one footer: 1,220 partial links, where the same stories unwrapped have none). Most of a wrapped text's
    lines end mid-sentence; counted by groups of copies, its closing run of lines twice as widespread as half its
    long lines goes (counted per page, as an index counts, it stays)."""
    import textwrap

    footer = ["This article was distributed by the Daily Courier syndication desk today.",
              "Contact the newsroom at news@courier.example with your tips and corrections."]
    stories = [part for text in seeds.values() for part in (text[: len(text) // 2], text[len(text) // 2 :])]  # ten
    texts = ["\n".join(textwrap.wrap(" ".join(text.split()), 72) + footer) for text in stories]
    table, groups = _learned(texts), _by_group([[t] for t in texts])
    for text in texts:
        assert boilerplate.strip(text, table, 3, groups=groups) == text.rsplit("\n", 2)[0]
        assert boilerplate.strip(text, table, 3) == text
    # on the close of only a few stories (under twice min_docs: briefs of a wire story, a statement they quote),
    # a passage is theirs
    few = texts[:5]
    table, groups = _learned(few), _by_group([[t] for t in few])
    assert all(boilerplate.strip(t, table, 3, groups=groups) == t for t in few)
    # only the close goes: a story's opening is as common as its trimmed copies are (wrapped alike, two copies of
    # the first three paragraphs of a story made its opening lines three times as common as the rest of its lines),
    # and copies that keep its close are in its group
    paragraphs = ["\n".join(textwrap.wrap(p, 70)) for p in seeds["001"].split("\n") if p.strip()]
    full, opening, close = "\n\n".join(paragraphs), "\n\n".join(paragraphs[:3]), "\n\n".join(paragraphs[-2:])
    table = _learned([full, opening, opening, close, close] + texts)
    groups = _by_group([[full, opening, opening, close, close]] + [[t] for t in texts])
    assert all(boilerplate.strip(t, table, 3, groups=groups) == t for t in (full, opening, close))
    # lines of one sentence each (they end a sentence) are not wrapped: a line's own count measures it, and two
    # background sentences that four stories repeat among six of their own stay in each
    short = [" ".join(line.split()[:15]) + "." for line in _sentences(seeds, 26)]
    stories = ["\n".join(short[6 * i : 6 * i + 6] + short[24:]) for i in range(4)]
    table = _learned(stories)
    assert all(boilerplate.strip(s, table, 3) == s for s in stories)
