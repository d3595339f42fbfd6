"""Read articles from whatever a crawler hands us: folders, text, HTML, JSON and JSONL files.

``read_sources`` never raises for a bad input and never drops one silently: every file (and every JSONL
record) comes out either as an ``Article`` or as a ``Skipped`` saying where and why.
"""
from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import stat
import zlib
from collections import Counter
from dataclasses import dataclass, replace
from typing import BinaryIO, Iterable, Iterator

from .dates import iso_from_unix, published_instant
from .extract import html_to_text

__all__ = [
    "Article",
    "Skipped",
    "UnreadableFileError",
    "decode_bytes",
    "read_sources",
    "read_text_file",
    "TEXT_EXTENSIONS",
    "HTML_EXTENSIONS",
    "JSON_EXTENSIONS",
    "JSONL_EXTENSIONS",
]


@dataclass(frozen=True)
class Article:
    id: str  # path relative to the scanned folder (POSIX separators), or the JSON record's "id"
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None  # as given (ISO 8601 or RFC 2822; a JSON number, Unix time, is made ISO 8601)
    path: str | None = None  # file it came from (the source as given, joined with the relative path)
    line: int | None = None  # 1-based line number for JSONL records
    truncated: bool = False  # text was cut to max_chars
    replaced: int = 0  # bytes that were not UTF-8 in otherwise UTF-8 text, read as U+FFFD
    mixed: int = 0  # UTF-8 characters in a file read as cp1252 (more of its bytes were not UTF-8): each is mojibake


def notes(item: Article, max_chars: int) -> list[str]:
    """What whoever reads an article should be told of it: its text was cut to max_chars, bytes replaced, or its
    published date is not one (a scan and an add say the same)."""
    origin = where(item) or item.id
    if item.path is not None and item.line is None and os.path.splitext(item.path)[1].lower() in JSON_EXTENSIONS:  # (a record of a JSON file: which)
        origin = f"{origin} (id {item.id!r})"
    said = [f"{origin}: longer than {max_chars:,} characters, truncated"] if item.truncated else []
    if item.replaced:
        said.append(f"{origin}: {item.replaced:,} byte{'s' * (item.replaced > 1)} not UTF-8, read as U+FFFD")
    if item.mixed:
        many = item.mixed > 1
        said.append(f"{origin}: read as cp1252 (more of its bytes are not UTF-8 than are); its {item.mixed:,} UTF-8 character"
                    f"{'s show' if many else ' shows'} as two or three characters{' each' * many} (mixed encodings?)")
    if item.published is not None and published_instant(item.published) is None:
        number = re.fullmatch(r"-?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?", item.published)
        said.append(f"{origin}: published {item.published!r:.60} "
                    + ("not used: a number is a date as a JSON number of seconds or milliseconds after 1970" if number
                       else "is not an ISO 8601 or RFC 2822 date; not used"))
    return said


def where(item: "Article | Skipped") -> str | None:
    """Where an article or a skipped input came from, as messages and reports show it: its file (bytes of the name
    that are not UTF-8 as \\xNN, as ids have them), with the JSONL line when there is one."""
    path = item.path if item.path is None else display_path(item.path)
    return path if item.line is None else f"{path}:{item.line}"


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str
    line: int | None = None
    covered: bool = False  # a source given that another one given reads (a folder inside it, or it twice): nothing lost

    def said(self) -> str:
        """'where: why', as messages and the table show it (a JSONL line named once, by the reason)."""
        named = self.line is not None and self.reason.startswith(f"JSONL line {self.line}:")
        return f"{display_path(self.path) if named else where(self)}: {self.reason}"


