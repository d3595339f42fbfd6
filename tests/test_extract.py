"""html_to_text: boilerplate dropped, paragraphs kept, metadata read, broken markup survived."""
from __future__ import annotations

import html as htmllib
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.extract import html_to_text

SEEDS = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "seeds").glob("*.txt"))


def _paragraphs(seed: Path) -> list[str]:
    return [p.strip() for p in seed.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def _page(paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{htmllib.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Ruto: Kenya open to UN mission | Example News</title>
<meta property="og:title" content="Kenya open to UN peacekeeping mission in Haiti">
<meta property="og:url" content="https://news.example/og-url">
<link rel="canonical" href="https://news.example/2024/09/kenya-haiti">
<meta property="article:published_time" content="2024-09-25T10:00:00Z">
<meta property="og:site_name" content="Example News">
<style>p {{ color: red }} .x::after {{ content: "STYLE-LEAK" }}</style>
<script>var tpl = "<p>SCRIPT-LEAK</p>"; if (a < b && c > d) {{ document.write("</div>"); }}</script>
</head>
<body>
<header><div class="logo">HEADER-LEAK</div></header>
<nav><ul><li><a href="/">NAV-LEAK Home</a></li><li><a href="/world">World</a></li></ul></nav>
<aside>ASIDE-LEAK Most read</aside>
<article>
{body}
<noscript>NOSCRIPT-LEAK</noscript>
<svg><title>SVG-LEAK</title><text>SVG-LEAK</text></svg>
<form><input name="q"><button>BUTTON-LEAK</button>FORM-LEAK</form>
<template><p>TEMPLATE-LEAK</p></template>
</article>
<div class="related">RELATED-OUTSIDE-ARTICLE</div>
<footer>FOOTER-LEAK &copy; 2024</footer>
</body></html>"""


def test_article_page_text_and_metadata():
    paragraphs = _paragraphs(SEEDS[0])
    text, meta = html_to_text(_page(paragraphs))
    assert text.split("\n\n") == paragraphs  # entities unescaped, one blank line between paragraphs
    assert "LEAK" not in text and "RELATED-OUTSIDE-ARTICLE" not in text
    assert meta == {
        "title": "Kenya open to UN peacekeeping mission in Haiti",
        "url": "https://news.example/2024/09/kenya-haiti",
        "published": "2024-09-25T10:00:00Z",
        "source": "Example News",
    }


def test_entities_and_smart_quotes():
    text, _ = html_to_text("<p>&ldquo;Price&rdquo; &pound;5 &amp; &#8364;3 &#x263A; caf&eacute; AT&T &lt;b&gt;</p>")
    assert text == "“Price” £5 & €3 ☺ café AT&T <b>"


def test_blocks_end_lines_and_paragraphs():
    html = (
        "<div>First block<p>para one</p><p>para two<br>second line</p>"
        "<ul><li>item a<li>item b</ul><h2>Heading</h2>inline <b>bold</b><i>italic</i> end</div>"
    )
    text, _ = html_to_text(html)
    assert text == "First block\n\npara one\n\npara two\nsecond line\n\nitem a\nitem b\n\nHeading\n\ninline bolditalic end"


def test_whitespace_collapsed_and_no_triple_newlines():
    text, _ = html_to_text("<p>  lots \n\n of\t\tspace  </p>\n\n\n<p></p><div></div><p>next&nbsp;word</p>")
    assert text == "lots of space\n\nnext word"


def test_one_teaser_card_does_not_replace_a_story_that_holds_the_page_headline():
    """A page whose story is in <div>s and whose only <article> is an "Up next" card (or a featured card twice the
    others): the card stood out and was the page's text, so every page of the site was a copy of the others. The
    page's own text holds its headline and is three times the card: it is the text. A story's <article> stays the
    text, its headline above it or in comments that are four times its length."""
    story = _paragraphs(SEEDS[0])
    teaser = " ".join(_paragraphs(SEEDS[1]))[:300]
    body = "".join(f"<p>{htmllib.escape(p)}</p>" for p in story)
    head = "<html><head><title>Kenya open to UN mission in Haiti | Rail Times</title></head><body>"
    card = f"<article><span>Up next</span><h3>Haiti police</h3><p>{htmllib.escape(teaser)}</p></article>"
    text, _ = html_to_text(f"{head}<div><h1>Kenya open to UN mission in Haiti</h1>{body}</div>{card}</body></html>")
    assert all(p in text for p in story) and teaser not in text
    featured = card + "".join(f"<article><h3><a href='/{i}'>Another story {i}</a></h3></article>" for i in range(4))
    text, _ = html_to_text(f"{head}<div><h1>Kenya open to UN mission in Haiti</h1>{body}</div><section>{featured}</section></body></html>")
    assert all(p in text for p in story) and teaser not in text
    related = "".join(f"<div><a href='/{i}'>{htmllib.escape(p[:80])}</a></div>" for i, p in enumerate(_paragraphs(SEEDS[2])))
    text, _ = html_to_text(f"{head}<div><h1>Kenya open to UN mission in Haiti</h1></div><article>{body}</article>{related}</body></html>")
    assert text == "\n\n".join(story)
    # a story's <article> is no card, its headline in its dropped <header> and in the comments four times its length
    comments = "".join(f"<div class='comment'><b>reader{i}</b> says: {htmllib.escape(p)}</div>" for i, p in enumerate(_paragraphs(SEEDS[2]) * 4))
    page = (f"{head}<article><header><h1>Kenya open to UN mission in Haiti</h1></header>{body}</article>"
            f"<div><h3>19 thoughts on “Kenya open to UN mission in Haiti”</h3>{comments}</div></body></html>")
    assert html_to_text(page)[0] == "\n\n".join(story)


def test_main_used_when_no_article_and_largest_article_wins():
    text, _ = html_to_text("<body><div>chrome</div><main><p>main text</p></main><div>more chrome</div></body>")
    assert text == "main text"
    text, _ = html_to_text(
        "<article><p>teaser</p></article><article><p>the real story is longer than a teaser</p></article>"
    )
    assert text == "the real story is longer than a teaser"


def test_teaser_cards_marked_as_articles_do_not_replace_the_story():
    """Cards ("More stories") marked up as <article>s, on a page whose story is not in one: the largest card was
    taken as the page's text, which then matched the card's story and not its own."""
    story = _paragraphs(SEEDS[0])
    one, two = (" ".join(_paragraphs(seed))[:160] for seed in SEEDS[1:3])
    cards = "".join(f"<article><h3>Related</h3><p>{htmllib.escape(teaser)}</p></article>" for teaser in (one, two))
    page = (f"<html><body><nav>Home</nav><main><div><h1>Kenya and Haiti</h1>{''.join(f'<p>{htmllib.escape(p)}</p>' for p in story)}</div>"
            f"<section><h2>More stories</h2>{cards}</section></main></body></html>")
    text, _ = html_to_text(page)
    assert all(p in text for p in story) and one not in text and two not in text
    in_article = page.replace("<div><h1>", "<article><h1>").replace("</div><section>", "</article><section>")
    assert html_to_text(in_article)[0] == "Kenya and Haiti\n\n" + "\n\n".join(story)  # (the story's own <article> stands out)


def test_a_form_that_wraps_the_page_is_the_page():
    """ASP.NET WebForms puts a whole page in one <form>: dropped as a form, every such page was "empty: no text in
    HTML". A form holding more text than the rest of the page is kept; a newsletter form beside a story is not."""
    story = _paragraphs(SEEDS[0])
    body = "".join(f"<p>{htmllib.escape(p)}</p>" for p in story)
    aspnet = (f'<html><body><form name="aspnetForm" method="post"><input type="hidden" name="__VIEWSTATE" value="x">'
              f'<div id="header"><a href="/">Gazette</a></div><div id="content">{body}</div></form></body></html>')
    text, _ = html_to_text(aspnet)
    assert all(p in text for p in story)
    signup = f"<html><body><article>{body}</article><form><label>Sign up for our newsletter</label><input name=e></form></body></html>"
    assert html_to_text(signup)[0] == "\n\n".join(story)


def test_table_cells_are_lines_and_amp_menus_are_dropped():
    """A page laid out as a table put its menu's last cell and the headline on one line ("Contact us Ad sales boost
    Time Warner profit"), which no other page shares, so the menu item could never be learned as boilerplate; an
    AMP page's <amp-sidebar> menu was kept as text."""
    page = ("<html><body><table><tr><td><a href=/>Home</a></td><td><a href=/c>Contact us</a></td><td><h1>Ad sales boost"
            " Time Warner profit</h1><p>Quarterly profits at US media giant TimeWarner jumped 76%.</p></td></tr></table>"
            "<amp-sidebar id=menu layout=nodisplay><ul><li>Front page</li><li>Latest news</li></ul></amp-sidebar></body></html>")
    text, _ = html_to_text(page)
    assert text.split("\n") == ["Home", "Contact us", "", "Ad sales boost Time Warner profit", "",
                                "Quarterly profits at US media giant TimeWarner jumped 76%."]


def test_no_article_keeps_body_text():
    text, _ = html_to_text("<html><body><nav>menu</nav><p>Story text.</p><footer>foot</footer></body></html>")
    assert text == "Story text."


def test_metadata_fallbacks():
    _, meta = html_to_text(
        '<html><head><title>  Plain\n title </title><meta property="og:url" content="https://x/og"></head>'
        '<body><article><time datetime="2024-01-02T03:04:05+01:00">2 Jan</time><p>x</p></article></body></html>'
    )
    assert meta == {"title": "Plain title", "url": "https://x/og", "published": "2024-01-02T03:04:05+01:00"}
    assert html_to_text("<p>no metadata</p>")[1] == {}


def test_a_date_published_only_in_json_ld_is_read():
    """Many news sites state the date only in schema.org JSON-LD (in an @graph, beside the site's own object): the
    page had no date, and the canonical article of its story was chosen without it."""
    linked = {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Example", "publisher": {"datePublished": "1999-01-01"}},
                                                           {"@type": "NewsArticle", "headline": "H", "datePublished": "2024-08-27T10:00:00+03:00"}]}
    page = (f'<html><head><script type="application/ld+json">{{broken</script><script type="application/ld+json">{json.dumps(linked)}</script>'
            '</head><body><article><p>Kenya will send 600 more officers.</p></article></body></html>')
    assert html_to_text(page) == ("Kenya will send 600 more officers.", {"published": "2024-08-27T10:00:00+03:00"})
    webpage_first = json.dumps({"@graph": [{"@type": "WebPage", "datePublished": "2019-01-01"}, {"@type": ["NewsArticle"], "datePublished": "2021-03-18"}]})
    wrapped = f'<script type="application/ld+json">//<![CDATA[\n{webpage_first}\n//]]></script><p>x</p>'
    assert html_to_text(wrapped)[1] == {"published": "2021-03-18"}  # (the article's, before the page's; inside XHTML's CDATA)
    stated = page.replace("<head>", '<head><meta property="article:published_time" content="2024-08-27T07:00:00Z">')
    assert html_to_text(stated)[1] == {"published": "2024-08-27T07:00:00Z"}  # (the page's own meta tag first)


def test_json_ld_dates_as_a_list_or_a_value_object_are_read():
    """datePublished written as ["…"] or {"@value": "…"} (both valid JSON-LD) gave no date."""
    for when in (["2024-08-27", "2024-08-28"], {"@value": "2024-08-27", "@type": "Date"}, [{"@value": " 2024-08-27 "}],
                 ["", None, "2024-08-27"], {"@list": [{"@value": "2024-08-27"}]}):
        linked = json.dumps({"@type": "NewsArticle", "datePublished": when})
        page = f'<script type="application/ld+json">{linked}</script><p>Kenya will send 600 more officers.</p>'
        assert html_to_text(page)[1] == {"published": "2024-08-27"}, when
    for when in ([], {"@id": "x"}, [7], " ", [["2024-08-27"]], {"@value": 20240827}):
        page = f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", "datePublished": when})}</script><p>x</p>'
        assert html_to_text(page)[1] == {}, when


def test_a_page_without_a_title_element_is_titled_by_its_first_heading():
    """A saved article page with an <h1> and no <title> got an empty title in the reports (a new user's page)."""
    page = ('<html><body><nav><h1>Site name</h1></nav><article><h1>Kenya to send <em>600</em> more\n police</h1>'
            '<p>Story text.</p><h1>Second heading</h1></article></body></html>')
    text, meta = html_to_text(page)
    assert meta == {"title": "Kenya to send 600 more police"} and text.startswith("Kenya to send 600 more police")
    assert html_to_text("<title>T</title><h1>Heading</h1><p>x</p>")[1] == {"title": "T"}
    assert html_to_text("<h1><script>x()</script></h1><p>x</p>")[1] == {}


def test_broken_html_does_not_crash_or_lose_text():
    cases = {
        "<p>unclosed <b>bold <i>italic": "unclosed bold italic",
        "</div></p></article>stray end tags": "stray end tags",
        "<title>Unclosed title<p>body text": "body text",
        "<html><head><title>T</title><p>no body tag</p>": "no body tag",
        "<![if !IE]>conditional<![endif]>": "conditional",
        "<p>bad &entity; &#99999999; &#xD800; text": None,
        "<nav>an unclosed nav swallows the page <p>but its text is recovered": None,
        "<a href='x>broken attr": None,
        "<<<>>>< p >": None,
        "<!DOCTYPE html><!-- unterminated comment": None,
    }
    for html, expected in cases.items():
        text, meta = html_to_text(html)
        assert isinstance(text, str) and isinstance(meta, dict)
        if expected is not None:
            assert text == expected, html
    assert "recovered" in html_to_text("<nav>an unclosed nav swallows the page <p>but its text is recovered")[0]


def test_script_with_markup_inside_is_dropped():
    text, _ = html_to_text('<p>before</p><script>document.write("<p>leak</p>")</script><p>after</p>')
    assert text == "before\n\nafter"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/!-[]&#;=\"' apbrdivtlescmn\n\x00é\ud7ff")) | st.characters(), max_size=300))
def test_fuzz_markup_soup(html):
    text, meta = html_to_text(html)
    assert isinstance(text, str) and isinstance(meta, dict)
    assert "\n\n\n" not in text


_TAGS = ["p", "div", "article", "main", "nav", "script", "style", "title", "br", "li", "ul", "pre", "svg", "header", "td"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_TAGS).map(lambda t: f"<{t}>"),
            st.sampled_from(_TAGS).map(lambda t: f"</{t}>"),
            st.text(max_size=20),
            st.sampled_from(["&amp;", "&", "&#", "&#x;", "<!--", "-->", "<![CDATA[", "]]>", "<!", "<?x", "<a href='"]),
        ),
        max_size=60,
    )
)
def test_fuzz_tag_sequences(parts):
    text, meta = html_to_text("".join(parts))
    assert isinstance(text, str) and isinstance(meta, dict)
    assert text == text.strip()


