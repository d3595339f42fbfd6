"""Where an index lives: a small storage interface and its SQLite implementation (no server, transactional)."""
from __future__ import annotations

import json
import os
import shlex
import sqlite3
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

from .read import file_kind


FORMAT = "dedup-index"
VERSION = 8  # 2: token hashes are xxh64 of UTF-32 (compiled scanner); 3: features hold their distinct terms;
# 4: stored band tables, line hashes of each article, removed articles kept for the counts; 5: the boilerplate
# table also counts the sentences of each article's first and last lines; 6: removed articles' terms and lines in
# a table of their own, kept until the saved counts include them; the checksum covers the metadata; 7: stored band
# tables come with the prefilter (term signatures' low bytes); 8: features count words as people do ("BA117" one)
ARTICLES_SINCE = 7  # the oldest version whose articles (id, metadata, text, checksum) this one reads, to rebuild from


class IndexFileError(Exception):
    """An index file cannot be used: not a dedup index, another format version, corrupt, or locked."""


def damaged_article(path: str, article_id: str, why: Exception) -> IndexFileError:
    """The error for a stored article that no longer reads, with what clears it."""
    return IndexFileError(f"{path}: article {article_id!r} is damaged ({why}); remove it (`dedup index remove`) and add it again,"
                          " or rebuild the index (`dedup index build`); `dedup index check` lists every damaged article")


@dataclass
class Record:
    """One stored article: what the engine needs to check against it and to show it again."""

    row: int
    id: str
    metadata: dict
    text: str
    features: bytes
    near_sig: bytes
    term_sig: bytes
    near_keys: bytes
    term_keys: bytes
    lines: bytes  # the article's distinct line hashes (uint64), for the boilerplate counts