class UnreadableFileError(ValueError):
    """A file's bytes are not text we can decode (binary, or no known encoding fits)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


TEXT_EXTENSIONS = frozenset({".txt", ".text", ".md", ".markdown"})
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
JSON_EXTENSIONS = frozenset({".json"})
JSONL_EXTENSIONS = frozenset({".jsonl", ".ndjson"})
ARTICLE_EXTENSIONS = TEXT_EXTENSIONS | HTML_EXTENSIONS | JSON_EXTENSIONS | JSONL_EXTENSIONS


def article_extension(path: str) -> tuple[str | None, bool]:
    """The article file extension a name ends in (None: not an article file's), and whether it is gzip-compressed
    (news.jsonl.gz is read as news.jsonl, decompressed as it is read)."""
    ext = os.path.splitext(path)[1].lower()
    compressed = ext == ".gz"
    if compressed:
        ext = os.path.splitext(path[:-3])[1].lower()
    return (ext if ext in ARTICLE_EXTENSIONS else None), compressed


_OPTIONAL_FIELDS = ("title", "url", "source", "published")
# C0 controls other than tab, newlines and form feed, and DEL: text has (almost) none. C1 controls are not
# counted: scraped news often carries cp1252 quotes decoded as Latin-1 (U+0093 for a left double quote).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")  # an XHTML page's declaration
_CHARSET_WITHIN = 1 << 16  # bytes of a page searched for its <meta> charset
_JSON_MAX_BYTES = 256 * 2**20  # a .json file is parsed whole; bigger ones should be JSONL
_ATX_HEADING = re.compile(r"\s*#{1,6}[ \t]+(\S[^\n]*?)(?:[ \t]+#+)?[ \t]*(?:\n|$)")  # a Markdown file's first line "# Headline": its title
_TRUNCATE_WINDOW = 1000  # look this far back from max_chars for a whitespace to cut at


# -- decoding ------------------------------------------------------------------------------------


def _controls_are_binary(text: str) -> bool:
    """Many control characters: a binary file that happened to decode."""
    count = len(_CONTROL.findall(text))
    return count > 2 + len(text) // 100


def _utf16_without_bom(data: bytes) -> str | None:
    """The encoding if ``data`` (which has NUL bytes) looks like BOM-less UTF-16, else None.

    Latin, Cyrillic, Greek... text in UTF-16 has a NUL in the high byte of every ASCII character (spaces,
    digits, punctuation at least), so its NULs sit almost all at odd offsets (LE) or even offsets (BE).
    """
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    pairs = max(len(data) // 2, 1)
    for encoding, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high >= pairs * 0.05 and low <= high * 0.02:
            return encoding
    return None


def _decode_as(data: bytes, encoding: str, final: bool) -> str:
    """Strict decoding; when ``final`` is false a sequence cut at the end of ``data`` is not an error."""
    return codecs.getincrementaldecoder(encoding)("strict").decode(data, final=final)


def _windows_1252(data: bytes) -> str:
    """cp1252 as browsers read it (WHATWG): the five bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)
    are the Latin-1 characters of the same number, so Latin-1 text, which may hold them, is never refused."""
    return data.decode("cp1252", "surrogateescape").translate(_ESCAPED_BYTES)


_ESCAPED_BYTES = {0xDC00 + b: b for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}  # surrogateescape's code point → the byte's Latin-1 one


def _not_western(text: str) -> str | None:
    """Why text read as cp1252 is likely another encoding (Shift-JIS, GBK, Big5, EUC-KR, cp1251, cp1253…), or None.
    In Western European text a character that is not ASCII (é, ç, °, –, “) mostly stands between ASCII ones; read
    from those encodings, such characters come in runs. Of the neighbouring pairs (within words and symbols) that
    hold one, the share where both are: 0-15 % in French, Portuguese, Icelandic, German, weather tables and
    typographic quotes; 43-100 % in the others. Too few such pairs: let be."""
    both = some = 0
    prev = " "
    for c in text:
        if not c.isspace() and not prev.isspace():
            wide, was_wide = c >= "\x80", prev >= "\x80"
            some += wide or was_wide
            both += wide and was_wide
        prev = c
    if some < 20 or both <= _MAX_RUNS * some:
        return None
    return (f"cannot decode: not UTF-8, and read as cp1252 it would be runs of accented letters and symbols ({both / some:.0%} of "
            "them side by side: another encoding, such as Shift-JIS or cp1251?): convert it to UTF-8")


def _json_text(line: str) -> str:
    """The "text" of a JSON record line (what a Western check should look at, not its keys and URLs), else the line."""
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return line
    return value["text"] if isinstance(value, dict) and isinstance(value.get("text"), str) else line


_MAX_RUNS = 0.4  # (see _not_western)
_WESTERN = ("latin-1", "iso8859-1", "ascii", "cp1252")  # declared charsets read as cp1252 (as browsers do)


def decode_bytes(data: bytes, *, name: str = "<bytes>", complete: bool = True, declared: str | None = None, markup: bool = False) -> tuple[str, str]:
    """Decode a file's bytes: returns ``(text, encoding)``; raises ``UnreadableFileError``.

    Order: a BOM (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE); NUL bytes mean BOM-less UTF-16 when their
    pattern fits, else a binary file; strict UTF-8; UTF-8 with a rare invalid byte (replaced by U+FFFD); the
    ``declared`` charset (from HTML) if given; cp1252 as browsers read it (which reads any bytes), unless most of
    the text's letters would then be accented (another encoding; ``markup``: the caller judges the extracted text).
    Decoded text full of control characters is a binary file too. ``complete=False`` says ``data`` is a
    prefix of the file (a multi-byte character cut at its end is dropped, not an error).
    """
    final = complete
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            if encoding.startswith("utf-32") and len(body) % 4 and complete:
                continue  # FF FE 00 00 + a tail that is not whole UTF-32 units: try it as UTF-16 LE
            try:
                text = _decode_as(body, encoding, final)
            except UnicodeDecodeError as exc:
                raise UnreadableFileError(
                    name, f"cannot decode: {encoding.upper()} BOM but invalid {encoding.upper()} at byte {exc.start + len(bom)}"
                ) from None
            if _controls_are_binary(text):
                raise UnreadableFileError(name, "binary file (control characters)")
            return text, encoding + "-bom" if encoding == "utf-8" else encoding
    if b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is not None:
            try:
                text = _decode_as(data, encoding, final)
            except UnicodeDecodeError:
                text = None
            if text is not None and not _controls_are_binary(text):
                return text, encoding
        raise UnreadableFileError(name, "binary file (NUL bytes)")
    try:
        text = _decode_as(data, "utf-8", final)
    except UnicodeDecodeError:
        text = _mostly_utf8(data, final)
        if text is not None and not _controls_are_binary(text):
            return text, _REPLACED
    else:
        if _controls_are_binary(text):
            raise UnreadableFileError(name, "binary file (control characters)")
        return text, "utf-8"
    text, encoding = None, "cp1252"
    declared_name = _charset(declared)
    if declared_name:
        # A page declaring latin-1/ascii is cp1252 in practice (browsers do the same).
        if declared_name != "utf-8" and declared_name not in _WESTERN:
            if not declared_name.startswith("utf-16") and not declared_name.startswith("utf-32"):
                try:
                    text, encoding = _decode_as(data, declared_name, final), declared_name
                except (UnicodeDecodeError, TypeError, ValueError):
                    pass
    guessed = text is None
    if guessed:
        text = _windows_1252(data)
    if _controls_are_binary(text):
        raise UnreadableFileError(name, "binary file (control characters)")
    why = _not_western(text) if guessed and not markup and declared_name not in _WESTERN else None
    if why:
        raise UnreadableFileError(name, why)
    return text, encoding


def _charset(declared: str | None) -> str | None:
    """The codec name of a declared charset, None when there is none or Python knows none by that name."""
    if not declared:
        return None
    try:
        info = codecs.lookup(declared)
    except (LookupError, TypeError, ValueError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


_REPLACED = "utf-8 (bytes that are not UTF-8 replaced)"


def _replaced(text: str, data: bytes) -> int:
    """How many U+FFFD of text decoding data made (those data spelled out were there already)."""
    return text.count("\ufffd") - data.count("\ufffd".encode())


def _mostly_utf8(data: bytes, final: bool) -> str | None:
    """UTF-8 text with bytes that are not (a stray byte in a crawled page, cp1252 quotes pasted in), those bytes as
    U+FFFD; None when the invalid bytes are not outnumbered by valid multi-byte characters: a cp1252 file, whose é
    is one byte, makes a valid UTF-8 sequence only by chance ("Ã©")."""
    text, good, bad = _as_utf8(data, final)
    return text if good > bad else None


def _as_utf8(data: bytes, final: bool) -> tuple[str, int, int]:
    """The bytes read as UTF-8, those that are not as U+FFFD; how many valid multi-byte characters it holds, and how
    many bytes were not UTF-8."""
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(data, final)
    bad = _replaced(text, data)
    return text, len(text) - len(text.encode("ascii", "ignore")) - bad, bad  # (the characters that are not ASCII)


def _read_prefix(path: str, max_bytes: int | None, compressed: bool = False) -> tuple[bytes, bool]:
    """The file's bytes (decompressed: a .gz file), at most ``max_bytes`` of them; the flag says the whole file was read."""
    with gzip.open(path, "rb") if compressed else open(path, "rb") as f:
        if max_bytes is None:
            return f.read(), True
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        return data[:max_bytes], False
    return data, True


