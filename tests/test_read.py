"""read_sources / read_text_file on hostile inputs: every file accounted for, nothing raises."""
from __future__ import annotations

import codecs
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup import read as read_module
from dedup import scan
from dedup.read import Article, Skipped, UnreadableFileError, decode_bytes, read_sources, read_text_file
from dedup.report import render

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]
CLOUGH = Path("/work/shared/eval/clough_stevenson")
SMART = "“Smart” quotes cost £5 — naïve café, ‘single’ … €3"  # all of it exists in cp1252


def _read(*sources, **kw):
    out = list(read_sources([str(s) for s in sources], **kw))
    assert all(isinstance(o, (Article, Skipped)) for o in out)
    return out


def _one(path, **kw):
    out = _read(path, **kw)
    assert len(out) == 1, out
    return out[0]


def _articles(out):
    return [o for o in out if isinstance(o, Article)]


def _skipped(out):
    return [o for o in out if isinstance(o, Skipped)]


# -- decoding ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data",
    [
        ("utf8.txt", SEED_TEXTS[0].encode("utf-8")),
        ("utf8_bom.txt", codecs.BOM_UTF8 + SEED_TEXTS[0].encode("utf-8")),
        ("utf16le_bom.txt", codecs.BOM_UTF16_LE + SEED_TEXTS[0].encode("utf-16-le")),
        ("utf16be_bom.txt", codecs.BOM_UTF16_BE + SEED_TEXTS[0].encode("utf-16-be")),
        ("utf32le_bom.txt", codecs.BOM_UTF32_LE + SEED_TEXTS[0].encode("utf-32-le")),
        ("utf32be_bom.txt", codecs.BOM_UTF32_BE + SEED_TEXTS[0].encode("utf-32-be")),
        ("utf16le_nobom.txt", SEED_TEXTS[0].encode("utf-16-le")),
        ("utf16be_nobom.txt", SEED_TEXTS[0].encode("utf-16-be")),
    ],
)
def test_unicode_encodings_decode_to_the_same_text(tmp_path, name, data):
    (tmp_path / name).write_bytes(data)
    article = _one(tmp_path / name)
    assert isinstance(article, Article), article
    assert article.text == SEED_TEXTS[0]
    assert article.id == name and article.path == str(tmp_path / name)
    assert read_text_file(tmp_path / name) == SEED_TEXTS[0]


def test_utf16_without_bom_non_latin(tmp_path):
    text = "Президент Кении Уильям Руто заявил, что миссия на Гаити может стать миссией ООН.\n"
    (tmp_path / "ru.txt").write_bytes(text.encode("utf-16-le"))
    assert read_text_file(tmp_path / "ru.txt") == text


def test_cp1252_smart_quotes_and_pound(tmp_path):
    text = SEED_TEXTS[1].replace("’", "’") + "\n" + SMART + "\n"
    (tmp_path / "win.txt").write_bytes(text.encode("cp1252"))
    article = _one(tmp_path / "win.txt")
    assert article.text == text


def test_latin1(tmp_path):
    text = "Ça coûte 5 £, déjà vu — non: ¿qué? Größe, smørrebrød, naïveté.\n"
    (tmp_path / "latin1.md").write_bytes(text.replace("—", "-").encode("latin-1"))
    assert _one(tmp_path / "latin1.md").text == text.replace("—", "-")


def test_latin1_with_the_bytes_cp1252_leaves_undefined_is_read_in_files_and_jsonl_lines(tmp_path):
    text = "Caf\xe9 \x81\x8d\x8f\x90\x9d: " + SEED_TEXTS[0][:300]  # the five as browsers read them
    data = b"Caf\xe9 \x81\x8d\x8f\x90\x9d: " + SEED_TEXTS[0][:300].encode("cp1252")
    (tmp_path / "a.txt").write_bytes(data)
    record = json.dumps({"id": "x", "text": "@"}).encode().replace(b"@", data)
    (tmp_path / "b.jsonl").write_bytes(record + b"\n")
    got = {o.id: o.text for o in _read(tmp_path)}
    assert got == {"a.txt": text, "x": text}


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300).filter(lambda b: b"\x00" not in b and not b.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))))
def test_any_bytes_without_a_bom_or_nul_are_read_or_refused_for_a_reason_that_holds(data):
    """Every file is read or skipped with a reason that holds (cp1252 as browsers read it takes any byte): control
    characters, which the text decoded is full of, or mostly letters and symbols that no Western text holds."""
    try:
        text, _ = decode_bytes(data)
    except UnreadableFileError as e:
        assert "binary file (control characters)" in str(e) or "cannot decode: not UTF-8, and read as cp1252" in str(e)
        assert "cannot decode" not in str(e) or sum(b >= 0x80 for b in data) >= 10  # (20 neighbour pairs hold one)
    else:
        assert isinstance(text, str) and len(text) <= len(data)


EASTERN = {  # text without BOM or declared charset that cp1252 would read as mojibake
    "shift_jis": "東京都は日本の首都であり、世界有数の大都市である。人口は約千四百万人で、政治、経済、文化の中心地となっている。" * 2,
    "gbk": "北京是中华人民共和国的首都，也是全国的政治中心和文化中心。" * 2,
    "big5": "台北是台灣的首都，也是政治經濟文化的中心。" * 3,
    "euc_kr": "서울은 대한민국의 수도이며 최대 도시이다. 인구는 약 천만 명이다." * 3,
    "cp1251": "Москва является столицей России и крупнейшим городом страны. " * 3,
    "cp1253": "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας και η μεγαλύτερη πόλη της χώρας. " * 3,
}
WESTERN = {  # cp1252 text dense in accents and symbols, read as it is
    "fr": "Café crème, brûlée: déjà vu à l'été. " * 20,
    "pt": "A informação sobre a situação econômica do país foi divulgada após a reunião do ministério. " * 3,
    "is": "Þjóðmenningarhúsið er í Reykjavík og þar eru sýningar um sögu Íslands og íslenskrar menningar. " * 3,
    "weather": "Berlin 12°–18° ±2°\nMünchen 10°–16° ±1°\nHamburg 11°–17° ±2°\nKöln 13°–19° ±1°\nDresden 9°–15° ±3°\n" * 2,
    "quotes": "“Oui,” dit-il — “c’est ça…” “Non!” — " * 6,
}


