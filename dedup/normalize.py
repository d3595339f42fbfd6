"""Text normalisation and tokenisation: NFKC, case folding, punctuation, figures."""
from __future__ import annotations

import re
import unicodedata

# Zero-width and bidi control characters carry no text; they must not split or join words.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# A token is a figure (digits with thousands separators or a decimal point) or a run of letters.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
_SEPARATOR = re.compile(r"(?<=\d),(?=\d)")


def clean(text: str) -> str:
    """NFKC, invisible characters removed, URLs removed: the text every stage sees."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return _URL.sub(" ", text)


def words(text: str) -> list[str]:
    """Normalised word tokens of a text: case-folded, figures without thousands separators."""
    return tokens(clean(text))


def tokens(cleaned: str) -> list[str]:
    """Word tokens of text that has already been through clean()."""
    return _TOKEN.findall(_SEPARATOR.sub("", cleaned.casefold()))


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Tokens with their (start, end) offsets in the original, unnormalised text."""
    out = []
    for m in _TOKEN.finditer(text):
        tok = unicodedata.normalize("NFKC", m.group()).translate(_INVISIBLE).casefold()
        if tok:
            out.append((m.start(), m.end(), _figure(tok)))
    return out


def _figure(token: str) -> str:
    return _SEPARATOR.sub("", token) if token[0].isdigit() else token


def fingerprint_text(text: str) -> str:
    """The text as compared for exact duplicates: words only, single-spaced."""
    return " ".join(words(text))