def read_text_file(path: str | os.PathLike) -> str:
    """The text of a file, decoded (see ``decode_bytes``).

    Raises ``UnreadableFileError`` (a ``ValueError``) naming the file and the reason when the bytes are
    not text; ``OSError`` (``FileNotFoundError``, ``PermissionError``...) when the file cannot be read.
    """
    name = os.fspath(path)
    data, _ = _read_prefix(name, None)
    return decode_bytes(data, name=str(name))[0]


# -- text helpers -----------------------------------------------------------------------------------


def _truncate(text: str, max_chars: int) -> tuple[str, bool]:
    """Cut ``text`` to at most ``max_chars``, at the last whitespace in the final stretch if there is one."""
    if len(text) <= max_chars:
        return text, False
    if not text[:max_chars].strip():  # leading whitespace would leave nothing: drop it first
        return _truncate(text.lstrip(), max_chars)[0], True
    window_start = max(0, max_chars - min(_TRUNCATE_WINDOW, max_chars // 10 + 1))
    cut = max_chars
    for i in range(max_chars, window_start - 1, -1):
        if i < len(text) and text[i].isspace():
            cut = i
            break
    return text[:cut].rstrip(), True


def without_surrogates(value: str) -> str:
    """Lone surrogates (from JSON "\\ud800" escapes or undecodable file names) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def display_path(path: str) -> str:
    """A path for use inside a reason: undecodable bytes of file names shown as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace") if _SURROGATE.search(path) else path


# Controls, and the characters that reorder or break a line as a terminal shows it (bidirectional embeddings,
# overrides and isolates, as in "Trojan Source" names; the Unicode line and paragraph separators). The marks
# (U+200E, U+200F, U+061C) that right-to-left text carries are left as they are: they reorder nothing.
_SHOWN_AS_CODES = re.compile("[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")


def visible(t: str) -> str:
    """t for a terminal: control characters (escape sequences, a newline inside an id) shown as \\xNN, and those
    that reorder or break what follows them as \\uNNNN."""
    return _SHOWN_AS_CODES.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", t)


_SHOWN_CODE = re.compile(r"\\x([0-9a-f]{2})|\\u([0-9a-f]{4})")


def from_visible(t: str) -> str:
    """visible(t) read back: an id copied from a terminal (a newline shown as \\x0a) as it is stored; a code of a
    character visible() leaves as it is stays a code."""
    return _SHOWN_CODE.sub(lambda m: c if _SHOWN_AS_CODES.fullmatch(c := chr(int(m.group(1) or m.group(2), 16))) else m.group(), t)


def _empty_reason(raw_is_empty: bool) -> str:
    return "empty file" if raw_is_empty else "empty file (whitespace only)"


# -- the reader ---------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, max_chars: int, sizing: bool = False) -> None:
        if max_chars < 1:
            raise ValueError(f"max_chars must be positive, got {max_chars}")
        self.max_chars = max_chars
        # Bytes read of a text file: enough for max_chars characters in any encoding (4 bytes each at most).
        self.text_max_bytes = max_chars * 4 + 16
        # HTML carries markup: read more of it before cutting.
        self.html_max_bytes = max(max_chars * 16, 64 * 2**20)
        self.line_max_bytes = max(max_chars * 8, 64 * 2**20)
        self.seen: dict[str, str] = {}  # id -> where it was first read
        self.visited: dict[str, str] = {}  # real path of a folder -> the path it was read as
        self.files: dict[tuple[int, int], str] = {}  # (device, inode) of a file -> the path it was read as
        self.names: dict[str, str] = {}  # several sources: the name each gives its articles' ids (_source_names)
        self.roots: list[str] = []  # real paths of the folders given: what a link inside them leads to is read there
        self.sizing = sizing  # walk only: add up the sizes of the files a read would take, read none (Sources.total_bytes)
        self.done_bytes = 0  # the sizes of the files read whole so far
        self.open_lines: BinaryIO | None = None  # the JSON Lines file being read (how far into it: its position)

    # -- ids ------------------------------------------------------------------------------
    def _claim(self, article: Article, where: str, record: str | None = None) -> Article | Skipped:
        """The article, or Skipped when an earlier one had its id; record names it within its file ("JSONL line 3")."""
        first = self.seen.get(article.id)
        if first is not None:
            return Skipped(article.path or where, f"{record + ': ' if record else ''}duplicate id {article.id!r} (first at {first})", article.line)
        self.seen[article.id] = where
        return article

    # -- walking ----------------------------------------------------------------------------
    def sources(self, sources: list) -> Iterator[Article | Skipped]:
        paths = [_path_or_none(s) for s in sources]
        reals = {p: os.path.realpath(p) for p in paths if p}
        folders: dict[str, str] = {}  # real path of a folder given -> the path it was first given as
        for p in paths:
            if p and os.path.isdir(p):
                folders.setdefault(reals[p], p)
        self.roots = list(folders)
        # A source that a folder given walks into is read there, whichever comes first: an article's id does not
        # depend on the order of the arguments (`scan news/a.txt news` and `scan news news/a.txt` read news/a.txt).
        inside = {p: folders[root] for p in paths if p and (root := self._walked_into(reals[p]))}
        own = [s for s, p in zip(sources, paths) if p not in inside]
        distinct = {reals.get(p, p) for p in map(_path_or_none, own)}  # (a source given twice is read once: `scan news news` gives the ids `scan news` gives)
        self.names = _source_names(own) if len(distinct) > 1 else {}
        for source, path in zip(sources, paths):
            if path in inside:
                yield Skipped(path, f"inside {display_path(inside[path])!r}, also given: read there", covered=True)
            else:
                yield from self.source(source)

    def _walked_into(self, real: str) -> str | None:
        """The outermost folder given whose walk reads this path (below it, through no hidden folder or file)."""
        for root in sorted(self.roots, key=len):
            parts = _below(real, root)
            if parts and not any(part.startswith(".") for part in parts):
                return root
        return None

    def source(self, source) -> Iterator[Article | Skipped]:
        try:
            path = os.fsdecode(source)
        except TypeError:
            yield Skipped(repr(source), f"not a path: {type(source).__name__}")
            return
        if path == "":
            yield Skipped(path, "not found (empty path)")
            return
        try:
            st = os.stat(path)
        except OSError as exc:
            yield Skipped(path, _stat_error(path, exc))
            return
        if not stat.S_ISDIR(st.st_mode):
            # A single file is read whatever its name (even hidden): the user asked for it.
            yield from self._file_once(path, self.names.get(path) or os.path.basename(path.rstrip("/" + os.sep)) or path, st)
            return
        real = os.path.realpath(path)
        if real in self.visited:
            yield Skipped(path, f"already read as {display_path(self.visited[real])!r}", covered=True)
        else:
            self.visited[real] = path
            yield from self.folder(path, (self.names[path],) if path in self.names else (), {real}, self.visited)

    def folder(self, path: str, rel: tuple[str, ...], ancestors: set[str], visited: dict[str, str]):
        try:
            with os.scandir(path) as it:
                names = sorted(entry.name for entry in it)
        except PermissionError:
            yield Skipped(path, "permission denied (cannot list folder)")
            return
        except OSError as exc:
            yield Skipped(path, f"cannot list folder: {exc.strerror or exc}")
            return
        listed = set(names)
        for name in names:
            child = os.path.join(path, name)
            child_rel = (*rel, name)
            try:
                st = os.stat(child)
            except OSError as exc:
                yield Skipped(child, _stat_error(child, exc))
                continue
            if stat.S_ISDIR(st.st_mode):
                if name.startswith("."):
                    yield Skipped(child, "hidden folder (not scanned)")
                    continue
                real = os.path.realpath(child)
                if real in ancestors:
                    yield Skipped(child, f"symlink loop (points back to {display_path(visited.get(real, real))!r})")
                    continue
                if os.path.islink(child) and self._inside_roots(real):
                    yield Skipped(child, f"link to {display_path(real)!r}, a folder scanned under its own path (reported there)")
                    continue
                if real in visited:
                    yield Skipped(child, f"folder already scanned as {display_path(visited[real])!r}")
                    continue
                visited[real] = child
                yield from self.folder(child, child_rel, ancestors | {real}, visited)
                continue
            if name.startswith("."):
                yield Skipped(child, "hidden file")
                continue
            if os.path.islink(child) and self._inside_roots(real := os.path.realpath(child)):
                yield Skipped(child, f"link to {display_path(real)!r}, a file scanned under its own path (reported there)")
                continue
            if name.endswith(".gz") and article_extension(name)[0] and name[:-3] in listed and os.path.isfile(child[:-3]):
                yield Skipped(child, f"a compressed copy of {display_path(name[:-3])!r} beside it, which is read")  # (a server's story.html.gz)
                continue
            yield from self._file_once(child, "/".join(child_rel), st)

    def _inside_roots(self, real: str) -> bool:
        """Whether a link's target is under a folder given: it is read there under its own path, so an article's
        id does not depend on which of the two paths the walk meets first."""
        return any(real == root or _below(real, root) for root in self.roots)

    def _file_once(self, path: str, file_id: str, st: os.stat_result) -> Iterator[Article | Skipped]:
        """file(), unless this file was read already (given on its own as well, or reached through a link): known
        by its device and inode, which the stat already holds."""
        first = self.files.get((st.st_dev, st.st_ino))
        if first is not None:
            yield Skipped(path, f"already read as {display_path(first)!r}")
            return
        self.files[st.st_dev, st.st_ino] = path
        yield from self.file(path, file_id, st)

    # -- files ------------------------------------------------------------------------------
    def file(self, path: str, file_id: str, st: os.stat_result) -> Iterator[Article | Skipped]:
        if not stat.S_ISREG(st.st_mode):
            yield Skipped(path, f"not a regular file ({file_kind(st.st_mode)})")
            return
        ext, compressed = article_extension(path)
        if ext is None and not compressed and _page_name(path) and _saved_page(path):  # (a mirror's story.php?id=7)
            ext = ".html"
        if ext is None:
            last = os.path.splitext(path)[1].lower()
            yield Skipped(path, "unsupported file type '.gz': a gzip-compressed file is read when its name is an article file's and .gz (news.jsonl.gz, story.html.gz)"
                          if compressed else f"unsupported file type {last!r}" if last else "unsupported file type (no extension)")
            return
        if self.sizing:
            self.done_bytes += st.st_size
            return
        file_id = display_path(file_id)  # an undecodable byte in a file name shows as \xNN in the id
        try:
            if ext in JSONL_EXTENSIONS:
                yield from self.jsonl(path, compressed)
            elif ext in JSON_EXTENSIONS:
                yield from self.json(path, file_id, st, compressed)
            else:
                yield from self.document(path, file_id, ext, compressed)
        except gzip.BadGzipFile:
            yield Skipped(path, "not gzip-compressed, though its name ends in .gz")
        except (EOFError, zlib.error) as exc:  # (the records read before the damage are kept)
            yield Skipped(path, f"damaged gzip file, read up to the damage: {exc}")
        except PermissionError:
            yield Skipped(path, "permission denied")
        except IsADirectoryError:
            yield Skipped(path, "not a regular file (directory)")
        except OSError as exc:
            yield Skipped(path, f"cannot read: {exc.strerror or exc}")
        except MemoryError:
            yield Skipped(path, "out of memory reading file")
        finally:
            self.done_bytes += st.st_size

    def document(self, path: str, file_id: str, ext: str, compressed: bool = False) -> Iterator[Article | Skipped]:
        is_html = ext in HTML_EXTENSIONS
        data, complete = _read_prefix(path, self.html_max_bytes if is_html else self.text_max_bytes, compressed)
        if not is_html and _starts_like_a_page(data):  # (a page saved as .txt: its text is the article, not its markup)
            is_html = True
            if not complete:
                data, complete = _read_prefix(path, self.html_max_bytes, compressed)
        for article in self.from_bytes(data, complete, path, file_id, is_html):
            if ext in (".md", ".markdown") and not is_html and isinstance(article, Article):
                heading = _ATX_HEADING.match(article.text)
                article = replace(article, title=heading.group(1)) if heading else article
            yield article

    def from_bytes(self, data: bytes, complete: bool, path: str, file_id: str, is_html: bool) -> Iterator[Article | Skipped]:
        """The article in a text or HTML file's bytes (complete: the whole file, not a prefix)."""
        if not data.strip():  # all-whitespace bytes (ASCII-compatible); UTF-16 blanks are caught below
            yield Skipped(path, _empty_reason(not data))
            return
        declared = None
        if is_html:  # (a <meta> after kilobytes of inline style still counts, as browsers re-read the page for it)
            m = _META_CHARSET.search(data[:_CHARSET_WITHIN]) or _XML_ENCODING.match(data)
            declared = m.group(1).decode("ascii") if m else None
        try:
            text, encoding = decode_bytes(data, name=path, complete=complete, declared=declared, markup=is_html)
        except UnreadableFileError as exc:
            yield Skipped(path, exc.reason)
            return
        replaced = _replaced(text, data) if encoding == _REPLACED else 0
        mixed = _as_utf8(data, complete)[1] if encoding == "cp1252" else 0  # (UTF-8 characters that read as mojibake)
        meta: dict[str, str] = {}
        if is_html:
            text, meta = html_to_text(text)
            if not text.strip():
                yield Skipped(path, "empty: no text in HTML")
                return
            why = _not_western(text) if encoding == "cp1252" and _charset(declared) not in _WESTERN else None
            if why:  # (judged on the page's text, not its markup)
                yield Skipped(path, why)
                return
        elif not text.strip():
            yield Skipped(path, _empty_reason(not text))
            return
        text, truncated = _truncate(text, self.max_chars)
        article = Article(
            id=file_id,
            text=text,
            title=meta.get("title"),
            url=meta.get("url"),
            source=meta.get("source"),
            published=meta.get("published"),
            path=path,
            truncated=truncated or not complete,
            replaced=replaced,
            mixed=mixed,
        )
        yield self._claim(article, display_path(path))

    def json(self, path: str, file_id: str, st: os.stat_result, compressed: bool = False) -> Iterator[Article | Skipped]:
        data, whole = (b"", False) if st.st_size > _JSON_MAX_BYTES else _read_prefix(path, _JSON_MAX_BYTES, compressed)
        if not whole:
            yield Skipped(path, f"JSON file too large to parse whole (over {_JSON_MAX_BYTES:,} bytes{' decompressed' * compressed}); use JSONL")
            return
        if not data.strip():
            yield Skipped(path, _empty_reason(not data))
            return
        try:
            text, encoding = decode_bytes(data, name=path, markup=True)
        except UnreadableFileError as exc:
            yield Skipped(path, exc.reason)
            return
        if not text.strip():
            yield Skipped(path, _empty_reason(not text))
            return
        try:
            value = json.loads(text)
        except RecursionError:
            yield Skipped(path, "invalid JSON (nested too deeply)")
            return
        except ValueError as exc:
            lines = getattr(exc, "msg", "") == "Extra data" and getattr(exc, "colno", 0) == 1
            yield Skipped(path, f"invalid JSON ({exc}){'; one JSON value a line is JSON Lines: name the file .jsonl' if lines else ''}")
            return
        yield from self.json_value(value, encoding, path, file_id)

    def json_value(self, value: object, encoding: str, path: str, file_id: str) -> Iterator[Article | Skipped]:
        """The articles in a parsed JSON document: one object, an array of them, or {"articles": [...]}."""
        if isinstance(value, dict) and {"summary", "clusters", "links", "unique"} <= value.keys() and "text" not in value:
            yield Skipped(path, "a dedup scan report (--format json), not articles")
            return
        if isinstance(value, dict) and "text" not in value and "articles" in value:
            if not isinstance(value["articles"], list):
                yield Skipped(path, f"JSON: 'articles' should be an array of objects; got {_json_type(value['articles'])}")
                return
            value = value["articles"]
        records = value if isinstance(value, list) else [value]
        why = None if encoding != "cp1252" else _not_western(" ".join(r["text"] for r in records if isinstance(r, dict) and isinstance(r.get("text"), str)))
        if why:  # (judged on the records' texts, not their keys and URLs)
            yield Skipped(path, why)
            return
        if isinstance(value, dict):
            # One article per file: its id may be omitted (then the file's id, as for a text file).
            result = self._record(value, path, None, "JSON", default_id=file_id)
            yield result if isinstance(result, Skipped) else self._claim(result, display_path(path))
        elif isinstance(value, list):
            if not value:
                yield Skipped(path, "empty JSON array (no records)")
            for index, record in enumerate(value, 1):
                result = self._record(record, path, None, f"JSON record {index}")
                yield result if isinstance(result, Skipped) else self._claim(result, f"{display_path(path)}[record {index}]", f"JSON record {index}")
        else:
            yield Skipped(
                path,
                f"JSON: expected an object with 'text', an array of objects, or {{\"articles\": [...]}}; "
                f"got {_json_type(value)}",
            )

    def jsonl(self, path: str, compressed: bool = False) -> Iterator[Article | Skipped]:
        with open(path, "rb") as raw:
            self.open_lines = raw  # (its position is the progress: in a .gz file, of the compressed bytes)
            try:
                yield from self._jsonl(gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw, path)
            finally:
                self.open_lines = None

    def _jsonl(self, raw: BinaryIO, path: str) -> Iterator[Article | Skipped]:
        """The records of an open JSON Lines file, in UTF-8 (or cp1252 line by line), or UTF-16/32 by its BOM."""
        head = raw.read(8192)
        raw.seek(0)
        if not head:
            yield Skipped(path, "empty file")
            return
        encoding = None
        for bom, name in _BOMS:
            if head.startswith(bom):
                encoding = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}.get(name, "utf-32")
                break
        if encoding is None and b"\x00" in head:
            encoding = _utf16_without_bom(head[: len(head) & ~1])
            if encoding is None:
                yield Skipped(path, "binary file (NUL bytes)")
                return
        if encoding is None or encoding == "utf-8-sig":
            if encoding:
                raw.read(len(codecs.BOM_UTF8))
            lines = _byte_lines(raw, self.line_max_bytes)
        else:
            lines = _text_lines(io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="\n"), self.line_max_bytes)
        yield from self.jsonl_lines(lines, path)

    def jsonl_lines(self, lines: Iterator[tuple[int, str | Skipped, int]], path: str) -> Iterator[Article | Skipped]:
        """The articles in JSON Lines, from (line number, line, bytes replaced) as _byte_lines gives them."""
        records = 0
        for number, line, replaced in lines:
            if isinstance(line, Skipped):
                yield Skipped(path, f"JSONL line {number}: {line.reason}", number)
                if line.line == -1:  # the rest of the file cannot be read
                    return
                records += 1
                continue
            line = line.rstrip("\r\n")
            if not line.strip():
                continue  # blank lines separate nothing and carry nothing
            records += 1
            try:
                value = json.loads(line)
            except RecursionError:
                yield Skipped(path, f"JSONL line {number}: invalid JSON (nested too deeply)", number)
                continue
            except ValueError as exc:
                if records == 1 and _one_json_value(path):
                    yield Skipped(path, "one JSON value over many lines (pretty-printed JSON), not JSON Lines: name the file .json, or write one object a line")
                    return
                yield Skipped(path, f"JSONL line {number}: invalid JSON ({_short(str(exc))})", number)
                continue
            if records == 1 and isinstance(value, dict) and value.get("type") == "summary" and {"articles", "clusters", "links"} <= value.keys() and "text" not in value:
                yield Skipped(path, "a dedup scan report (--format jsonl), not articles", number)  # (its first line)
                return
            result = self._record(value, path, number, f"JSONL line {number}")
            if isinstance(result, Skipped):
                yield result
            else:
                yield self._claim(replace(result, replaced=replaced) if replaced else result, f"{display_path(path)}:{number}", f"JSONL line {number}")
        if records == 0:
            yield Skipped(path, "empty file (no records, only blank lines)")

    def piped_json(self, data: bytes, name: str) -> list[Article | Skipped] | None:
        """The records of JSON (one document) or JSON Lines (a JSON object on its first line) piped in; None when the
        bytes are neither: a text that begins with a bracket ("[Updated] …") is an article like any other."""
        if len(data) > _JSON_MAX_BYTES:
            return [Skipped(name, f"over {_JSON_MAX_BYTES:,} bytes of JSON piped in: save them as a .jsonl file and give its name")]
        try:
            text, encoding = decode_bytes(data, name=name, markup=True)
        except UnreadableFileError:
            return None
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            try:
                first = json.loads(text.lstrip().split("\n", 1)[0])
            except (ValueError, RecursionError):
                return None
            if not isinstance(first, dict):
                return None
            return list(self.jsonl_lines(_byte_lines(io.BytesIO(data.removeprefix(codecs.BOM_UTF8)), self.line_max_bytes), name))
        return list(self.json_value(value, encoding, name, name)) if isinstance(value, (dict, list)) else None

    def _record(self, value, path: str, line: int | None, where: str, default_id: str | None = None) -> Article | Skipped:
        """A JSON object as an Article, or the reason it is not one."""

        def skip(reason: str) -> Skipped:
            return Skipped(path, f"{where}: {reason}", line)

        if not isinstance(value, dict):
            return skip(f"expected a JSON object, got {_json_type(value)}")
        if "id" not in value or value["id"] is None:
            if default_id is None:
                return skip(f"missing 'id'{_fields_of(value, 'id')}")
            raw_id = default_id
        else:
            raw_id = value["id"]
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
            return skip(f"'id' must be a string or an integer, got {_json_type(raw_id)}")
        article_id = without_surrogates(str(raw_id))
        if not article_id.strip():
            return skip("empty 'id'")
        if raw_id is not default_id:  # (a record's own id: what its writer can look it up by)
            where = f"{where} (id {visible(article_id)!r})"
        if "text" not in value or value["text"] is None:
            return skip(f"{'missing' if 'text' not in value else 'null'} 'text'{_fields_of(value, 'text')}")
        text = value["text"]
        if not isinstance(text, str):
            return skip(f"'text' must be a string, got {_json_type(text)}")
        if not text.strip():
            return skip("empty 'text'")
        optional: dict[str, str | None] = {}
        for field in _OPTIONAL_FIELDS:
            field_value = value.get(field)
            if field == "published" and isinstance(field_value, dict) and list(field_value) == ["$date"]:
                field_value = _mongo_date(field_value["$date"])  # MongoDB's export of a date
            if isinstance(field_value, (int, float)) and not isinstance(field_value, bool):  # as ids are
                if field != "published":
                    field_value = str(field_value)
                elif field_value <= 0:
                    field_value = None  # (the placeholder many exports write for no date: as 1970, its article would be every story's earliest)
                else:
                    field_value = _unix_date(field_value) or str(field_value)
            if field_value is not None and not isinstance(field_value, str):
                field_value = json.dumps(field_value, ensure_ascii=False)  # kept as its JSON text (a date that is not one: a warning)
            optional[field] = without_surrogates(field_value) if field_value and field_value.strip() else None
        text, truncated = _truncate(without_surrogates(text), self.max_chars)
        return Article(id=article_id, text=text, path=path, line=line, truncated=truncated, **optional)


