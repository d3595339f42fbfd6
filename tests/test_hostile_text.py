"""Text that defeats shingling gets a defined result, never a bogus match or an exception."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from dedup import Config, Index
from dedup.counts import CountTable
from dedup.features import extract
from dedup.shingle import shingle_hashes
from dedup.tokenhash import hash_tokens
from dedup.verify import verify

CASES = {
    "one word": "Breaking",
    "all stop words": " ".join(["the of and to in is was it for on that with as at by"] * 3),
    "all numbers": " ".join(str(n) for n in range(100, 160)),
    "one word repeated": " ".join(["gang"] * 80),
    "mixed scripts": "Kenya Кения 肯尼亚 كينيا Haiti Гаити 海地 هايتي " * 6,
    "right to left": "השוטרים הקנייתים הגיעו להאיטי כדי להילחם בכנופיות " * 8,
    "emoji": "🚓🇰🇪➡️🇭🇹 " * 40,
    "zero width": "\u200b".join("police officers deployed to haiti".split()) * 20,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_degenerate_text_is_too_short_or_self_consistent(name):
    text = CASES[name]
    f = extract(text, 5)
    assert f.n_words >= 0 and len(f.terms) == len(f.term_sentence)
    ix = Index()
    ix.add(name, text)
    assert [m.relation for m in ix.check("again", text)] == ["duplicate"]  # identical text is a fact


def test_different_degenerate_texts_are_not_related():
    ix = Index()
    for name, text in CASES.items():
        ix.add(name, text)
    for name, text in CASES.items():
        others = [m for m in ix.check("probe", text) if m.id != name]
        assert others == [], name


def test_unrelated_short_articles_are_never_duplicates():
    ix = Index()
    ix.add("a", "Police arrive in Haiti.")
    assert ix.check("b", "Markets fall in Tokyo.") == []
    assert ix.check("c", "Police arrive in Haiti today.") == []  # too short to compare, even if close


@given(st.lists(st.text(min_size=0, max_size=12), max_size=40), st.integers(1, 8))
def test_shingles_of_any_tokens(tokens, k):
    h = shingle_hashes(hash_tokens(tokens), k)
    assert h.dtype == np.uint32 and len(h) == (max(0, len(tokens) - k + 1) if len(tokens) >= k else min(1, len(tokens)))


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400), st.text(max_size=400))
def test_verify_never_raises(a, b):
    p = verify("a", extract(a, 5), "b", extract(b, 5), CountTable(), Config())
    if p is not None and p.relation != "duplicate":
        assert min(len(a.split()), len(b.split())) >= 1


def test_huge_articles_are_truncated_with_a_warning_at_the_callers_line(seeds):
    """add, add_many and check cut an article to the index's max_article_chars alike, each saying so, and the
    warning names the caller's line (it named a line of dedup/index.py for add, and check said nothing)."""
    ix = Index(Config(max_article_chars=5_000))
    for call in (lambda: ix.add("huge", seeds["003"] * 20), lambda: ix.add_many([("huge 2", seeds["003"] * 20, None)]),
                 lambda: ix.check("huge 3", seeds["003"] * 20)):
        with pytest.warns(UserWarning, match="longer than 5,000 characters, truncated") as said:
            call()
        assert [w.filename for w in said] == [__file__]
    assert len(ix.text("huge")[0]) == 5_000
    with pytest.warns(UserWarning):
        assert [m.id for m in ix.check("huge 4", seeds["003"] * 20)] == ["huge", "huge 2"]


def test_words_are_counted_as_people_count_them(tmp_path):
    """A code such as "BA117" is two tokens and one word, as are "COVID-19" and "U.S.": counted as tokens, two
    20-word gate notices sharing a dozen flight codes passed the 25-word minimum and were near-duplicates, and
    two 13-word lists sharing only their numbers were a rewrite (score 0.92)."""
    from dedup.normalize import word_count
    from dedup.scan import scan

    a = "Gate changes: flights BA117 LH401 AF22 KL641 UA901 DL43 EK201 QR701 SQ25 TK1 IB6251 AZ608 now board from Terminal 5."
    b = "Cancelled today: routes BA117 LH401 AF22 KL641 UA901 DL43 EK201 QR701 SQ25 TK1 IB6251 AZ608 after the storm."
    assert word_count("COVID-19 hit the U.S. at 3:45, said an e-mail") == 9
    assert extract(a, 5).n_words == len(a.split()) == 20
    ix = Index()
    ix.add("a", a)
    assert ix.check("b", b) == []
    ix.add("words", " ".join(f"word{i}" for i in range(13)))
    assert ix.check("xs", " ".join(f"x{i}" for i in range(13))) == []
    for name, text in (("a.txt", a), ("b.txt", b)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = scan([tmp_path])
    assert not result.clusters and [u.reason for u in result.unique] == ["too short to compare (20 words)", "too short to compare (18 words)"]