class Store(Protocol):
    """What the engine asks of storage; a Redis or distributed store implements the same calls."""

    path: str  # where the index lives, as messages name it
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def put(self, records: list[Record]) -> list[int]: ...
    def delete(self, article_id: str) -> int | None: ...
    def get(self, article_id: str) -> Record | None: ...
    def counted(self, article_id: str) -> tuple[int, bytes, bytes] | None: ...
    def contents(self, rows: list[int]) -> list[tuple[int, str, bytes, bytes, bytes]]: ...
    def candidates(self, rows: list[int]) -> list[tuple[int, str, bytes, bytes]]: ...
    def keys_since(self, row: int) -> list[tuple[int, bytes, bytes, bytes]]: ...
    def deleted_since(self, seq: int) -> list[tuple[int, int, bytes | None, bytes | None]]: ...
    def counted_since(self, row: int) -> list[tuple[int, bytes, bytes]]: ...
    def changes(self) -> int: ...
    def load_counts(self) -> tuple[bytes, bytes, int, int] | None: ...
    def save_counts(self, terms: bytes, lines: bytes, counted_to: int, counted_deleted: int, generation: str | None) -> None: ...
    def parts(self, name: str) -> list[bytes]: ...
    def set_parts(self, name: str, parts: list[bytes], generation: str | None) -> None: ...
    def rows(self) -> list[int]: ...
    def ids(self) -> list[str]: ...
    def count(self) -> int: ...
    def integrity(self) -> list[str]: ...
    def reading(self) -> AbstractContextManager: ...
    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    row INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    metadata TEXT NOT NULL,
    text BLOB NOT NULL,
    features BLOB NOT NULL,
    near_sig BLOB NOT NULL,
    term_sig BLOB NOT NULL,
    near_keys BLOB NOT NULL,
    term_keys BLOB NOT NULL,
    lines BLOB NOT NULL,
    checksum INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deleted (seq INTEGER PRIMARY KEY AUTOINCREMENT, row INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS uncounted (seq INTEGER PRIMARY KEY, features BLOB NOT NULL, lines BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (name TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS parts (name TEXT NOT NULL, part INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (name, part));
"""


def checksum(article_id: str, metadata: str, text: bytes, *blobs: bytes) -> int:
    """A stored record's checksum: its id and metadata JSON (as UTF-8), compressed text and blobs, in column order."""
    crc = 0
    for p in (article_id.encode("utf-8", "surrogatepass"), metadata.encode("utf-8", "surrogatepass"), text, *blobs):
        crc = zlib.crc32(p, crc)
    return crc


def _read_only_file_system(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # (no statvfs: not POSIX)
        return False


def _open_problem(path: str, e: sqlite3.DatabaseError) -> str:
    """Why SQLite could not open path, in a user's words: a file it cannot write or create is not a foreign file.
    (The folder named is the real file's: SQLite writes beside the target of a link.)"""
    if "readonly" in str(e):
        return (f"cannot be opened ({e}): SQLite keeps its write-ahead log beside the index, and this user may not write in "
                f"{Path(path).resolve().parent}; give it write access to the folder")
    if "unable to open" in str(e):
        folder = Path(path).resolve().parent
        if not folder.is_dir():
            return f"cannot be created: folder {folder} does not exist"
        return f"cannot be {'created' if not Path(path).exists() else 'opened'} ({e}){'' if os.access(folder, os.W_OK) else f': folder {folder} is not writable'}"
    if _busy(e):
        return f"another process held it locked past the wait ({e}): try again when it has finished"
    if "malformed" in str(e):
        return f"damaged ({e}); `dedup index build SOURCE… --index {path}` rebuilds it from its sources (given no SOURCE, from its own articles that still read)"
    return f"not a dedup index ({e})"


def _record(row: int, article_id: str, metadata: str, text: bytes, *blobs: bytes) -> Record:
    """A record from its stored columns (ValueError or zlib.error when they no longer decode)."""
    return Record(row, article_id, json.loads(metadata), zlib.decompress(text).decode("utf-8", "surrogatepass"), *blobs)


_SALVAGE_ROWS = 1000  # articles a rebuild of a damaged index reads at once


class SQLiteStore:
    """An index in one SQLite file (WAL mode: readers never block the writer, writers queue on a lock)."""

    def __init__(self, path: str | Path, timeout: float = 30.0, create: bool = True, older: bool = False):
        """older: also open an index of an older version whose articles this version reads (ARTICLES_SINCE), to
        read them and nothing else: what a rebuild from its own articles needs."""
        self.path, self.timeout = str(path), timeout
        if self.path != ":memory:":
            p = Path(self.path)
            if not p.exists() and not create:
                raise IndexFileError(f"{self.path}: no such index")
            if p.exists():
                _check_path(p)
                if not create and p.is_file() and p.stat().st_size == 0:
                    raise IndexFileError(f"{self.path}: an empty file, not a dedup index")
            if p.is_file() and not os.access(p, os.W_OK):  # (refused before SQLite could create a file beside it)
                if _read_only_file_system(p):
                    raise IndexFileError(f"{self.path}: on a read-only file system; dedup needs to write beside an index even to read "
                                         "it (SQLite's write-ahead log): copy it to a writable place and read the copy")
                raise IndexFileError(f"{self.path}: this user may not write this index; dedup needs to, even to read it (SQLite's "
                                     "write-ahead log, whose files would belong to this user and lock the owner out): give this user "
                                     "write access to the file, or copy it and read the copy")
        self.db: sqlite3.Connection | None = None
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
                tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                fmt, version = self._identity() if "meta" in tables else (None, None)
                if not tables or fmt == FORMAT:  # (another program's database is refused untouched: not even its journal mode set)
                    self.db.execute("PRAGMA journal_mode=WAL")
                    self.db.execute("PRAGMA synchronous=NORMAL")
                break
            except sqlite3.DatabaseError as e:
                if self.db is not None:
                    self.db.close()
                if _busy(e) and time.monotonic() < deadline:  # (another process creating the file: SQLite does not wait
                    time.sleep(0.01)  # for the lock that a change of journal mode takes)
                    continue
                raise IndexFileError(f"{self.path}: {_open_problem(self.path, e)}") from e
        if tables and fmt is None:
            raise self._refused("an SQLite database, but not a dedup index")
        if not tables:
            with self.write():
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    self.db.execute(statement)
                # generation: which build of the index this is (a rebuild replaces the contents of the file in place)
                self.db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('format', ?), ('version', ?), ('generation', ?)", (FORMAT, str(VERSION), uuid.uuid4().hex)
                )
            fmt, version = self._identity()
        if fmt != FORMAT:
            raise self._refused(f"an SQLite database, but not a dedup index (its format is {fmt!r})")
        number = int(version) if version is not None and version.isdigit() else 0
        if number != VERSION and not (older and ARTICLES_SINCE <= number < VERSION):
            raise self._refused(f"dedup index format version {version}, this dedup reads version {VERSION}; " + (
                "a newer dedup wrote it: open it with that one" if number > VERSION else
                f"rebuild it from its own articles with `dedup index build --index {shlex.quote(self.path)}` (or from its sources)"
                if number >= ARTICLES_SINCE else
                f"rebuild it from its sources with `dedup index build SOURCE… --index {shlex.quote(self.path)}` (this version cannot read its articles)"))

    def _refused(self, why: str) -> IndexFileError:
        """The error that refuses this file, its connection closed first (nothing left open beside it)."""
        self.db.close()
        return IndexFileError(f"{self.path}: {why}")

    def _identity(self) -> tuple[str | None, str | None]:
        """The format and version the meta table states."""
        return self.get_meta("format"), self.get_meta("version")

    def _begin(self, kind: str) -> None:
        """Begin a transaction. This store never nests them: one still open was left by a Ctrl-C that landed
        before its COMMIT or ROLLBACK ran, and is rolled back (its caller was interrupted, so nothing it wrote returned)."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self.db.execute(f"BEGIN {kind}")

    def write(self):
        """A write transaction holding the database's write lock (waits up to the timeout, then a clear error)."""
        return _WriteTransaction(self)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """A read transaction: the reads inside see one state of the file, whatever other processes commit meanwhile
        (an integrity check compares what it read at several times)."""
        self._begin("DEFERRED")
        try:
            yield
        finally:
            if self.db.in_transaction:
                self.db.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.write():
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def put(self, records: list[Record]) -> list[int]:
        """Insert records (replacing same ids) in one transaction; returns their rows."""
        rows = []
        with self.write():
            for r in records:
                self._delete(r.id)
                text = zlib.compress(r.text.encode("utf-8", "surrogatepass"))
                meta = json.dumps(r.metadata, ensure_ascii=False, sort_keys=True, allow_nan=False)
                crc = checksum(r.id, meta, text, r.features, r.near_sig, r.term_sig, r.near_keys, r.term_keys, r.lines)
                cur = self.db.execute(
                    "INSERT INTO articles (id, metadata, text, features, near_sig, term_sig, near_keys, term_keys, lines, checksum)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (r.id, meta, text, r.features, r.near_sig, r.term_sig, r.near_keys, r.term_keys, r.lines, crc),
                )
                rows.append(cur.lastrowid)
        return rows

    def delete(self, article_id: str) -> int | None:
        """Remove an article; its row, or None when there was none."""
        with self.write():
            return self._delete(article_id)

    def _delete(self, article_id: str) -> int | None:
        """Inside a write: remove an article, keeping its row (for other processes' band tables) and, until the saved
        counts include its removal, its terms and lines (for other processes' counts)."""
        row = self.db.execute("SELECT row FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None:
            return None
        seq = self.db.execute("INSERT INTO deleted (row) VALUES (?)", row).lastrowid
        self.db.execute("INSERT INTO uncounted SELECT ?, features, lines FROM articles WHERE row=?", (seq, row[0]))
        self.db.execute("DELETE FROM articles WHERE row=?", row)
        return row[0]

    def get(self, article_id: str) -> Record | None:
        r = self.db.execute(
            "SELECT row, id, metadata, text, features, near_sig, term_sig, near_keys, term_keys, lines FROM articles WHERE id=?", (article_id,)
        ).fetchone()
        if r is None:
            return None
        try:
            return _record(*r)
        except (ValueError, zlib.error) as e:
            raise damaged_article(self.path, article_id, e) from e

    def contents(self, rows: list[int]) -> list[tuple[int, str, bytes, bytes, bytes]]:
        """(row, id, features, near signature, line hashes) of the given rows: what an integrity check reads."""
        return self._select("row, id, features, near_sig, lines", rows)

    def candidates(self, rows: list[int]) -> list[tuple[int, str, bytes, bytes]]:
        """(row, id, features, near signature) of the given rows that exist, in one query per 500 rows: what a check verifies."""
        return self._select("row, id, features, near_sig", rows)

    def keys_since(self, row: int) -> list[tuple[int, bytes, bytes, bytes]]:
        """(row, near_keys, term_keys, term_sig) of every row after the given one, in row order, in one query."""
        return self.db.execute("SELECT row, near_keys, term_keys, term_sig FROM articles WHERE row > ? ORDER BY row", (row,)).fetchall()

    def deleted_since(self, seq: int) -> list[tuple[int, int, bytes | None, bytes | None]]:
        """(seq, row, features, line hashes) of every removal after seq, in order; features and line hashes are None
        once the saved counts include the removal."""
        return self.db.execute(
            "SELECT seq, row, features, lines FROM deleted LEFT JOIN uncounted USING (seq) WHERE seq > ? ORDER BY seq", (seq,)
        ).fetchall()

    def counted(self, article_id: str) -> tuple[int, bytes, bytes] | None:
        """(row, features, line hashes) of an article, or None: what the counts hold of it, its text not read (an
        article whose text is damaged can still be removed or replaced)."""
        return self.db.execute("SELECT row, features, lines FROM articles WHERE id=?", (article_id,)).fetchone()

    def counted_since(self, row: int) -> list[tuple[int, bytes, bytes]]:
        """(row, features, line hashes) of every row after the given one: what the term and line counts take."""
        return self.db.execute("SELECT row, features, lines FROM articles WHERE row > ? ORDER BY row", (row,)).fetchall()

    def changes(self) -> int:
        """A number that moves whenever another connection commits: while it stands still, nothing is new."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def _select(self, columns: str, rows: list[int]) -> list[tuple]:
        """columns of the given rows, 500 rows a query (SQLite limits the parameters of one statement)."""
        out: list[tuple] = []
        for i in range(0, len(rows), 500):
            chunk = rows[i : i + 500]
            out += self.db.execute(f"SELECT {columns} FROM articles WHERE row IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        return out

    def load_counts(self) -> tuple[bytes, bytes, int, int] | None:
        """The saved term and line count tables with the last row and removal they include, read as one snapshot;
        None before the first save."""
        self._begin("DEFERRED")
        try:
            blobs = dict(self.db.execute("SELECT name, data FROM blobs WHERE name IN ('term_counts', 'line_counts')").fetchall())
            counted_to, counted_deleted = self.get_meta("counted_to"), self.get_meta("counted_deleted")
        finally:
            self.db.execute("COMMIT")
        if len(blobs) < 2 or counted_to is None or counted_deleted is None:
            return None
        return zlib.decompress(blobs["term_counts"]), zlib.decompress(blobs["line_counts"]), int(counted_to), int(counted_deleted)

    def save_counts(self, terms: bytes, lines: bytes, counted_to: int, counted_deleted: int, generation: str | None) -> None:
        """Save count tables that include every row up to counted_to and every removal up to counted_deleted, in one
        transaction, if they are newer in both than those saved and of the index's current generation (a rebuild
        may have replaced it); then forget the removed articles' terms and lines the saved tables include (only a
        process whose counts are older needs them, and it reloads these)."""
        with self.write():
            saved = [int(self.get_meta(k) or 0) for k in ("counted_to", "counted_deleted")]
            newer = counted_to >= saved[0] and counted_deleted >= saved[1] and (counted_to, counted_deleted) != tuple(saved)
            if not newer or self.get_meta("generation") != generation:
                return
            blobs = [("term_counts", zlib.compress(terms, 1)), ("line_counts", zlib.compress(lines, 1))]
            self.db.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?)", blobs)
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [("counted_to", str(counted_to)), ("counted_deleted", str(counted_deleted))])
            self.db.execute("DELETE FROM uncounted WHERE seq <= ?", (counted_deleted,))

    def parts(self, name: str) -> list[bytes]:
        """The parts of a large value stored uncompressed (SQLite caps one value at 1 GB), in order, as one snapshot;
        none if absent. Each is read straight into its bytes (a SELECT copies it twice), every other one by a second
        connection at once (SQLite reads without holding the GIL): 1.5 GB of band tables in 0.7 s instead of 1.6 s.
        That connection's parts are used only if it saw the same stored value (its token), else they are read here."""
        if not hasattr(self.db, "blobopen"):  # (Python 3.10)
            return [r[0] for r in self.db.execute("SELECT data FROM parts WHERE name=? ORDER BY part", (name,))]
        self._begin("DEFERRED")
        try:
            token = self.get_meta(f"parts {name}")
            rowids = [r[0] for r in self.db.execute("SELECT rowid FROM parts WHERE name=? ORDER BY part", (name,))]
            theirs = None
            if token is not None and len(rowids) > 1 and self.path != ":memory:":
                with ThreadPoolExecutor(1) as helper:
                    elsewhere = helper.submit(self._blobs_elsewhere, rowids[1::2], name, token)
                    mine = self._blobs(self.db, rowids[0::2])
                    theirs = elsewhere.result()
            if theirs is None:
                return self._blobs(self.db, rowids)
            out = [b""] * len(rowids)
            out[0::2], out[1::2] = mine, theirs
            return out
        finally:
            self.db.execute("COMMIT")

    @staticmethod
    def _blobs(db: sqlite3.Connection, rowids: list[int]) -> list[bytes]:
        """The data of these rows of the parts table, each read whole into its bytes."""
        out = []
        for rowid in rowids:
            with db.blobopen("parts", "data", rowid, readonly=True) as blob:
                out.append(blob.read())
        return out

    def _blobs_elsewhere(self, rowids: list[int], name: str, token: str) -> list[bytes] | None:
        """_blobs through a connection of its own, in a snapshot that holds the same value of name (token); None
        when it holds another (written meanwhile) or the file would not open a second time."""
        try:
            db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error:
            return None
        try:
            db.execute("BEGIN DEFERRED")
            same = db.execute("SELECT value FROM meta WHERE key=?", (f"parts {name}",)).fetchone() == (token,)
            return self._blobs(db, rowids) if same else None
        except sqlite3.Error:
            return None
        finally:
            db.close()  # (ends its read transaction)

    def set_parts(self, name: str, parts: list[bytes], generation: str | None) -> None:
        """Replace a value stored in parts, in one transaction: readers see the old parts or the new, never a mix;
        nothing is written if a rebuild replaced the index since the value was made (another generation). A new
        token names the value (`parts` compares the snapshots of two connections with it)."""
        with self.write():
            if self.get_meta("generation") != generation:
                return
            self.db.execute("DELETE FROM parts WHERE name=?", (name,))
            self.db.executemany("INSERT INTO parts VALUES (?, ?, ?)", ((name, k, p) for k, p in enumerate(parts)))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"parts {name}", uuid.uuid4().hex))

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def rows(self) -> list[int]:
        """Every article's row, in order."""
        return [r[0] for r in self.db.execute("SELECT row FROM articles ORDER BY row")]

    def ids(self) -> list[str]:
        """Every article's id, in row order."""
        return [r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY row")]

    def integrity(self) -> list[str]:
        """Problems found: SQLite's own check, then every record's checksum."""
        problems = [r[0] for r in self.db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        return problems + [f"article {id_!r} (row {row}): checksum mismatch" for row, id_ in self.mismatched()]

    def salvage(self) -> Iterator[tuple[int, str | None, Record | None, str | None]]:
        """Every stored article, oldest first, as (row, id, its record or None, why it is left out or None): what a
        rebuild of a damaged index keeps. Rows are read a thousand at a time; a range that does not read (a damaged
        page) is read again one row at a time, so a damaged page costs only the articles it holds. A record that
        no longer matches its checksum or no longer decodes is left out too."""
        top = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name='articles'").fetchone()
        last = int(top[0]) if top else 0
        columns = "row, id, metadata, text, features, near_sig, term_sig, near_keys, term_keys, lines, checksum"
        for start in range(1, last + 1, _SALVAGE_ROWS):
            end = min(start + _SALVAGE_ROWS, last + 1)
            try:
                found = self.db.execute(f"SELECT {columns} FROM articles WHERE row >= ? AND row < ? ORDER BY row", (start, end)).fetchall()
            except sqlite3.DatabaseError:
                found = []
                for row in range(start, end):
                    try:
                        found += self.db.execute(f"SELECT {columns} FROM articles WHERE row=?", (row,)).fetchall()
                    except sqlite3.DatabaseError as e:
                        yield row, None, None, f"it does not read: {e}"
            for row, id_, meta, text, *blobs, crc in found:
                if checksum(id_, meta, text, *blobs) != crc:
                    yield row, id_, None, "it no longer matches its checksum: its text or metadata changed on disk"
                    continue
                try:
                    yield row, id_, _record(row, id_, meta, text, *blobs), None
                except (ValueError, zlib.error) as e:
                    yield row, id_, None, f"it does not decode: {e}"

    def mismatched(self) -> list[tuple[int, str]]:
        """(row, id) of every record that no longer matches its checksum (changed on disk, or by hand)."""
        return [(row, id_) for row, id_, meta, text, *blobs, crc in self.db.execute(
            "SELECT row, id, metadata, text, features, near_sig, term_sig, near_keys, term_keys, lines, checksum FROM articles")
            if checksum(id_, meta, text, *blobs) != crc]

    def close(self) -> None:
        """Close the file; any later call says the index was closed (not SQLite's "closed database")."""
        self.db.close()
        self.db = _Closed(self.path)


class _Closed:
    """What a closed store queries: every call raises IndexFileError."""

    def __init__(self, path: str) -> None:
        self.path = path

    def execute(self, *args, **kwargs):
        again = "what it held is gone with it" if self.path == ":memory:" else "open it again with Index.open"
        raise IndexFileError(f"{self.path}: this index was closed ({again})")

    executemany = execute

    def close(self) -> None:
        pass


class _WriteTransaction:
    def __init__(self, store: SQLiteStore):
        self.store = store

    def __enter__(self):
        db = self.store.db
        try:
            self.store._begin("IMMEDIATE")
        except sqlite3.OperationalError as e:
            _raise_if_busy(self.store.path, e)
            raise
        except BaseException:  # a Ctrl-C while it waited for the lock lands once it has it: let it go
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def __exit__(self, exc_type, exc, tb):
        db = self.store.db
        try:
            db.execute("COMMIT" if exc_type is None else "ROLLBACK")
        finally:
            if db.in_transaction:  # (a Ctrl-C before the COMMIT ran)
                db.execute("ROLLBACK")
        return False


def check_replaceable(path: Path) -> str | None:
    """Raise IndexFileError unless path is absent, empty, or a dedup index of any format version: what a rebuild
    may replace. Returns why the file is damaged when it is an SQLite file that no longer reads (a rebuild is
    how to repair it), else None."""
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return None
    _check_path(path)
    if not os.access(path, os.W_OK):
        raise IndexFileError(f"{path}: this user may not write this index, so a rebuild cannot replace it")
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):  # (reading an index in WAL mode writes beside it, as does the build)
        raise IndexFileError(f"{path}: this user may not write in {folder}, where a rebuild writes its new index; give it write access to the folder")
    try:
        db = sqlite3.connect(path)
        try:
            fmt = db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        if "malformed" in str(e):
            return str(e)
        if "no such table" in str(e):
            raise IndexFileError(f"{path}: an SQLite database, but not a dedup index; not replacing it") from e
        raise IndexFileError(f"{path}: not a dedup index ({e}); not replacing it") from e
    if fmt is None or fmt[0] != FORMAT:
        raise IndexFileError(f"{path}: an SQLite database, but not a dedup index; not replacing it")
    return None


def replace_file(target: Path, source: Path, timeout: float = 30.0, damaged: bool = False) -> None:
    """Replace the contents of the index at target with the complete index at source, in one transaction
    (SQLite's backup): processes that have target open read the old contents until it commits, then the new
    ones (their Index notices the new generation). Renaming would leave target's write-ahead log to be
    replayed into the new file, and those processes writing to a file nobody reads."""
    if damaged or not target.exists():  # (a write-ahead log left by a deleted index is never to be replayed)
        delete_file(target)
    src = sqlite3.connect(source)
    try:
        with src:  # a new generation for every copy: a copy run again (an interrupted build resumed) is news too
            src.execute("UPDATE meta SET value=? WHERE key='generation'", (uuid.uuid4().hex,))
        dst = sqlite3.connect(target, timeout=timeout, isolation_level=None)
        try:
            dst.execute("PRAGMA journal_mode=WAL")
            src.backup(dst)
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # fold the copy into the file (skipped while others read)
        except sqlite3.OperationalError as e:
            _raise_if_busy(target, e)
            raise
        finally:
            dst.close()
    finally:
        src.close()


def delete_file(path: Path) -> None:
    """Delete an index file with SQLite's companions (write-ahead log, shared memory), whichever exist."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _busy(e: sqlite3.DatabaseError) -> bool:
    """Whether SQLite gave up waiting for a lock another connection held."""
    return "locked" in str(e) or "busy" in str(e)


def _raise_if_busy(path: str | Path, e: sqlite3.OperationalError) -> None:
    """A clear IndexFileError when another process held the index's lock past the timeout."""
    if _busy(e):
        raise IndexFileError(f"{path}: another process is writing to this index and did not finish in time ({e}): try again when it has") from e


def _check_path(path: Path) -> None:
    """Refuse a folder. The file itself is never opened here: closing any descriptor of a database file drops
    every POSIX lock this process's SQLite connections hold on it, and another process could then take the file
    for unused (checkpoint it, delete its write-ahead log) while those connections still rely on it. SQLite
    itself refuses a file that is not a database. A device, FIFO or socket is refused too: SQLite would try to
    create its journal beside it (/dev/null-journal)."""
    if path.is_dir():
        raise IndexFileError(f"{path}: is a folder, not an index file")
    if not path.is_file():
        raise IndexFileError(f"{path}: is a {file_kind(path.stat().st_mode)}, not an index file")