def _fields_of(record: dict, wanted: str) -> str:
    """What a record that lacks the field `wanted` holds instead, so that its writer can rename ('maintext' or
    'body' is dedup's 'text'): the field with its longest text, or its fields; or where the records are when they
    sit under another key."""
    lists = [key for key, item in record.items() if isinstance(item, list) and item and all(isinstance(x, dict) for x in item)]
    if lists and "text" not in record:
        key = lists[0]
        return (f" (its '{visible(str(key))}' is an array of {len(record[key]):,} objects: dedup reads the records of an"
                " array, or of one under 'articles')")
    if not record.keys() - {"id", "text", *_OPTIONAL_FIELDS}:
        return ""  # (nothing under another name)
    texts = [(len(item), key) for key, item in record.items() if isinstance(item, str) and key != "id"]
    if wanted == "text" and texts and max(texts)[0] >= 200:
        size, key = max(texts)
        return f" (its longest text, {size:,} characters, is its '{visible(str(key))}': dedup reads an article's text from 'text')"
    names = [f"'{visible(str(key))}'" for key in list(record)[:8]]
    return f" (its fields: {', '.join(names)}{', …' if len(record) > 8 else ''}; dedup reads 'id', 'text', and optionally 'title', 'url', 'source', 'published')"


def _one_json_value(path: str) -> bool:
    """Whether a file is one JSON object or array as a whole (small enough to parse whole)."""
    try:
        if os.path.getsize(path) > _JSON_MAX_BYTES:
            return False
        with open(path, "rb") as raw:
            return isinstance(json.loads(raw.read().decode("utf-8-sig")), (dict, list))
    except (OSError, ValueError, RecursionError):
        return False