def test_text_in_an_eastern_encoding_is_refused_by_name_not_read_as_cp1252_mojibake(tmp_path):
    """Shift-JIS, GBK, Big5, EUC-KR, cp1251 and cp1253 text without BOM or declared charset used to be read as
    mojibake (Shift-JIS skipped by luck of a byte cp1252 leaves undefined); it is refused saying why, judged on the
    text (a JSONL record's keys and URL, a JSON array's, do not hide it), while Western text dense in accents and
    symbols is read."""
    url = "https://www.example.com/news/2024/05/12/economy/article-000123.html"
    for name, text in EASTERN.items():
        data = text.encode(name)
        (tmp_path / f"{name}.txt").write_bytes(data)
        record = {"id": name, "url": url, "title": "Economy", "source": "Example", "published": "2024-05-12T10:00:00Z", "text": "@"}
        (tmp_path / f"{name}.jsonl").write_bytes(json.dumps(record).encode().replace(b"@", data.replace(b"\\", b"\\\\")) + b"\n")
    for name, text in WESTERN.items():
        (tmp_path / f"w-{name}.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "ja.html").write_bytes(f"<html><body><h1>Economy</h1><p>{EASTERN['shift_jis']}</p></body></html>".encode("shift_jis"))
    (tmp_path / "ru.json").write_bytes(json.dumps([{"id": "ru", "url": url, "text": EASTERN["cp1251"]}], ensure_ascii=False).encode("cp1251"))
    (tmp_path / "w-table.html").write_bytes(f'<html><head><meta charset="iso-8859-1"></head><body><p>{WESTERN["weather"]}</p></body></html>'.encode("cp1252"))
    got = {Path(o.path).name: o for o in _read(tmp_path)}
    assert isinstance(got["ja.html"], Skipped) and isinstance(got["ru.json"], Skipped) and "°–" in got["w-table.html"].text
    for name in EASTERN:
        for file in (f"{name}.txt", f"{name}.jsonl"):
            assert isinstance(got[file], Skipped) and "cannot decode: not UTF-8, and read as cp1252" in got[file].reason, (file, got[file])
    for name, text in WESTERN.items():
        assert got[f"w-{name}.txt"].text.strip() == text.strip(), name


def test_utf8_is_preferred_over_cp1252(tmp_path):
    (tmp_path / "u.txt").write_bytes(SMART.encode("utf-8"))
    assert read_text_file(tmp_path / "u.txt") == SMART  # not "â€œSmartâ€\x9d"


@pytest.mark.skipif(not (CLOUGH / "clough_stevenson.jsonl").exists(), reason="Clough-Stevenson corpus not present")
def test_clough_stevenson_real_cp1252_files_decode_exactly():
    records = [json.loads(line) for line in (CLOUGH / "clough_stevenson.jsonl").open(encoding="utf-8")]
    cp1252 = [r for r in records if r["original_encoding"] == "cp1252"]
    assert len(cp1252) == 17
    for r in records:
        assert read_text_file(CLOUGH / "corpus" / f"{r['id']}.txt") == r["text"], r["id"]
    out = _read(CLOUGH / "corpus")
    by_id = {a.id: a for a in _articles(out)}
    assert len(by_id) == 100
    assert all(by_id[f"{r['id']}.txt"].text == r["text"] for r in records)
    assert [(Path(s.path).name, s.reason) for s in _skipped(out)] == [
        ("file_information.csv", "unsupported file type '.csv'")
    ]


def test_binary_and_empty_files(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    files = {
        "image.txt": png,
        "controls.txt": bytes(range(1, 32)) * 20,
        "empty.txt": b"",
        "blank.md": b"  \n\t\r\n   \n",
        "blank16.txt": codecs.BOM_UTF16_LE + "  \n ".encode("utf-16-le"),
        "bom_only.txt": codecs.BOM_UTF8,
        "tiny.txt": b"ok",
        "latin1.txt": b"caf\xe9 \x81 " + SEED_TEXTS[0][:300].encode("cp1252"),  # 0x81: Latin-1's, not cp1252's
        "bad16.txt": codecs.BOM_UTF16_LE + b"\x00\xd8a\x00",  # lone high surrogate
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    got = {Path(o.path).name: o for o in _read(tmp_path)}
    assert got.keys() == files.keys()
    reasons = {name: (o.reason if isinstance(o, Skipped) else o.text) for name, o in got.items()}
    assert reasons == {
        "image.txt": "binary file (NUL bytes)",
        "controls.txt": "binary file (control characters)",
        "empty.txt": "empty file",
        "blank.md": "empty file (whitespace only)",
        "blank16.txt": "empty file (whitespace only)",
        "bom_only.txt": "empty file",
        "tiny.txt": "ok",
        "latin1.txt": "caf\xe9 \x81 " + SEED_TEXTS[0][:300],  # (as browsers read it; it used to be skipped)
        "bad16.txt": "cannot decode: UTF-16-LE BOM but invalid UTF-16-LE at byte 2",
    }
    with pytest.raises(UnreadableFileError) as info:
        read_text_file(tmp_path / "image.txt")
    assert isinstance(info.value, ValueError)
    assert str(tmp_path / "image.txt") in str(info.value) and "binary" in str(info.value)
    with pytest.raises(FileNotFoundError):
        read_text_file(tmp_path / "nope.txt")


def test_decode_bytes_reports_encoding():
    assert decode_bytes("é".encode())[1] == "utf-8"
    assert decode_bytes(codecs.BOM_UTF8 + b"x")[1] == "utf-8-bom"
    assert decode_bytes(SMART.encode("cp1252")) == (SMART, "cp1252")
    assert decode_bytes(b"x\x00y\x00") == ("xy", "utf-16-le")


# -- size -----------------------------------------------------------------------------------------------


def test_ten_megabyte_single_line_text_is_read_and_truncated(tmp_path):
    sentence = " ".join(SEED_TEXTS[0].split()) + " "
    line = (sentence * (10_000_000 // len(sentence) + 1))[:10_000_000]
    assert "\n" not in line and len(line) == 10_000_000
    (tmp_path / "huge.txt").write_text(line, encoding="utf-8")
    article = _one(tmp_path / "huge.txt")
    assert article.truncated
    assert 1_999_000 <= len(article.text) <= 2_000_000
    assert line.startswith(article.text)
    assert line[len(article.text)] == " "  # cut at a whitespace boundary, not inside a word
    small = _one(tmp_path / "huge.txt", max_chars=1000)
    assert small.truncated and len(small.text) <= 1000 and line[len(small.text)] == " "


def test_ten_megabyte_jsonl_line(tmp_path):
    text = " ".join(SEED_TEXTS * (10_000_000 // sum(map(len, SEED_TEXTS)) + 1))[:10_000_000]
    record = {"id": "big", "text": text, "title": "Big"}
    with open(tmp_path / "big.jsonl", "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "small", "text": SEED_TEXTS[1]}) + "\n")
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
        f.write(json.dumps({"id": "after", "text": SEED_TEXTS[2]}) + "\n")
    out = _read(tmp_path / "big.jsonl", max_chars=3_000_000)
    assert [(a.id, a.line, a.truncated) for a in out] == [("small", 1, False), ("big", 2, True), ("after", 3, False)]
    assert text.startswith(out[1].text) and 2_999_000 <= len(out[1].text) <= 3_000_000


def test_truncation_never_leaves_an_empty_text(tmp_path):
    (tmp_path / "a.txt").write_text(" " * 100 + "word " * 30)
    article = _one(tmp_path / "a.txt", max_chars=50)
    assert article.truncated and article.text == " ".join(["word"] * 10)
    (tmp_path / "b.txt").write_text("x" * 100)  # no whitespace at all: a hard cut
    assert _one(tmp_path / "b.txt", max_chars=50).text == "x" * 50


def test_short_text_is_not_truncated(tmp_path):
    (tmp_path / "a.txt").write_text(SEED_TEXTS[3], encoding="utf-8")
    article = _one(tmp_path / "a.txt")
    assert not article.truncated and article.text == SEED_TEXTS[3]


# -- HTML --------------------------------------------------------------------------------------------------


def _html(paragraphs, charset="utf-8"):
    body = "".join(f"<p>{p.replace('&', '&amp;')}</p>\n" for p in paragraphs)
    return (
        f'<html><head><meta charset="{charset}"><title>Page title</title>'
        '<link rel="canonical" href="https://example.org/story">'
        '<meta property="article:published_time" content="2024-09-25T08:00:00Z">'
        "<script>var x = '<p>leak</p>';</script><style>p{}</style></head>"
        f"<body><nav>Home | World</nav><article>{body}</article><footer>&copy; Example</footer></body></html>"
    )


def test_html_file(tmp_path):
    paragraphs = [p.strip() for p in SEED_TEXTS[0].split("\n\n") if p.strip()]
    (tmp_path / "story.html").write_text(_html(paragraphs), encoding="utf-8")
    article = _one(tmp_path / "story.html")
    assert article.text == "\n\n".join(paragraphs)
    assert (article.title, article.url, article.published) == (
        "Page title",
        "https://example.org/story",
        "2024-09-25T08:00:00Z",
    )


def test_a_charset_declared_late_or_by_an_xml_declaration_is_honoured(tmp_path):
    """A <meta> charset after kilobytes of inline style (only the first 4,096 bytes were searched), or only an XHTML
    page's XML declaration: the Russian page was skipped as undecodable, the Polish ones read as mojibake."""
    polish = "Sejm przyjął w piątek nowelizację ustawy o ochronie zwierząt, która zakazuje trzymania psów na łańcuchach."
    russian = "Банк России в пятницу повысил ключевую ставку на два процентных пункта, до двадцати одного процента."
    style = "<style>" + "p { margin: 0 }\n" * 400 + "</style>"
    (tmp_path / "late.html").write_bytes(f'<html><head>{style}<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
                                         f"</head><body><p>{russian}</p></body></html>".encode("cp1251"))
    (tmp_path / "prolog.xhtml").write_bytes(f'<?xml version="1.0" encoding="ISO-8859-2"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
                                            f"<head><title>t</title></head><body><p>{polish}</p></body></html>".encode("iso-8859-2"))
    assert _one(tmp_path / "late.html").text == russian
    assert _one(tmp_path / "prolog.xhtml").text == polish


def test_an_html_page_saved_as_text_is_read_as_a_page(tmp_path):
    """A crawler that saves every page as .txt (or .md): its markup, scripts and menu were read as the article's words."""
    paragraphs = [p.strip() for p in SEED_TEXTS[0].split("\n\n") if p.strip()]
    (tmp_path / "story.txt").write_bytes(b"\xef\xbb\xbf\n  <!DOCTYPE html>\n" + _html(paragraphs).encode("utf-8"))
    (tmp_path / "notes.md").write_text("<html> is the root element of a page; the <head> holds its metadata, the <body> its text.\n\n"
                                      + SEED_TEXTS[1], encoding="utf-8")  # (prose that starts with the tag: still prose)
    (tmp_path / "saved.txt").write_text('<?xml version="1.0"?>\n<!-- saved from url=(0042)https://example.org/ -->\n' + _html(paragraphs), encoding="utf-8")
    (tmp_path / "windows.txt").write_bytes(codecs.BOM_UTF16_LE + ("<!DOCTYPE html>\r\n" + _html(paragraphs)).encode("utf-16-le"))
    (tmp_path / "nobom.txt").write_bytes(_html(paragraphs).encode("utf-16-be"))  # (UTF-16 pages used to be read as their markup)
    (tmp_path / "wide.txt").write_bytes(codecs.BOM_UTF32_LE + _html(paragraphs).encode("utf-32-le"))
    notice = "<!-- " + "Copyright notice. " * 150 + "-->\n"  # (4,096 characters are looked at, in UTF-16 too)
    (tmp_path / "notice.txt").write_bytes(codecs.BOM_UTF16_LE + (notice + _html(paragraphs)).encode("utf-16-le"))
    for name in ("story.txt", "saved.txt", "windows.txt", "nobom.txt", "wide.txt", "notice.txt"):  # (a browser's Save As puts a comment first; XHTML, a prolog)
        article = _one(tmp_path / name)
        assert (article.text, article.title) == ("\n\n".join(paragraphs), "Page title")
    assert _one(tmp_path / "notes.md").text.startswith("<html> is the root element")


def test_html_declared_charset_is_used_when_not_utf8(tmp_path):
    paragraphs = ["Президент Кении заявил, что миссия может стать миссией ООН."]
    (tmp_path / "ru.htm").write_bytes(_html(paragraphs, charset="windows-1251").encode("cp1251"))
    assert _one(tmp_path / "ru.htm").text == paragraphs[0]
    (tmp_path / "win.HTML").write_bytes(_html([SMART], charset="iso-8859-1").encode("cp1252"))
    assert _one(tmp_path / "win.HTML").text == SMART


def test_html_without_text_is_skipped(tmp_path):
    (tmp_path / "empty.html").write_text("<html><head><script>x()</script></head><body><nav>menu</nav></body></html>")
    assert _one(tmp_path / "empty.html").reason == "empty: no text in HTML"


# -- JSON and JSONL -----------------------------------------------------------------------------------------


def test_jsonl_records_and_bad_lines(tmp_path):
    good = {"id": "a", "text": SEED_TEXTS[0], "title": "T", "url": "https://x/a", "source": "Wire", "published": "2024-09-25"}
    lines = [
        json.dumps(good),  # 1
        "",  # 2 blank: ignored
        '{"id": "b", "text": "unterminated"',  # 3
        json.dumps({"text": SEED_TEXTS[1]}),  # 4
        json.dumps({"id": "c"}),  # 5
        json.dumps({"id": "d", "text": SEED_TEXTS[1], "title": 7}),  # 6
        json.dumps({"id": 42, "text": SEED_TEXTS[2]}),  # 7
        json.dumps({"id": True, "text": "x"}),  # 8
        json.dumps({"id": "a", "text": SEED_TEXTS[3]}),  # 9 duplicate
        "[1, 2]",  # 10
        json.dumps({"id": "e", "text": "   "}),  # 11
        "   \t",  # 12 whitespace: ignored
        json.dumps({"id": "f", "text": SEED_TEXTS[4], "published": None, "extra": [1]}),  # 13
        json.dumps({"id": 1.5, "text": "x"}),  # 14
        json.dumps({"id": "g", "text": ["list"]}),  # 15
        json.dumps({"id": "", "text": "x"}),  # 16
        json.dumps({"id": "h", "text": "x", "url": {"href": "y"}}),  # 17
        json.dumps({"id": "surrogate", "text": "bad \ud800 half"}),  # 18: json.dumps writes the escape
        json.dumps({"id": "unix", "text": SEED_TEXTS[2], "published": 1725000000}),  # 19: Unix time
        json.dumps({"id": "mongo", "text": SEED_TEXTS[3], "published": {"$date": "2024-08-27T10:00:00Z"}}),  # 20
        json.dumps({"id": "odd", "text": SEED_TEXTS[4], "published": True, "title": ["A", "B"]}),  # 21
        json.dumps({"id": "mongo-ms", "text": SEED_TEXTS[0], "published": {"$date": 1724752800000}}),  # 22: milliseconds
        json.dumps({"id": "mongo-long", "text": SEED_TEXTS[1], "published": {"$date": {"$numberLong": "1724752800000"}}}),  # 23
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    out = _read(path)
    summary = [(o.line, o.id if isinstance(o, Article) else o.reason) for o in out]
    assert summary == [
        (1, "a"),
        (3, "JSONL line 3: invalid JSON (Expecting ',' delimiter: line 1 column 35 (char 34))"),
        (4, "JSONL line 4: missing 'id'"),
        (5, "JSONL line 5 (id 'c'): missing 'text'"),
        (6, "d"),
        (7, "42"),
        (8, "JSONL line 8: 'id' must be a string or an integer, got boolean"),
        (9, f"JSONL line 9: duplicate id 'a' (first at {path}:1)"),
        (10, "JSONL line 10: expected a JSON object, got array"),
        (11, "JSONL line 11 (id 'e'): empty 'text'"),
        (13, "f"),
        (14, "JSONL line 14: 'id' must be a string or an integer, got float"),
        (15, "JSONL line 15 (id 'g'): 'text' must be a string, got array"),
        (16, "JSONL line 16: empty 'id'"),
        (17, "h"),  # a field of another type is kept as its JSON text, not a reason to lose the article
        (18, "surrogate"),
        (19, "unix"),
        (20, "mongo"),
        (21, "odd"),
        (22, "mongo-ms"),
        (23, "mongo-long"),
    ]
    first = out[0]
    assert first == Article(
        id="a", text=SEED_TEXTS[0], title="T", url="https://x/a", source="Wire", published="2024-09-25",
        path=str(path), line=1,
    )
    assert out[-6].text == "bad \ufffd half"  # a lone surrogate cannot be encoded later: replaced
    by_id = {o.id: o for o in out if isinstance(o, Article)}
    assert by_id["d"].title == "7" and by_id["unix"].published == "2024-08-30T06:40:00Z"  # numbers taken as ids are
    assert by_id["h"].url == '{"href": "y"}' and by_id["mongo"].published == "2024-08-27T10:00:00Z"
    assert by_id["odd"].published == "true" and by_id["odd"].title == '["A", "B"]'  # scan: a warning, the date not used
    assert by_id["mongo-ms"].published == by_id["mongo-long"].published == "2024-08-27T10:00:00Z"
    assert all(s.path == str(path) for s in _skipped(out))


def test_jsonl_cp1252_line_utf16_file_binary_and_empty(tmp_path):
    (tmp_path / "mixed.jsonl").write_bytes(
        json.dumps({"id": "u", "text": SMART}, ensure_ascii=False).encode("utf-8") + b"\n"
        + json.dumps({"id": "w", "text": SMART}, ensure_ascii=False).encode("cp1252") + b"\n"
    )
    assert [a.text for a in _read(tmp_path / "mixed.jsonl")] == [SMART, SMART]
    body = json.dumps({"id": "x16", "text": SMART}, ensure_ascii=False) + "\n"
    (tmp_path / "u16.jsonl").write_bytes(codecs.BOM_UTF16_BE + body.encode("utf-16-be"))
    assert _one(tmp_path / "u16.jsonl").text == SMART
    (tmp_path / "u16nobom.jsonl").write_bytes(body.replace("x16", "y16").encode("utf-16-le"))
    assert _one(tmp_path / "u16nobom.jsonl").text == SMART
    (tmp_path / "bom8.jsonl").write_bytes(codecs.BOM_UTF8 + body.replace("x16", "z8").encode("utf-8"))
    assert _one(tmp_path / "bom8.jsonl").id == "z8"
    (tmp_path / "bin.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00")
    assert _one(tmp_path / "bin.jsonl").reason == "binary file (NUL bytes)"
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert _one(tmp_path / "empty.jsonl").reason == "empty file"
    (tmp_path / "blank.jsonl").write_bytes(b"\n\n  \n")
    assert _one(tmp_path / "blank.jsonl").reason == "empty file (no records, only blank lines)"


def test_jsonl_overlong_line_is_skipped_alone(tmp_path, monkeypatch):
    path = tmp_path / "long.jsonl"
    path.write_text(
        json.dumps({"id": "1", "text": "first"}) + "\n"
        + json.dumps({"id": "2", "text": "x" * 5000}) + "\n"
        + json.dumps({"id": "3", "text": "third"}) + "\n",
        encoding="utf-8",
    )
    reader = read_module._Reader(2_000_000)
    reader.line_max_bytes = 1000
    out = list(reader.sources([str(path)]))
    assert [(o.line, getattr(o, "id", None) or o.reason) for o in out] == [
        (1, "1"),
        (2, "JSONL line 2: line too long (5024 bytes, limit 1000)"),
        (3, "3"),
    ]


def test_json_file_shapes(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps({"id": "one", "text": SEED_TEXTS[0], "title": "One"}))
    (tmp_path / "noid.json").write_text(json.dumps({"text": SEED_TEXTS[1]}))
    (tmp_path / "array.json").write_text(json.dumps([{"id": "arr1", "text": SEED_TEXTS[2]}, {"id": "arr2"}, "str"]))
    (tmp_path / "wrapped.json").write_text(json.dumps({"articles": [{"id": 7, "text": SEED_TEXTS[3]}]}))
    (tmp_path / "wrapped_not.json").write_text(json.dumps({"articles": "nope"}))
    (tmp_path / "bad.json").write_text('{"id": "x", "text": ')
    (tmp_path / "scalar.json").write_text("3")
    (tmp_path / "emptyarr.json").write_text("[]")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "z_dup.json").write_text(json.dumps([{"id": "one", "text": "again"}]))
    seeds = scan(ROOT / "fixtures" / "seeds")
    (tmp_path / "report.json").write_text(render(seeds, "json"))
    (tmp_path / "report.jsonl").write_text(render(seeds, "jsonl"))  # (a line a cluster, link, …: was a skip a line)
    out = _read(tmp_path)
    summary = [(Path(o.path).name, o.id if isinstance(o, Article) else o.reason) for o in out]
    assert summary == [
        ("array.json", "arr1"),
        ("array.json", "JSON record 2 (id 'arr2'): missing 'text'"),
        ("array.json", "JSON record 3: expected a JSON object, got string"),
        ("bad.json", "invalid JSON (Expecting value: line 1 column 21 (char 20))"),
        ("deep.json", "invalid JSON (nested too deeply)"),
        ("emptyarr.json", "empty JSON array (no records)"),
        ("noid.json", "noid.json"),  # a single object without id gets the file's id
        ("one.json", "one"),
        ("report.json", "a dedup scan report (--format json), not articles"),  # (saved in the folder it scanned: "'articles' should be…")
        ("report.jsonl", "a dedup scan report (--format jsonl), not articles"),
        ("scalar.json", "JSON: expected an object with 'text', an array of objects, or {\"articles\": [...]}; got number"),
        ("wrapped.json", "7"),
        ("wrapped_not.json", "JSON: 'articles' should be an array of objects; got string"),  # (was "missing 'text'")
        ("z_dup.json", f"JSON record 1: duplicate id 'one' (first at {tmp_path / 'one.json'})"),
    ]


def test_a_record_under_other_field_names_is_skipped_with_what_it_holds(tmp_path):
    """Crawlers' own shapes (news-please's 'maintext' beside a null 'text', Scrapy's 'body' and no id, a feed's
    records under 'items') were skipped as "missing 'text'" or "missing 'id'": the reason names the field that
    holds the text, or the record's fields, or where its records are."""
    (tmp_path / "newsplease.json").write_text(json.dumps({"title": "Kenya", "text": None, "maintext": SEED_TEXTS[0], "date_publish": "2024-09-25"}))
    (tmp_path / "scrapy.jsonl").write_text(json.dumps({"url": "https://a.example/1", "title": "Kenya", "body": SEED_TEXTS[1], "date": "2024"}) + "\n")
    (tmp_path / "feed.json").write_text(json.dumps({"version": "1", "items": [{"id": str(i), "text": t} for i, t in enumerate(SEED_TEXTS)]}))
    (tmp_path / "known.jsonl").write_text(json.dumps({"title": "Kenya", "url": "https://a.example/2"}) + "\n")
    reasons = {Path(o.path).name: o.reason for o in _read(tmp_path)}
    assert reasons == {
        "feed.json": "JSON: missing 'text' (its 'items' is an array of 5 objects: dedup reads the records of an array, or of one under 'articles')",
        "known.jsonl": "JSONL line 1: missing 'id'",  # (every field one dedup reads: nothing to rename)
        "newsplease.json": f"JSON: null 'text' (its longest text, {len(SEED_TEXTS[0]):,} characters, is its 'maintext': dedup reads an article's text from 'text')",
        "scrapy.jsonl": "JSONL line 1: missing 'id' (its fields: 'url', 'title', 'body', 'date'; dedup reads 'id', 'text', and optionally 'title', 'url', 'source', 'published')",
    }


def test_duplicate_ids_across_sources(tmp_path):
    (tmp_path / "a.jsonl").write_text("\n\n" + json.dumps({"id": "x", "text": SEED_TEXTS[0]}) + "\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x").mkdir()
    (tmp_path / "b" / "x" / "y.txt").write_text(SEED_TEXTS[1])
    (tmp_path / "c.json").write_text(json.dumps([{"id": "b/x/y.txt", "text": "t"}, {"id": "x", "text": "t"}]))
    out = _read(tmp_path / "a.jsonl", tmp_path / "b", tmp_path / "c.json")
    assert [(o.id if isinstance(o, Article) else o.reason) for o in out] == [
        "x",
        "b/x/y.txt",  # (several sources: a folder's name comes first)
        f"JSON record 1: duplicate id 'b/x/y.txt' (first at {tmp_path / 'b' / 'x' / 'y.txt'})",
        f"JSON record 2: duplicate id 'x' (first at {tmp_path / 'a.jsonl'}:3)",
    ]


# -- the file system -----------------------------------------------------------------------------------------


def test_symlinks(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "story.txt").write_text(SEED_TEXTS[0])
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)  # points back at an ancestor
    (root / "sub" / "self").symlink_to("self")  # a link to itself
    (root / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.md").write_text(SEED_TEXTS[1])
    (root / "link_dir").symlink_to(outside, target_is_directory=True)
    (root / "link_dir_again").symlink_to(outside, target_is_directory=True)
    (root / "link_file.txt").symlink_to(outside / "o.md")
    out = _read(root)
    summary = [(os.path.relpath(o.path, root), o.id if isinstance(o, Article) else o.reason) for o in out]
    assert summary == [
        ("dangling.txt", "broken symlink"),
        ("link_dir/o.md", "link_dir/o.md"),
        ("link_dir_again", f"folder already scanned as {str(root / 'link_dir')!r}"),
        ("link_file.txt", f"already read as {str(root / 'link_dir' / 'o.md')!r}"),  # the same file, not a second article
        ("sub/loop", f"symlink loop (points back to {str(root)!r})"),
        ("sub/self", "symlink loop"),
        ("sub/story.txt", "sub/story.txt"),
    ]


def test_a_link_into_a_folder_given_does_not_take_its_articles_ids(tmp_path):
    """A folder reached both as itself and through a link was read under whichever path the walk met first
    (sorted names, the order of the sources), so an article's id changed when a link came or went."""
    (tmp_path / "mix" / "sub").mkdir(parents=True)
    (tmp_path / "mix" / "sub" / "story.txt").write_text(SEED_TEXTS[0])
    (tmp_path / "mix" / "loopdir").symlink_to("sub", target_is_directory=True)  # sorts before sub
    (tmp_path / "mix" / "a-link.txt").symlink_to(tmp_path / "mix" / "sub" / "story.txt")
    (tmp_path / "crawl" / "news").mkdir(parents=True)
    (tmp_path / "crawl" / "news" / "wire.txt").write_text(SEED_TEXTS[1])
    (tmp_path / "mix" / "feed").symlink_to(tmp_path / "crawl" / "news", target_is_directory=True)
    for sources in ([tmp_path / "mix", tmp_path / "crawl"], [tmp_path / "crawl", tmp_path / "mix"]):
        out = list(read_sources(sources))
        assert sorted(o.id for o in out if isinstance(o, Article)) == ["crawl/news/wire.txt", "mix/sub/story.txt"]
        assert sorted(os.path.basename(o.path) for o in out if isinstance(o, Skipped)) == ["a-link.txt", "feed", "loopdir"]
        assert all("scanned under its own path (reported there)" in o.reason for o in out if isinstance(o, Skipped))
    alone = _read(tmp_path / "mix")  # a link to a folder not given is read through the link: no other path reads it
    assert sorted(o.id for o in alone if isinstance(o, Article)) == ["feed/wire.txt", "sub/story.txt"]


def test_odd_file_names(tmp_path):
    names = ["with space.txt", "ünïcödé 記事.txt", "new\nline.txt", "tab\tname.md", "quote's \"q\".txt", "-dash.txt", "UPPER.TXT"]
    for i, name in enumerate(names):
        (tmp_path / name).write_text(SEED_TEXTS[i % len(SEED_TEXTS)], encoding="utf-8")
    bad = os.path.join(os.fsencode(tmp_path), b"bad\xffbyte.txt")
    with open(bad, "wb") as f:
        f.write(SEED_TEXTS[0].encode())
    out = _read(tmp_path)
    assert all(isinstance(o, Article) for o in out), out
    assert sorted(a.id for a in out) == sorted(names + ["bad\\xffbyte.txt"])
    for a in out:
        assert a.id.encode("utf-8")  # ids are always encodable
        with open(a.path, "rb"):  # and paths still open the file
            pass


def test_unsupported_hidden_and_special_files(tmp_path):
    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "README").write_text("no extension")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main")
    os.mkfifo(tmp_path / "pipe.txt")  # opening it would block: must not be opened
    out = _read(tmp_path)
    assert [(Path(o.path).name, o.reason) for o in out] == [
        (".DS_Store", "hidden file"),
        (".git", "hidden folder (not scanned)"),
        ("README", "unsupported file type (no extension)"),
        ("doc.pdf", "unsupported file type '.pdf'"),
        ("pipe.txt", "not a regular file (FIFO)"),
    ]
    # A hidden file named explicitly is read.
    (tmp_path / ".notes.txt").write_text("explicit")
    assert _one(tmp_path / ".notes.txt").text == "explicit"


def test_missing_source_and_single_path_string(tmp_path):
    assert _one(tmp_path / "nope").reason == "not found"
    (tmp_path / "a.txt").write_text("hello")
    # A bare string (not a list) is one source, not a list of characters.
    assert [a.id for a in read_sources(str(tmp_path / "a.txt"))] == ["a.txt"]
    with pytest.raises(ValueError):
        read_sources([str(tmp_path)], max_chars=0)


def test_permission_denied_simulated(tmp_path, monkeypatch):
    (tmp_path / "locked.txt").write_text(SEED_TEXTS[0])
    (tmp_path / "locked.jsonl").write_text(json.dumps({"id": "j", "text": "t"}))
    (tmp_path / "open.txt").write_text(SEED_TEXTS[1])
    real_open = open

    def fake_open(path, *args, **kwargs):
        if "locked" in os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(read_module, "open", fake_open, raising=False)
    out = _read(tmp_path)
    assert [(Path(o.path).name, getattr(o, "reason", "ok")) for o in out] == [
        ("locked.jsonl", "permission denied"),
        ("locked.txt", "permission denied"),
        ("open.txt", "ok"),
    ]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read chmod 000 files")
def test_permission_denied_real(tmp_path):
    (tmp_path / "locked.txt").write_text(SEED_TEXTS[0])
    (tmp_path / "locked.txt").chmod(0)
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "x.txt").write_text("x")
    (tmp_path / "closed").chmod(0)
    try:
        out = _read(tmp_path)
        assert [(Path(o.path).name, o.reason) for o in out] == [
            ("closed", "permission denied (cannot list folder)"),
            ("locked.txt", "permission denied"),
        ]
    finally:
        (tmp_path / "closed").chmod(0o755)


def test_mixed_folder_every_file_accounted_for(tmp_path):
    mix = tmp_path / "mix"
    (mix / "nested" / "deeper").mkdir(parents=True)
    files = {
        "seed0.txt": SEED_TEXTS[0].encode(),
        "seed1.md": codecs.BOM_UTF8 + SEED_TEXTS[1].encode(),
        "nested/seed2.txt": codecs.BOM_UTF16_LE + SEED_TEXTS[2].encode("utf-16-le"),
        "nested/win.txt": SMART.encode("cp1252"),
        "nested/deeper/page.html": _html([SEED_TEXTS[3]]).encode(),
        "nested/deeper/page2.htm": b"<p>broken <b>html",
        "feed.jsonl": (json.dumps({"id": "j1", "text": SEED_TEXTS[4]}) + "\n{oops\n\n" + json.dumps({"id": "j1", "text": "d"})).encode(),
        "records.json": json.dumps([{"id": "r1", "text": SEED_TEXTS[0]}]).encode(),
        "image.png": b"\x89PNG\r\n\x1a\n\x00\x00",
        "fake.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "empty.txt": b"",
        "spaces.txt": b" \n \n",
        "few.txt": b"hi",
        "odd name ✓.txt": SEED_TEXTS[2].encode(),
        ".hidden.txt": b"secret",
        "notes.docx": b"PK\x03\x04",
    }
    for rel, data in files.items():
        (mix / rel).write_bytes(data)
    (mix / "nested" / "loop").symlink_to(mix, target_is_directory=True)
    (mix / "dangling.md").symlink_to(mix / "gone.md")
    (mix / ".cache").mkdir()
    (mix / ".cache" / "x.txt").write_text("x")
    expected = {str(mix / rel) for rel in files} | {str(mix / "nested" / "loop"), str(mix / "dangling.md"), str(mix / ".cache")}

    out = _read(mix)
    assert {o.path for o in out} == expected
    for path in expected:  # each file is accounted for; a file yields Articles or Skipped, never neither
        assert any(o.path == path for o in out)
    articles = {a.id: a for a in _articles(out)}
    assert set(articles) == {
        "seed0.txt", "seed1.md", "nested/seed2.txt", "nested/win.txt", "nested/deeper/page.html",
        "nested/deeper/page2.htm", "j1", "r1", "few.txt", "odd name ✓.txt",
    }
    assert articles["nested/win.txt"].text == SMART
    assert articles["nested/seed2.txt"].text == SEED_TEXTS[2]
    assert articles["nested/deeper/page2.htm"].text == "broken html"
    reasons = {os.path.relpath(s.path, mix) + (f":{s.line}" if s.line else ""): s.reason for s in _skipped(out)}
    assert reasons == {
        ".cache": "hidden folder (not scanned)",
        ".hidden.txt": "hidden file",
        "dangling.md": "broken symlink",
        "empty.txt": "empty file",
        "fake.txt": "binary file (NUL bytes)",
        "feed.jsonl:2": "JSONL line 2: invalid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        "feed.jsonl:4": f"JSONL line 4: duplicate id 'j1' (first at {mix / 'feed.jsonl'}:1)",
        "image.png": "unsupported file type '.png'",
        "nested/loop": f"symlink loop (points back to {str(mix)!r})",
        "notes.docx": "unsupported file type '.docx'",
        "spaces.txt": "empty file (whitespace only)",
    }
    # Deterministic: the same order every time, folders walked in sorted order.
    assert _read(mix) == out


# -- fuzz ------------------------------------------------------------------------------------------------


_JSONISH = st.one_of(
    st.binary(max_size=60),
    st.sampled_from([b"{", b"}", b'"id"', b'"text"', b":", b",", b'"x"', b"1", b"null", b"[", b"]", b"\\u0000", b"\\ud800", b"\xff", b"\x00", b"\r"]),
    st.builds(lambda r: json.dumps(r).encode(), st.dictionaries(
        st.sampled_from(["id", "text", "title", "url", "source", "published", "other"]),
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20), st.lists(st.integers(), max_size=2)),
        max_size=6,
    )),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_JSONISH, max_size=4).map(b"".join), max_size=12), st.sampled_from([b"\n", b"\r\n"]))
def test_fuzz_jsonl_reader(lines, newline):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fuzz.jsonl")
        with open(path, "wb") as f:
            f.write(newline.join(lines))
        out = list(read_sources([path], max_chars=50))
    assert out, "a file always yields something"
    ids = set()
    for o in out:
        assert isinstance(o, (Article, Skipped))
        assert o.path == path
        if isinstance(o, Article):
            assert o.text.strip() and len(o.text) <= 50
            assert o.id not in ids
            ids.add(o.id)
            o.text.encode("utf-8"), o.id.encode("utf-8")  # no lone surrogates escape
        else:
            assert o.reason


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["x.txt", "x.html", "x.json", "x.md"]))
def test_fuzz_any_bytes_any_type(data, name):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        out = list(read_sources([path]))
    assert out and all(isinstance(o, (Article, Skipped)) for o in out)
    for o in out:
        if isinstance(o, Article):
            o.text.encode("utf-8")