def test_a_masthead_or_ticker_time_is_not_the_story_s_date():
    """A <time> in a <header> or <aside> outside any <article> (a masthead's today, a 'Latest' ticker) was the
    page's publication date when it came first, and the original of three copies lost its place as canonical. The
    story's own <time> comes first, then a <meta> date; such a <time> only when nothing else dates the page. One in
    the story's <article>, or in the <header> that holds its <h1>, is the story's."""
    story = '<main><h1>Kenya</h1><p>By Staff, <time datetime="2024-08-27T09:00:00Z">27 Aug</time></p><p>Text.</p></main>'
    masthead = '<header><a href="/">Origin Wire</a> <time datetime="2024-09-02">Monday</time></header>'
    ticker = '<aside><h2>Latest</h2><time datetime="2024-09-02T08:15:00Z">08:15</time> <a href="/x">Other</a></aside>'
    for chrome in (masthead, ticker):
        assert html_to_text(f"<html><body>{chrome}{story}</body></html>")[1]["published"] == "2024-08-27T09:00:00Z"
        undated = f"<html><head><meta name='date' content='2024-08-26'></head><body>{chrome}<main><p>Text.</p></main></body></html>"
        assert html_to_text(undated)[1]["published"] == "2024-08-26"
        assert html_to_text(undated.replace("<meta name='date' content='2024-08-26'>", ""))[1]["published"].startswith("2024-09-02")
    in_article = f'<html><body>{masthead}<article><header><time datetime="2024-08-25">25 Aug</time></header><p>Text.</p></article></body></html>'
    assert html_to_text(in_article)[1]["published"] == "2024-08-25"
    # a story's own <header> holds its <h1>: its <time> is the story's, not a later comment's
    own_header = ('<html><body><div class="story"><header><h1>Kenya</h1><time datetime="2024-09-21T10:00:00Z">21 Sep</time></header>'
                  '<p>Text.</p></div><div class="comments"><time datetime="2024-09-23T08:12:00Z">23 Sep</time> reader says</div></body></html>')
    assert html_to_text(own_header)[1]["published"] == "2024-09-21T10:00:00Z"