def _unix_date(value: float) -> str | None:
    """ISO 8601 of a number above 0 given as a date: Unix seconds, or milliseconds when it is too large to be
    seconds (after the year 5138, as JavaScript's Date.now() and many exports give it); None when out of range."""
    return iso_from_unix(value / 1000 if value >= 1e11 else value)


def _mongo_date(value: object) -> object:
    """The date in MongoDB's {"$date": …}: an ISO string as it is; milliseconds since 1970, bare or as
    {"$numberLong": "…"} (its canonical form), as ISO 8601; anything else as it is (a warning later)."""
    if isinstance(value, dict) and list(value) == ["$numberLong"] and isinstance(value["$numberLong"], str):
        try:
            value = int(value["$numberLong"])
        except ValueError:
            return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (iso_from_unix(value / 1000) if value > 0 else None) or value
    return value


def _byte_lines(raw, limit: int):
    """(line number, decoded line, bytes replaced) from a binary stream, one line in memory at a time. Each line is
    UTF-8 (with a rare byte that is not read as U+FFFD), or cp1252 as browsers read it if it is not; a line longer than ``limit``
    bytes comes out as a Skipped."""
    number = 0
    while True:
        line = raw.readline(limit)
        if not line:
            return
        number += 1
        if len(line) >= limit and not line.endswith(b"\n"):
            size = len(line)
            while True:  # skip the rest of the over-long line
                more = raw.readline(limit)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield number, Skipped("", f"line too long ({size} bytes, limit {limit})"), 0
            continue
        try:
            yield number, line.decode("utf-8"), 0
        except UnicodeDecodeError:
            mostly = _mostly_utf8(line, True)
            if mostly is not None:
                yield number, mostly, _replaced(mostly, line)
                continue
            text = _windows_1252(line)
            why = _not_western(_json_text(text))
            yield number, (Skipped("", why) if why else text), 0