def test_an_article_with_mis_decoded_smart_quotes_is_read_not_skipped_as_binary(tmp_path):
    """Scraped text often holds cp1252 quotes decoded as Latin-1 (U+0093, U+0094, U+0092): text, not binary."""
    from dedup.read import Article, read_sources

    text = "Officials said \x93the mission will continue\x94 and that Kenya\x92s police would stay. " * 12
    (tmp_path / "mojibake.txt").write_text(text, encoding="utf-8")
    items = list(read_sources([tmp_path]))
    assert len(items) == 1 and isinstance(items[0], Article) and items[0].text == text


def test_folders_scanned_together_keep_their_files_apart(tmp_path):
    """Two outlets' folders with the same file names: each file is read under its folder's name; a folder given
    inside another is read once."""
    from dedup.read import Article, Skipped, read_sources

    for outlet, k in (("bbc", 0), ("cnn", 1)):
        (tmp_path / outlet).mkdir()
        (tmp_path / outlet / "story.txt").write_text(SEED_TEXTS[k], encoding="utf-8")
    out = list(read_sources([tmp_path / "bbc", tmp_path / "cnn"]))
    assert [(o.id, o.text) for o in out] == [("bbc/story.txt", SEED_TEXTS[0]), ("cnn/story.txt", SEED_TEXTS[1])]
    assert [o.id for o in read_sources([tmp_path / "bbc"])] == ["story.txt"]  # one folder: ids as before
    for order in ([tmp_path, tmp_path / "cnn"], [tmp_path / "cnn", tmp_path]):  # ids as when the outer folder is given alone
        again = list(read_sources(order))
        assert [o.id for o in again if isinstance(o, Article)] == ["bbc/story.txt", "cnn/story.txt"]
        assert [(o.path, o.reason) for o in again if isinstance(o, Skipped)] == [(str(tmp_path / "cnn"), f"inside '{tmp_path}', also given: read there")]
    twice = list(read_sources([tmp_path / "bbc", f"{tmp_path / 'bbc'}/"]))  # one folder given twice: ids as given once (they took its name)
    assert [o.id for o in twice if isinstance(o, Article)] == ["story.txt"] and [o.reason for o in twice if isinstance(o, Skipped)] == [f"already read as '{tmp_path / 'bbc'}'"]


