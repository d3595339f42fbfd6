"""HTML to plain article text with the stdlib parser: boilerplate dropped, paragraphs kept, metadata read.

``html_to_text`` never raises on broken markup: unclosed elements, stray end tags, bad entities and
unknown declarations all give some text (possibly empty) and a metadata dict.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from typing import Callable

__all__ = ["html_to_text"]

# Elements whose whole content is not article text.
_DROP = frozenset(
    "script style noscript template svg math nav header footer aside form button "
    "head iframe object canvas select textarea dialog amp-sidebar".split()
)
# script/style are raw text to the parser (their content is never markup) and are never kept. The others
# are ordinary elements: an unclosed one could swallow the page, and if that empties it we take them back.
_RAW_DROP = frozenset({"script", "style"})
# Start tags allowed in <head>; any other one closes an unclosed <head> (as browsers do).
_HEAD_CONTENT = frozenset("base link meta noscript script style template title".split())
_VOID = frozenset(
    "area base br col embed hr img input keygen link meta param source track wbr".split()
)
# A block boundary ends the paragraph (blank line) or only the line.
_PARAGRAPH = frozenset(
    "address article aside blockquote body center details dir div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr html legend main menu nav noscript ol p pre section summary table "
    "template ul".split()
)
# A table cell is a line of its own: in a page laid out as a table, the menu's last cell and the headline beside it
# were one line, which no other page shares, so the menu item could not be learned as boilerplate.
_LINE = frozenset("br caption dd dt li tr option td th".split())
# An open <p> is implicitly closed by these start tags (HTML's "p end tag omitted" rule, simplified).
_CLOSES_P = _PARAGRAPH - {"body", "html", "center", "noscript", "template"}
_SPACES = re.compile(r"\s+")
_BAD_MARKED_SECTION = re.compile(r"<!\[(?!CDATA\[)[^>]*>?", re.IGNORECASE)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.drop_serial: list[int] = []  # serial of each open dropping element (outermost first)
        self.forms: set[int] = set()  # the serials of <form>s
        self.serial = 0
        self.tokens: list[tuple] = []  # (kind, value, container, dropped_by_structure)
        self.raw_drop = 0  # open script/style/... (their text is never kept)
        self.pre = 0
        self.article_seq = 0
        self.main_seq = 0
        self.article: int | None = None  # outermost open <article>, by number
        self.article_depth = 0
        self.main: int | None = None
        self.main_depth = 0
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] | None = None
        self.page_title: str | None = None
        self.heading_parts: list[str] | None = None  # the first <h1> kept: the title of a page without <title>
        self.heading: str | None = None
        self.linked_data: list[str] | None = None  # an open <script type="application/ld+json">'s text
        self.time_datetime: str | None = None
        self.h1_seen = False

    # -- structure -------------------------------------------------------------------------
    def _emit(self, kind: str, value) -> None:
        if self.raw_drop:
            return
        self.tokens.append((kind, value, self.article, self.main, self.drop_serial[-1] if self.drop_serial else 0))

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        attrs = {k.lower(): (v or "") for k, v in attrs if k}
        if self.title_parts is not None and "title" in self.stack:  # <title> holds no elements
            self._close("title")
        if tag not in _HEAD_CONTENT and "head" in self.stack:
            self._close("head")
        self._metadata(tag, attrs)
        if tag in _VOID:
            if tag == "br":
                self._emit("break", 1)
            elif tag == "hr":
                self._emit("break", 2)
            return
        if tag == "p" and "p" in self.stack and tag in _CLOSES_P:
            self._close("p")
        elif tag in _CLOSES_P and self.stack and self.stack[-1] == "p":
            self._close("p")
        elif tag == "li" and "li" in self.stack[-3:]:
            self._close("li")
        self._open(tag)

    def handle_startendtag(self, tag, attrs):
        # <br/>, <p/>, <div/>: treated as an element opened and closed at once.
        tag = tag.lower()
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def _open(self, tag: str) -> None:
        self._boundary(tag)
        self.stack.append(tag)
        if tag in _DROP:
            self.serial += 1
            self.drop_serial.append(self.serial)
            if tag == "form":
                self.forms.add(self.serial)
        if tag in _RAW_DROP:
            self.raw_drop += 1
        if tag == "pre":
            self.pre += 1
        if tag == "article":
            if self.article is None:
                self.article_seq += 1
                self.article = self.article_seq
            self.article_depth += 1
        if tag == "main":
            if self.main is None:
                self.main_seq += 1
                self.main = self.main_seq
            self.main_depth += 1
        if tag == "title" and self.page_title is None and not self._dropped_except_head():
            self.title_parts = []
        if tag == "h1":
            self.h1_seen = True
        if tag == "h1" and self.heading is None and self.heading_parts is None and not self.drop_serial:
            self.heading_parts = []

    def _page_chrome(self) -> bool:
        """Whether what opens now is in an <aside>, <nav> or <footer>, or in a <header> before the page's first <h1>
        (a masthead; a story's own <header> holds its <h1>)."""
        return any(tag in ("aside", "nav", "footer") for tag in self.stack) or ("header" in self.stack and not self.h1_seen)

    def _dropped_except_head(self) -> bool:
        return any(tag in _DROP and tag != "head" for tag in self.stack)

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag in _VOID:
            if tag == "br":  # </br> is a line break in browsers
                self._emit("break", 1)
            return
        if tag in self.stack:
            self._close(tag)
        elif tag == "p":  # a stray </p> makes an empty paragraph in browsers
            self._emit("break", 2)

    def _close(self, tag: str) -> None:
        """Pop up to and including the innermost open ``tag`` (closing whatever it left open)."""
        while self.stack:
            top = self.stack.pop()
            if top in _DROP:
                self.drop_serial.pop()
            if top in _RAW_DROP:
                self.raw_drop -= 1
            if top == "pre":
                self.pre -= 1
            if top == "script" and self.linked_data is not None:
                when = _date_published(_json_or_none("".join(self.linked_data)))
                if when:
                    self.meta.setdefault("ld:datepublished", when)
                self.linked_data = None
            if top == "title" and self.title_parts is not None:
                title = _SPACES.sub(" ", "".join(self.title_parts)).strip()
                self.title_parts = None
                if title:
                    self.page_title = title
            if top == "h1" and self.heading_parts is not None:
                self.heading = _SPACES.sub(" ", "".join(self.heading_parts)).strip() or None
                self.heading_parts = None
            if top == "article":
                self.article_depth -= 1
                if self.article_depth == 0:
                    self.article = None
            if top == "main":
                self.main_depth -= 1
                if self.main_depth == 0:
                    self.main = None
            self._boundary(top)
            if top == tag:
                break

    def _boundary(self, tag: str) -> None:
        if tag in _PARAGRAPH:
            self._emit("break", 2)
        elif tag in _LINE:
            self._emit("break", 1)

    def handle_data(self, data):
        if self.linked_data is not None:
            self.linked_data.append(data)
            return
        if self.title_parts is not None:
            self.title_parts.append(data)
            return
        if self.heading_parts is not None and not self.raw_drop:
            self.heading_parts.append(data)
        if self.pre:
            self._emit("pre", data)
        else:
            self._emit("text", data)

    # -- metadata --------------------------------------------------------------------------
    def _metadata(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
            content = attrs.get("content", "").strip()
            if key and content:
                self.meta.setdefault(key, content)
        elif tag == "link":
            rels = attrs.get("rel", "").lower().split()
            href = attrs.get("href", "").strip()
            if "canonical" in rels and href:
                self.meta.setdefault("canonical", href)
        elif tag == "script" and "ld+json" in attrs.get("type", "").lower():
            self.linked_data = []
        elif tag == "time":
            when = attrs.get("datetime", "").strip()
            rank = 2 if self.article is not None else 0 if self._page_chrome() else 1
            if when and (self.time_datetime is None or rank > self._time_rank):
                self.time_datetime, self._time_rank = when, rank
        elif tag in ("article", "main", "div", "span") and attrs.get("itemprop") == "datePublished":
            when = attrs.get("content", "").strip() or attrs.get("datetime", "").strip()
            if when:
                self.meta.setdefault("datepublished", when)

    _time_rank = 0  # where the <time> kept is: 2 in an <article>, 1 elsewhere, 0 in an <aside>, <nav>, <footer> or a
    # masthead's <header> outside any <article> (a ticker's latest story, the day's date): the page's date only when nothing else gives one

    def metadata(self) -> dict[str, str]:
        out: dict[str, str] = {}
        title = self.meta.get("og:title") or self.page_title or self.meta.get("twitter:title") or self.heading
        if title:
            out["title"] = _SPACES.sub(" ", title).strip()
        url = self.meta.get("canonical") or self.meta.get("og:url")
        if url:
            out["url"] = url
        story_time = self.time_datetime if self._time_rank else None
        published = (
            self.meta.get("article:published_time")
            or self.meta.get("ld:datepublished")
            or self.meta.get("datepublished")
            or story_time
            or self.meta.get("pubdate")
            or self.meta.get("date")
            or self.time_datetime
        )
        if published:
            out["published"] = published
        source = self.meta.get("og:site_name")
        if source:
            out["source"] = source
        return out


def _json_or_none(text: str) -> object:
    text = re.sub(r"^\s*(//\s*)?<!\[CDATA\[|(//\s*)?\]\]>\s*$", "", text)  # (XHTML pages wrap their scripts so)
    try:
        return json.loads(text)
    except ValueError:  # (a page's broken JSON-LD: no date from it)
        return None


def _date_published(value: object) -> str | None:
    """The datePublished of JSON-LD (schema.org's NewsArticle...) nearest its top, in an object, a list of them or
    an @graph: an article's first (an object whose @type names one), else any object's; the article's own, not
    that of something it holds (a publisher, a review)."""
    return _nearest_date(value, _is_article) or _nearest_date(value, lambda item: True)


def _is_article(item: dict) -> bool:
    kinds = item.get("@type")
    return any(isinstance(k, str) and ("Article" in k or k in ("Report", "BlogPosting")) for k in (kinds if isinstance(kinds, list) else [kinds]))


def _nearest_date(value: object, wanted: Callable[[dict], bool]) -> str | None:
    """The first datePublished, level by level, of an object that is wanted."""
    level = [value]
    for _ in range(5):  # (levels: deeper is never the page's article)
        nested: list = []
        while level:
            item = level.pop()
            if isinstance(item, list):
                level.extend(reversed(item))  # (a list's items are on its own level, in order)
            elif isinstance(item, dict):
                when = _date_value(item.get("datePublished"))
                if when and wanted(item):
                    return when
                nested.extend(v for v in item.values() if isinstance(v, (dict, list)))
        level = nested[::-1]
    return None


def _date_value(when: object) -> str | None:
    """A datePublished as JSON-LD may write it: a string, an {"@value": string} object, or a list (or an
    {"@list": list}) of those, whose first that says something is taken."""
    if isinstance(when, dict) and "@list" in when:
        when = when["@list"]
    for item in when if isinstance(when, list) else [when]:
        if isinstance(item, dict):
            item = item.get("@value")
        if isinstance(item, str) and item.strip():
            return item.strip()
    return None


def _render(tokens) -> str:
    """Tokens to text: whitespace collapsed, lines stripped, paragraphs separated by one blank line."""
    paragraphs: list[str] = []
    lines: list[str] = []
    line: list[str] = []

    def end_line() -> None:
        if line:
            text = _SPACES.sub(" ", "".join(line)).strip()
            line.clear()
            if text:
                lines.append(text)

    def end_paragraph() -> None:
        end_line()
        if lines:
            paragraphs.append("\n".join(lines))
            lines.clear()

    for kind, value in tokens:
        if kind == "text":
            line.append(value)
        elif kind == "break":
            end_paragraph() if value >= 2 else end_line()
        else:  # preformatted: its own line breaks are kept, trailing spaces dropped
            parts = value.split("\n")
            for i, part in enumerate(parts):
                if i:
                    end_line()
                if part.strip():
                    line.append(part.replace("\t", "    ").rstrip() if i < len(parts) - 1 else part)
    end_paragraph()
    return "\n\n".join(paragraphs)


def _select(tokens, keep: frozenset[int], headline: str | None) -> str:
    """Text of the largest <article> when it stands out (the only one, or twice the next), else of the largest
    <main>, else of the whole page. Several <article>s of a size are teaser cards ("More stories"): the page's
    own text outside them is taken when it is longer than the largest card; so is it when the <article> that
    stands out is a card's length (under _CARD_WORDS words), the page's text three times it and holds the page's
    headline, which that <article> does not (an "Up next" card on a page whose story is in <div>s). A story's
    <article> is longer: its headline in a dropped <header>, or in comments, a breadcrumb or a banner outside it,
    does not make the rest of the page its text.
    Tokens inside dropped elements are left out unless their element's serial is in ``keep``."""
    usable = [t for t in tokens if not t[4] or t[4] in keep]
    articles = sorted(_groups(usable, 2), key=len, reverse=True)
    if articles and (len(articles) == 1 or len(articles[0]) >= 2 * len(articles[1])):
        top = articles[0]
        if not (headline and len(top.split()) < _CARD_WORDS and headline not in _folded(top)):
            return top  # (a story's <article>: the rest of the page is not rendered)
        own = _main_or_page([t for t in usable if t[2] is None])
        return own if len(own) >= 3 * len(top) and headline in _folded(own) else top
    own = _main_or_page([t for t in usable if t[2] is None] if articles else usable)
    return own if not articles or len(own) >= len(articles[0]) else articles[0]


def _headline(title: str | None) -> str | None:
    """The story's headline in a page title, folded: its longest part between the site name's separators
    ("Kenya sends police | Rail Times"), when it has three words or more."""
    longest = max(_TITLE_PARTS.split(title), key=len, default="") if title else ""
    folded = _folded(longest)
    return folded if folded.count(" ") >= 2 else None


def _folded(text: str) -> str:
    return _SPACES.sub(" ", text.casefold()).strip()


_CARD_WORDS = 80  # a teaser card: a headline and a standfirst of a sentence or two
_TITLE_PARTS = re.compile(r"\s[|–—-]\s|\s::\s|\s·\s")


def _groups(tokens, index: int) -> list[str]:
    """The text of each <article> (index 2) or <main> (index 3) the tokens hold, non-empty."""
    groups: dict[int, list] = {}
    for t in tokens:
        if t[index] is not None:
            groups.setdefault(t[index], []).append((t[0], t[1]))
    return [text for group in groups.values() if (text := _render(group))]


def _main_or_page(tokens) -> str:
    """Text of the largest <main> among the tokens, else of them all."""
    return max(_groups(tokens, 3), key=len, default="") or _render((t[0], t[1]) for t in tokens)


def html_to_text(html: str) -> tuple[str, dict]:
    """Article text of an HTML page and its metadata (keys present only when found:
    ``title``, ``url``, ``published``, ``source``).

    Scripts, styles, navigation, headers, footers, asides, forms and buttons are dropped; block elements
    end lines and paragraphs are separated by blank lines; entities are unescaped. When the page has an
    ``<article>`` (else a ``<main>``), the largest one is the text.
    """
    if not isinstance(html, str):
        raise TypeError(f"html_to_text expects str, got {type(html).__name__}")
    # "<![if x]>" makes the stdlib parser raise; browsers treat it as a bogus comment up to ">".
    html = _BAD_MARKED_SECTION.sub("", html)
    parser = _Parser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - the parser's last resort; keep what it read, strip the rest
        rest = re.sub(r"<[^>]*>?", " ", parser.rawdata or "")
        parser.rawdata = ""
        parser.tokens.append(("text", _unescape(rest), None, None, 0))
    headline = _headline(parser.meta.get("og:title") or parser.page_title or parser.heading)
    text = _select(parser.tokens, frozenset(), headline)
    if parser.forms:  # a <form> holding more text than the rest of the page is the page (ASP.NET wraps every page in one)
        in_forms: Counter[int] = Counter()  # characters of text directly in each <form>
        for kind, value, _, _, serial in parser.tokens:
            if serial in parser.forms and kind != "break":
                in_forms[serial] += len(value.strip())
        wrapping = frozenset(serial for serial, size in in_forms.items() if size > len(text))
        if wrapping:
            text = _select(parser.tokens, wrapping, headline)
    if not text and parser.drop_serial:
        # An unclosed <nav>/<header>/<form>... may have swallowed the page: take what it hid.
        text = _select(parser.tokens, frozenset(parser.drop_serial), headline)
    return text, parser.metadata()


def _unescape(s: str) -> str:
    import html as _html

    return _html.unescape(s)