def _text_lines(stream, limit: int):
    """(line number, line, 0) from a text stream (UTF-16/32 JSONL); a decoding error ends the file."""
    number = 0
    while True:
        try:
            line = stream.readline(limit)
        except UnicodeDecodeError as exc:
            yield number + 1, Skipped("", f"cannot decode as {exc.encoding}; rest of file not read", -1), 0
            return
        if not line:
            return
        number += 1
        if len(line) >= limit and not line.endswith("\n"):
            try:
                while True:
                    more = stream.readline(limit)
                    if not more or more.endswith("\n"):
                        break
            except UnicodeDecodeError:
                pass
            yield number, Skipped("", f"line too long (over {limit} characters)"), 0
            continue
        yield number, line, 0


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number" if isinstance(value, int) else "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


def file_kind(mode: int) -> str:
    """What a file that is not a regular file or folder is, in a word or two."""
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def _stat_error(path: str, exc: OSError) -> str:
    import errno

    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(exc, FileNotFoundError):
        return "broken symlink" if os.path.islink(path) else "not found"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"


def _page_name(path: str) -> bool:
    """Whether a file name can be a saved page's: none of an extension, a query (story.php?id=7) or a server
    script's (.php .asp .aspx .jsp .cfm .shtml …); not a backup's (story.html.orig, .bak, ~)."""
    name = os.path.basename(path)
    if name.endswith("~") or os.path.splitext(name)[1].lower() in (".orig", ".bak", ".old", ".tmp", ".swp"):
        return False
    ext = os.path.splitext(name.split("?", 1)[0])[1].lower()
    return "?" in name or ext in _PAGE_SCRIPTS or not ext