def test_sources_with_the_same_name_keep_their_articles_apart(tmp_path, monkeypatch):
    """Two crawls' folders (or files) with the same name: each source's ids start with its path instead of the
    shared name, so neither article is dropped as a duplicate id."""
    from dedup.read import Article, read_sources

    for crawl, k in (("crawl-a", 0), ("crawl-b", 1)):
        (tmp_path / crawl / "news").mkdir(parents=True)
        (tmp_path / crawl / "news" / "story.txt").write_text(SEED_TEXTS[k], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = list(read_sources(["crawl-a/news", "crawl-b/news"]))
    assert [(o.id, o.text) for o in out] == [("crawl-a/news/story.txt", SEED_TEXTS[0]), ("crawl-b/news/story.txt", SEED_TEXTS[1])]
    files = list(read_sources(["crawl-a/news/story.txt", "crawl-b/news/story.txt"]))
    assert [o.id for o in files if isinstance(o, Article)] == ["crawl-a/news/story.txt", "crawl-b/news/story.txt"]


def test_a_file_inside_a_given_folder_or_linked_twice_is_read_once(tmp_path):
    from dedup.read import Article, Skipped, read_sources

    (tmp_path / "news").mkdir()
    story = tmp_path / "news" / "story.txt"
    story.write_text(SEED_TEXTS[0], encoding="utf-8")
    (tmp_path / "news" / "z-link.txt").symlink_to(story)
    (tmp_path / "news" / ".drafts").mkdir()
    draft = tmp_path / "news" / ".drafts" / "draft.txt"  # a hidden folder's file, which the walk does not read
    draft.write_text(SEED_TEXTS[1], encoding="utf-8")
    for order in ([tmp_path / "news", story, draft], [draft, story, tmp_path / "news"]):  # the same ids in any order
        out = list(read_sources(order))
        assert sorted(o.id for o in out if isinstance(o, Article)) == ["draft.txt", "news/story.txt"]
        assert sorted(o.reason for o in out if isinstance(o, Skipped)) == [
            "hidden folder (not scanned)", f"inside '{tmp_path / 'news'}', also given: read there", f"link to '{story}', a file scanned under its own path (reported there)"]


@pytest.mark.parametrize("stray", [b"\xff", b"\x9d", b"\xe2\x80"])  # a lone byte, a cp1252 hole, a cut character
def test_utf8_with_a_stray_byte_is_read_not_skipped_and_cp1252_stays_cp1252(seeds, stray):
    """A crawled UTF-8 page with one bad byte used to be skipped whole ("cannot decode"), or read as cp1252
    (every curly quote turned to mojibake); now only that byte is lost (U+FFFD). A real cp1252 file, whose
    é is one byte, is not mistaken for it."""
    data = seeds["000"].encode("utf-8")
    text, encoding = decode_bytes(data[:2000] + stray + data[2000:])
    assert encoding.startswith("utf-8") and text.count("\ufffd") == 1 and text.replace("\ufffd", "") == seeds["000"]
    french = "Café crème, brûlée: déjà vu à l'été. " * 20
    assert decode_bytes(french.encode("cp1252")) == (french, "cp1252")


def test_utf8_stays_utf8_while_its_valid_characters_outnumber_the_bytes_that_are_not(seeds):
    """A short UTF-8 text with few accented letters and one stray byte, and an article with cp1252 quotes pasted
    in six times, used to be read as cp1252 (or skipped): every accented letter and curly quote mojibake, unsaid."""
    text, encoding = decode_bytes("Café Café Café: a short wire report. ".encode() + b"\xff")
    assert encoding.startswith("utf-8") and text == "Café Café Café: a short wire report. \ufffd"
    data = seeds["003"].encode("utf-8")
    cuts = [400 * k for k in range(1, 7)]
    pasted = b"".join(data[a:b] + b"\x93" for a, b in zip([0, *cuts], cuts)) + data[cuts[-1]:]
    text, encoding = decode_bytes(pasted)
    assert encoding.startswith("utf-8") and text.count("\ufffd") == 6 and text.replace("\ufffd", "") == seeds["003"]


def test_utf8_characters_in_a_file_read_as_cp1252_are_said(tmp_path):
    """A file with more bytes that are not UTF-8 than valid UTF-8 characters is read as cp1252 (the documented
    rule), so its few UTF-8 characters become mojibake ("£600m" → "Â£600m"): that used to be silent. A plain cp1252
    file says nothing."""
    (tmp_path / "mixed.txt").write_bytes("Profits of £600m were reported".encode("utf-8") + b" \x93up\x94 from last year\x85 " * 2)
    (tmp_path / "plain.txt").write_bytes("Café crème, brûlée: déjà vu à l'été, “quoted”.".encode("cp1252"))
    read = {o.id: o for o in read_sources([tmp_path]) if isinstance(o, Article)}
    assert "Â£600m" in read["mixed.txt"].text and (read["mixed.txt"].mixed, read["plain.txt"].mixed) == (1, 0)
    assert read_module.notes(read["mixed.txt"], 10_000) == [f"{tmp_path / 'mixed.txt'}: read as cp1252 (more of its bytes are not UTF-8 than are); "
                                                "its 1 UTF-8 character shows as two or three characters (mixed encodings?)"]
    assert read_module.notes(read["plain.txt"], 10_000) == []


def test_a_stray_byte_is_said_where_it_was_replaced_in_files_and_jsonl_lines(seeds, tmp_path):
    """The replaced byte is not silent: the article says how many bytes were, and a scan warns naming the file
    (and the JSONL line). A JSONL line with one used to be read as cp1252: every curly quote turned to mojibake."""
    from dedup import scan

    data = seeds["000"].encode("utf-8")
    (tmp_path / "page.txt").write_bytes(data[:2000] + b"\xff" + data[2000:])
    line = json.dumps({"id": "wire", "text": seeds["001"]}, ensure_ascii=False).encode("utf-8")
    (tmp_path / "feed.jsonl").write_bytes(json.dumps({"id": "clean", "text": seeds["002"]}).encode() + b"\n" + line[:900] + b"\x9d" + line[900:] + b"\n")
    read = {o.id: o for o in read_sources([tmp_path]) if isinstance(o, Article)}
    assert {k: a.replaced for k, a in read.items()} == {"page.txt": 1, "clean": 0, "wire": 1}
    assert read["wire"].text.replace("\ufffd", "") == seeds["001"]  # (not mojibake: its ’ and “ kept)
    said = [w for w in scan(tmp_path).warnings if "not UTF-8" in w]
    assert sorted(said) == [f"{tmp_path / 'feed.jsonl'}:2: 1 byte not UTF-8, read as U+FFFD", f"{tmp_path / 'page.txt'}: 1 byte not UTF-8, read as U+FFFD"]


def test_a_date_in_milliseconds_is_read_as_one_and_json_lines_in_a_json_file_get_a_hint(tmp_path):
    (tmp_path / "ms.jsonl").write_text(json.dumps({"id": "ms", "text": "x", "published": 1704240000000}) + "\n"
                                       + json.dumps({"id": "s", "text": "x", "published": 1704240000}) + "\n", encoding="utf-8")
    (tmp_path / "lines.json").write_text('{"id": "a", "text": "one"}\n{"id": "b", "text": "two"}\n', encoding="utf-8")
    got = {getattr(o, "id", None) or Path(o.path).name: o for o in _read(tmp_path)}
    assert got["ms"].published == got["s"].published == "2024-01-03T00:00:00Z"  # (milliseconds used to be "not a date")
    assert got["lines.json"].reason.endswith("one JSON value a line is JSON Lines: name the file .jsonl")


def test_pretty_printed_json_in_a_jsonl_file_is_one_skip_with_a_hint(tmp_path):
    """It was skipped line by line (a line of "invalid JSON" for each of its lines), with no word of why."""
    records = [{"id": "a", "text": "Kenya will send 600 more police officers to Haiti."}, {"id": "b", "text": "x"}]
    (tmp_path / "feed.jsonl").write_text(json.dumps(records, indent=2), encoding="utf-8")
    (tmp_path / "broken.jsonl").write_text('{"id": "a",\n "text": "x"}\n{"id": "c", "text": "fine"}\n', encoding="utf-8")  # (not one value: line by line)
    got = [(Path(o.path).name, o.reason if hasattr(o, "reason") else o.id) for o in _read(tmp_path)]
    assert got == [("broken.jsonl", "JSONL line 1: invalid JSON (Expecting property name enclosed in double quotes: line 1 column 12 (char 11))"),
                   ("broken.jsonl", "JSONL line 2: invalid JSON (Extra data: line 1 column 8 (char 7))"), ("broken.jsonl", "c"),
                   ("feed.jsonl", "one JSON value over many lines (pretty-printed JSON), not JSON Lines: name the file .json, or write one object a line")]


def test_a_date_of_zero_or_below_is_no_date_and_goes_unsaid(tmp_path):
    """published: 0 (many exports' placeholder for none) or -5 was read as 1970 (1969), and its article became the
    canonical of its story, the earliest published; then each such article got a warning, although the README calls
    them no date (an export with the placeholder warned once per article)."""
    from dedup.read import notes

    records = [{"id": "zero", "text": "x", "published": 0}, {"id": "minus", "text": "x", "published": -5},
               {"id": "mongo", "text": "x", "published": {"$date": 0}}, {"id": "real", "text": "x", "published": 1}]
    (tmp_path / "dates.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    got = {o.id: o for o in _read(tmp_path)}
    assert [got[k].published for k in ("zero", "minus", "mongo", "real")] == [None, None, None, "1970-01-01T00:00:01Z"]
    assert [notes(got[k], 100) for k in ("zero", "minus", "mongo", "real")] == [[], [], [], []]


def test_a_warning_about_a_record_of_a_json_array_says_which_record(tmp_path):
    """A JSON file holds many articles on no lines of their own: a warning named only the file."""
    from dedup.read import notes

    records = [{"id": "fine", "text": "x", "published": "2024-05-12"}, {"id": "odd", "text": "x", "published": "yesterday"}]
    (tmp_path / "feed.json").write_text(json.dumps(records), encoding="utf-8")
    (tmp_path / "page.txt").write_text("x")
    got = {o.id: notes(o, 100) for o in _read(tmp_path)}
    assert got == {"fine": [], "odd": [f"{tmp_path / 'feed.json'} (id 'odd'): published 'yesterday' is not an ISO 8601 or RFC 2822 date; not used"],
                   "page.txt": []}


_LINE_BREAKERS = "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@given(st.lists(st.one_of(st.characters(blacklist_characters="\\", blacklist_categories=("Cs",)), st.sampled_from(_LINE_BREAKERS))).map("".join))
def test_visible_text_holds_no_control_and_reads_back(text):
    """What visible() shows holds no control character and nothing that reorders or breaks a terminal's line, and
    from_visible() gives back the text (one without backslashes, which an id typed from the screen may hold)."""
    shown = read_module.visible(text)
    assert not any(c < " " or "\x7f" <= c <= "\x9f" or c in _LINE_BREAKERS for c in shown)
    assert read_module.from_visible(shown) == text
    assert read_module.visible("\u0627\u200f 600 \u200e\u061c") == "\u0627\u200f 600 \u200e\u061c"  # (right-to-left text's marks reorder nothing)


def test_sources_measure_the_bytes_read_against_the_files_a_read_takes(tmp_path):
    """A progress bar's measure: the sizes of the article files (not an unsupported or hidden one), and how far the
    reading has got, which grows record by record inside a JSON Lines file and ends at that total."""
    (tmp_path / "news").mkdir()
    for seed in SEEDS[:3]:
        (tmp_path / "news" / seed.name).write_bytes(seed.read_bytes())
    feed = tmp_path / "news" / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": s.stem, "text": s.read_text(encoding="utf-8")}) + "\n" for s in SEEDS), encoding="utf-8")
    (tmp_path / "news" / "photo.png").write_bytes(b"\x89PNG" + bytes(5000))
    (tmp_path / "news" / ".draft.txt").write_text("not read", encoding="utf-8")
    sources = read_module.Sources(tmp_path / "news")
    expected = sum(s.stat().st_size for s in SEEDS[:3]) + feed.stat().st_size
    assert sources.total_bytes() == expected
    seen = []
    for item in sources:
        if isinstance(item, Article):
            seen.append((item.path.endswith(".jsonl"), sources.read_bytes()))
    in_feed = [b for is_feed, b in seen if is_feed]
    assert len(in_feed) == len(SEEDS) and in_feed == sorted(set(in_feed))  # one step a record
    assert 0 < in_feed[0] < expected and sources.read_bytes() == expected


def test_gzip_compressed_files_are_read_as_their_own_kind(tmp_path, monkeypatch):
    """A crawl feed is often kept compressed: news.jsonl.gz was skipped as "unsupported file type '.gz'". A .gz file
    named as an article file is read as that file, decompressed as it is read; a damaged one keeps the records
    before the damage, and says so; a .json.gz is held to the .json size limit once decompressed."""
    import gzip

    records = [{"id": f"r{i}", "text": text} for i, text in enumerate(SEED_TEXTS)]
    (tmp_path / "feed.jsonl.gz").write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records[:3]).encode()))
    (tmp_path / "feed.json.gz").write_bytes(gzip.compress(json.dumps(records[3:]).encode()))
    (tmp_path / "story.txt.gz").write_bytes(gzip.compress(SEED_TEXTS[0].encode()))
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(f"<html><body><nav>Menu</nav><p>{SEED_TEXTS[1]}</p></body></html>".encode()))
    whole = gzip.compress("".join(json.dumps({"id": f"d{i}", "text": f"Record {i} of a feed cut short. " * 40}) + "\n" for i in range(500)).encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "plain.txt.gz").write_text("not compressed")
    (tmp_path / "backup.tar.gz").write_bytes(gzip.compress(b"x"))
    (tmp_path / "served.html").write_text(f"<html><body><p>{SEED_TEXTS[2]}</p></body></html>")
    (tmp_path / "served.html.gz").write_bytes(gzip.compress((tmp_path / "served.html").read_bytes()))  # (nginx's gzip_static)
    out = _read(tmp_path)
    got = {(Path(o.path).name, o.id) for o in _articles(out)}
    assert {(n, i) for n, i in got if not i.startswith("d")} == {
        ("feed.jsonl.gz", "r0"), ("feed.jsonl.gz", "r1"), ("feed.jsonl.gz", "r2"), ("feed.json.gz", "r3"), ("feed.json.gz", "r4"),
        ("story.txt.gz", "story.txt.gz"), ("page.html.gz", "page.html.gz"), ("served.html", "served.html")}
    assert next(a for a in out if isinstance(a, Article) and a.id == "story.txt.gz").text == SEED_TEXTS[0]
    page = next(a for a in out if isinstance(a, Article) and a.id == "page.html.gz").text
    assert "Menu" not in page and SEED_TEXTS[1].split()[5] in page
    cut = sorted(int(i[1:]) for n, i in got if i.startswith("d"))
    assert 0 < len(cut) < 500 and cut == list(range(len(cut)))
    reasons = {Path(o.path).name: o.reason for o in out if isinstance(o, Skipped)}
    assert reasons["cut.jsonl.gz"].startswith("damaged gzip file, read up to the damage: ")
    assert reasons["plain.txt.gz"] == "not gzip-compressed, though its name ends in .gz"
    assert reasons["backup.tar.gz"].startswith("unsupported file type '.gz': a gzip-compressed file is read when its name is an article file's")
    assert reasons["served.html.gz"] == "a compressed copy of 'served.html' beside it, which is read"
    assert _one(tmp_path / "served.html.gz").id == "served.html.gz"  # (named alone, it is read: its neighbour is not)
    monkeypatch.setattr(read_module, "_JSON_MAX_BYTES", 1000)
    assert _one(tmp_path / "feed.json.gz").reason == "JSON file too large to parse whole (over 1,000 bytes decompressed); use JSONL"


