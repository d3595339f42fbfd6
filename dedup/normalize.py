"""Text normalisation and tokenisation: NFKC, case folding, punctuation, figures."""
from __future__ import annotations

import re
import unicodedata

# Zero-width and bidi control characters carry no text; they must not split or join words.
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS))
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE_CHARS}]+")
_URL = re.compile(r"(?:[hH][tT][tT][pP][sS]?://|[wW][wW][wW]\.)\S+")  # spelled out: IGNORECASE is slow
_NON_SPACE = re.compile(r"\S*")
# A token is a run of letters or a figure (digits with thousands separators or a decimal point).
TOKEN = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*")
_ASCII_TOKEN = re.compile(r"[a-z]+|[0-9]+(?:[.,][0-9]+)*")  # the same tokens on ASCII text, 7× faster
SEPARATOR = re.compile(r"(?<=\d),(?=\d)")
_HOLDS_TOKEN = re.compile(r"[^\W_]")  # a letter or a digit: where TOKEN matches


def clean(text: str) -> str:
    """NFKC, invisible characters removed, URLs removed: the text every stage sees."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if not text.isascii() and any(c in text for c in _INVISIBLE_CHARS):  # substring tests beat a regex scan
        text = _INVISIBLE_RE.sub("", text)  # and a regex beats str.translate on non-Latin-1 text
    return _strip_urls(text)


def _strip_urls(text: str) -> str:
    """``_URL.sub(" ", text)``, several times faster: find the marks ("://", and the "w." that ends "www.") with
    str.find, then grow each back to its scheme and on to the next space. No lower-cased copy of the text: the
    few characters around a mark are compared instead."""
    marks = [i - 2 for i in find_all(text, "w.") + find_all(text, "W.") if i >= 2 and _is(text[i - 2 : i + 2], "www.")]
    marks += find_all(text, "://")
    if not marks:
        return text
    out, done = [], 0
    for start in sorted(marks):
        if start < done:
            continue  # inside the URL just removed
        if text.startswith("://", start):  # "://" counts after http or https only
            mark_end = start + 3
            if _is(text[start - 5 : start], "https"):
                start -= 5
            elif _is(text[start - 4 : start], "http"):
                start -= 4
            else:
                continue
        else:
            mark_end = start + 4
        end = _NON_SPACE.match(text, mark_end).end()
        if end == mark_end:
            continue  # nothing follows the mark: not a URL
        out += (text[done:start], " ")
        done = end
    return "".join(out) + text[done:] if out else text


def _is(chars: str, word: str) -> bool:
    """Whether chars spell the lower-case ASCII word in either case (as the pattern's [hH][tT]… classes do)."""
    return chars.isascii() and chars.lower() == word


def find_all(text: str, sub: str) -> list[int]:
    """Every position where sub occurs in text (str.find is far faster than a regular expression's scan)."""
    found, i = [], text.find(sub)
    while i >= 0:
        found.append(i)
        i = text.find(sub, i + len(sub))
    return found


def word_count(cleaned: str) -> int:
    """Words as people count them (`wc -w`): the runs between whitespace that hold a token. "BA117", "COVID-19"
    and "U.S." are two tokens and one word; min_words counts these."""
    return sum(1 for run in cleaned.split() if _HOLDS_TOKEN.search(run))


def words(text: str) -> list[str]:
    """Normalised word tokens of a text: case-folded, figures without thousands separators."""
    return tokens(clean(text))


def tokens(cleaned: str) -> list[str]:
    """Word tokens of text that has already been through clean()."""
    ascii_only = cleaned.isascii()  # then lower() is casefold() and the ASCII token pattern applies
    folded = cleaned.lower() if ascii_only else cleaned.casefold()
    if SEPARATOR.search(folded):
        folded = SEPARATOR.sub("", folded)
    return (_ASCII_TOKEN if ascii_only else TOKEN).findall(folded)


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Tokens with their (start, end) offsets in the original, unnormalised text."""
    out = []
    for m in TOKEN.finditer(text):
        tok = unicodedata.normalize("NFKC", m.group()).translate(_INVISIBLE).casefold()
        if tok:
            out.append((m.start(), m.end(), _figure(tok)))
    return out


def _figure(token: str) -> str:
    return SEPARATOR.sub("", token) if token[0].isdigit() else token


def fingerprint_text(text: str) -> str:
    """The text as compared for exact duplicates: words only, single-spaced."""
    return " ".join(words(text))