_PAGE_SCRIPTS = frozenset({".php", ".php3", ".php5", ".phtml", ".asp", ".aspx", ".jsp", ".jspx", ".cfm", ".shtml", ".shtm", ".cgi", ".pl", ".do", ".action"})


def _saved_page(path: str) -> bool:
    """Whether a file of no article type starts like an HTML page (a file that cannot be opened is not one: reading
    it says why, if it is an article file)."""
    try:
        with open(path, "rb") as f:
            return _starts_like_a_page(f.read(16384))
    except OSError:
        return False


def _starts_like_a_page(data: bytes) -> bool:
    """Whether bytes begin as an HTML page does, after blanks, a UTF-8 BOM, an XML prolog or comments (a browser's
    "saved from url"): <!DOCTYPE html>, or an <html> tag that another tag follows (prose may begin with "<html> is").
    A UTF-16 or UTF-32 page (as Windows may save one) is looked at in its first 4,096 characters."""
    head = data[:4096]
    bom, wide = next(((bom, encoding) for bom, encoding in _BOMS if head.startswith(bom)), (b"", None))
    if wide is None and b"\0" in head:
        wide = _utf16_without_bom(head)
    if wide and wide != "utf-8":  # (a UTF-8 BOM: the pattern takes it)
        head = data[len(bom) : len(bom) + 4096 * (4 if "32" in wide else 2)].decode(wide, "replace").encode("utf-8")
    return re.match(rb"(\xef\xbb\xbf)?(\s*(<\?xml[^>]*>|<!--.*?-->))*\s*(<!doctype\s+html|<html(\s[^>]*)?>\s*<)", head, re.IGNORECASE | re.DOTALL) is not None