def test_a_page_saved_under_another_name_is_read_as_a_page(tmp_path):
    """A wget mirror's story.php?id=7, a page saved without an extension: skipped as "unsupported file type" though
    it is plainly a page. A file of another type is read when it starts like a page; prose and pictures are not."""
    (tmp_path / "story.php?id=7").write_text(f"<!DOCTYPE html><html><head><title>Kenya</title></head><body><nav>Menu</nav><p>{SEED_TEXTS[0]}</p></body></html>")
    (tmp_path / "index").write_text(f"<html lang='en'><body><p>{SEED_TEXTS[1]}</p></body></html>")
    (tmp_path / "notes").write_text(SEED_TEXTS[2])
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "story.php?id=7.orig").write_bytes((tmp_path / "story.php?id=7").read_bytes())  # (wget -K's backup of the page)
    out = {Path(o.path).name: o for o in _read(tmp_path)}
    assert out["story.php?id=7.orig"].reason == "unsupported file type '.orig'"
    assert out["story.php?id=7"].title == "Kenya" and out["story.php?id=7"].text.startswith(SEED_TEXTS[0].split()[0]) and "Menu" not in out["story.php?id=7"].text
    assert isinstance(out["index"], Article)
    assert out["notes"].reason == "unsupported file type (no extension)" and out["logo.png"].reason == "unsupported file type '.png'"


def test_a_markdown_file_s_heading_is_its_title(tmp_path):
    """A story saved as Markdown opens with its '# Headline': that is its title (the report named it
    "# Kenya to send … President William Ruto …"); a .txt file's '#' line is text, and a .md without one has none."""
    body = "\n\nPresident William Ruto said Kenya would send 600 more police officers to Haiti.\n"
    (tmp_path / "a.md").write_text("\n# Kenya to send 600 more police to Haiti ##" + body)
    (tmp_path / "b.markdown").write_text("## Kenya and Haiti" + body)
    (tmp_path / "c.md").write_text(body.strip() + "\n# not a title\n")
    (tmp_path / "d.txt").write_text("# Kenya to send 600 more police to Haiti" + body)
    assert {Path(a.path).name: a.title for a in _read(tmp_path)} == {
        "a.md": "Kenya to send 600 more police to Haiti", "b.markdown": "Kenya and Haiti", "c.md": None, "d.txt": None}