def read_stream(name: str, stream: BinaryIO, max_chars: int = 2_000_000) -> list[Article | Skipped]:
    """What a pipe or standard input holds: JSON or JSON Lines records when it is that (as a .json or .jsonl file's
    are read), else one article read as a text file's bytes are (an HTML page when it starts like one), up to what
    max_chars may need, its id name."""
    reader = _Reader(max_chars)
    data = stream.read(reader.html_max_bytes + 1)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        if len(data) > reader.html_max_bytes:
            data += stream.read(max(_JSON_MAX_BYTES + 1 - len(data), 0))
        records = reader.piped_json(data, name)
        if records:
            return records
    page = _starts_like_a_page(data)
    limit = reader.html_max_bytes if page else reader.text_max_bytes
    return [next(reader.from_bytes(data[:limit], len(data) <= limit, name, name, page))]


def read_sources(sources: Iterable[str | os.PathLike], max_chars: int = 2_000_000) -> Iterator[Article | Skipped]:
    """Articles from folders (walked recursively, sorted) and files, each bad input as a ``Skipped``.

    Supported: ``.txt``/``.md`` (text as is), ``.html``/``.htm`` (article text extracted), ``.json`` (one
    object, an array of objects, or ``{"articles": [...]}``) and ``.jsonl`` (an object per line), with
    fields ``id``, ``text`` and optional ``title``, ``url``, ``source``, ``published``. A plain file's id is
    its path relative to the folder given, after the folder's name when several sources are given (a file
    given: its name). An id seen before in this call is skipped, naming where it was first read, and so is a
    folder or file read before (sources that overlap). Text longer than ``max_chars`` is cut at a
    whitespace near the limit and flagged ``truncated``.
    """
    return iter(Sources(sources, max_chars))


class Sources:
    """read_sources' articles, and how far the reading has got in bytes: what a progress bar can measure before
    the end (a JSON Lines file of a million records is one file). One walk: iterating again goes on where it stopped."""

    def __init__(self, sources: str | os.PathLike | Iterable[str | os.PathLike], max_chars: int = 2_000_000) -> None:
        self.sources = [sources] if isinstance(sources, (str, bytes, os.PathLike)) else list(sources)
        self._reader = _Reader(max_chars)
        self._walk: Iterator[Article | Skipped] | None = None

    def __iter__(self) -> Iterator[Article | Skipped]:
        if self._walk is None:
            self._walk = self._reader.sources(self.sources)
        return self._walk

    def total_bytes(self) -> int:
        """The sizes of the files a read takes, added up in a walk of the folders that reads no file."""
        sizing = _Reader(self._reader.max_chars, sizing=True)
        for _ in sizing.sources(self.sources):
            pass
        return sizing.done_bytes

    def read_bytes(self) -> int:
        """The bytes read so far: the files done, and the position in the JSON Lines file being read."""
        lines = self._reader.open_lines
        return self._reader.done_bytes + (lines.tell() if lines is not None else 0)


def _below(real: str, root: str) -> list[str]:
    """The parts of real's path below the folder root (both real paths); none when it is not below it."""
    top = root.rstrip(os.sep) + os.sep
    return real[len(top) :].split(os.sep) if real.startswith(top) else []


def _path_or_none(source: object) -> str | None:
    """A source as a path string; None for one that is not a path (reported as skipped when read)."""
    try:
        return os.fsdecode(source)
    except TypeError:
        return None


def _source_names(sources: list) -> dict[str, str]:
    """The name each of several sources puts before its articles' ids: a folder's own name, a file's name; where
    two sources share a name (crawl-a/articles, crawl-b/articles), each takes its path instead, so that no
    article's id is taken by another's."""
    names: dict[str, str] = {}
    for path in map(_path_or_none, sources):
        if path:
            names[path] = os.path.basename(os.path.realpath(path)) if os.path.isdir(path) else os.path.basename(path.rstrip("/" + os.sep))
    clashing = Counter(names.values())
    for path, name in names.items():
        if clashing[name] > 1:
            real = os.path.realpath(path)
            relative = os.path.relpath(real)
            names[path] = display_path(real if relative.startswith("..") or relative == "." else relative)
    return names
