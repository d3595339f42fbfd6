"""The persistent index a crawler checks articles against: add, check, remove (what a check costs, and how it grows: README)."""
from __future__ import annotations

import functools
import json
import os
import sqlite3
import sys
import threading
import warnings
import zlib
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Collection, Iterable

import numpy as np

from . import boilerplate
from .arrays import unique_sorted
from .config import Config
from .counts import CountTable
from .features import check_packed, pack, unpack
from .lsh import BandTable
from .prefilter import Prefilter, min_agreements
from .read import without_surrogates
from .sketch import Sketch, Sketcher
from .store import IndexFileError, Record, SQLiteStore, Store, damaged_article
from .verify import RELATIONS, UNRELATED, Pair, check_verdicts

_STATS_EVERY = 10_000  # adds between saves of the term and line count tables
_CACHE_BYTES = 64 << 20  # candidates kept in memory: a busy story's articles come up check after check
_ENTRY_BYTES = 512  # a cached candidate's Python objects (its id, tuple, array header, the cache's own link)


@dataclass
class Match:
    """An indexed article that the checked article copies, rewrites or partly reuses."""

    id: str
    relation: str
    jaccard: float  # exact word-shingle Jaccard
    containment: float
    rewrite_score: float
    shared_passages: int
    estimated_jaccard: float  # MinHash estimate of the shingle Jaccard

    as_dict = Pair.as_dict  # (fields as dict, figures rounded: a check's JSON reads as a scan's)


def _one_call_at_a_time(method: Callable) -> Callable:
    """A public method run under the index's lock: threads that share an Index take turns (two calls at once would
    interleave their SQLite transactions and count articles twice or not at all)."""

    @functools.wraps(method)
    def serialized(self: "Index", *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return serialized


class Index:
    """A dedup index: in memory (`Index()`) or in a file (`Index.open(path)`). Threads may share one: its calls
    take turns."""

    def __init__(self, config: Config | None = None, store: Store | None = None):
        self._lock = threading.RLock()  # (reentrant: add calls add_many; a generator given to add_many may check)
        if config is not None and not isinstance(config, Config):
            raise TypeError(f"Index(config, store) takes a Config, not {_shown(config)}: to open an index file, use Index.open(path)")
        self.store = store or SQLiteStore(":memory:")
        stored = self.store.get_meta("config")
        if stored is None:
            self.store.set_meta("config", (config or Config()).to_json())
        elif config is not None and config.to_json() != stored:
            _warn(f"{self.store.path}: this index keeps the parameters it was built with; the Config given differs and is not used "
                  "(`Index.open(path).config` shows them; other parameters need a new index)")
        self._sound = False  # (see _ready)
        try:
            self._load()
        except sqlite3.DatabaseError as e:  # a page of the file no longer reads
            raise IndexFileError(f"{self.store.path}: damaged ({e}); `dedup index build SOURCE… --index {self.store.path}` rebuilds it from its sources (given no SOURCE, from the articles that still read)") from None
        self._sound = True

    def _load(self) -> None:
        """Take the index's parameters (they win over any given), saved counts and band tables, and catch up with
        the rows after them: on opening, and when a rebuild replaced the index under this process."""
        try:
            self.config = Config.from_json(self.store.get_meta("config"))
        except (ValueError, TypeError) as e:
            raise IndexFileError(f"{self.store.path}: its stored configuration is not valid ({e})") from None
        self._generation = self.store.get_meta("generation")
        self.sketcher = Sketcher(self.config)
        self._near = BandTable()
        self._terms = BandTable()
        self._prefilter = Prefilter(self.config.term_num_perm)
        self._min_agreements = min_agreements(self.config.rewrite_lsh_threshold, self.config.term_num_perm)
        self._last_row = 0
        self._last_deleted = 0
        self._unsaved = 0
        self._wrote = False  # whether this process added or removed articles
        self._since_snapshot = 0  # rows loaded and removed since the band tables' stored snapshot
        self._seen_changes: int | None = None  # the store's change counter when this process last caught up
        self._cache = _CandidateCache(_CACHE_BYTES)
        self._damaged_bands: str | None = None  # why the stored band tables could not be used, when they could not
        self._load_counts()
        self._restore_bands()
        self._refresh()

    @classmethod
    def open(cls, path: str | Path, config: Config | None = None, create: bool = True, timeout: float = 30.0) -> "Index":
        """Open (or create) the index at path. A file that is not a dedup index raises IndexFileError; a path that
        is not a str, bytes or os.PathLike raises TypeError, and an empty one ValueError (Index.open(None) made a
        file named "None")."""
        if not isinstance(path, (str, bytes, os.PathLike)):
            raise TypeError(f"an index path is a str, bytes or os.PathLike, not {_shown(path)}")
        if not os.fspath(path):
            raise ValueError("the index path is empty")
        if os.fsdecode(path) == ":memory:":
            raise ValueError("':memory:' is SQLite's name for a database in memory: Index() is an index in memory; for a file of that name, give './:memory:'")
        return cls(config, SQLiteStore(os.fsdecode(path), timeout=timeout, create=create))

    @_one_call_at_a_time
    def __len__(self) -> int:
        return self.store.count()

    @_one_call_at_a_time
    def __contains__(self, article_id: str) -> bool:
        _check_id(article_id)
        return _storable(article_id) and self.store.counted(article_id) is not None

    @_one_call_at_a_time
    def check(self, article_id: str, text: str) -> list[Match]:
        """Indexed articles this one duplicates, rewrites or partly reuses, strongest first: what add() would return.
        Its text is cleaned as add() cleans it, with the article counted in place of the one it would replace, so
        chrome it shares with two indexed articles is boilerplate here as there."""
        _check_article(article_id, text, {})
        if len(text) > self.config.max_article_chars:
            _warn(f"{article_id}: longer than {self.config.max_article_chars:,} characters, truncated")
        self._ready()
        replaced = self.store.counted(article_id) if _storable(article_id) else None
        if replaced is None or replaced[0] > self._counted_to:  # nothing to replace that these counts hold
            return self._matches(article_id, self._sketch([without_surrogates(text)], counting_itself=True)[0])
        self._sound = False  # (verified without it too, as add verifies; Ctrl-C before it is counted again: see _ready)
        self._count(*replaced, sign=-1)
        try:
            return self._matches(article_id, self._sketch([without_surrogates(text)], counting_itself=True)[0])
        finally:
            self._count(*replaced)
            self._sound = True

    def add(self, article_id: str, text: str, metadata: dict | None = None) -> list[Match]:
        """Index an article (replacing one with the same id) and return what it matched before it was added."""
        return self.add_many([(article_id, text, metadata)])[0]

    @_one_call_at_a_time
    def add_many(self, articles: Iterable[tuple[str, str, dict | None]], batch: int = 1000) -> list[list[Match]]:
        """Index many articles, sketched in vectorised batches; each gets its matches among the articles
        indexed before its batch (a rebuild clusters afterwards; a crawler adds one at a time). An item that is
        not a valid (id, text, metadata) raises before its batch is stored; the batches before it are."""
        if isinstance(batch, bool) or not isinstance(batch, int):
            raise TypeError(f"add_many's batch is a number of articles (an int), not {_shown(batch)}")
        if batch < 1:
            raise ValueError(f"add_many's batch is 1 article or more, not {batch}")
        out: list[list[Match]] = []
        chunk: list[tuple[str, str, dict | None]] = []
        for number, item in enumerate(articles):
            try:
                if isinstance(item, (str, bytes, dict)):
                    raise ValueError
                article_id, text, metadata = item  # (any sequence of three: a tuple, a list, a row of an object array)
            except (TypeError, ValueError):
                raise TypeError(f"add_many takes (id, text, metadata) triples (metadata may be None); item {number} is {_shown(item)}") from None
            _check_article(article_id, text, metadata)
            item = (article_id, without_surrogates(text), metadata)  # (a lone surrogate cannot be stored or printed: U+FFFD, as files are read)
            if not _storable(item[0]):
                raise ValueError(f"article id {item[0]!r} is not valid Unicode (a file name that is not UTF-8?): an index stores ids as text")
            chunk.append(item)
            if len(chunk) >= batch:
                out.extend(self._add_chunk(chunk))
                chunk = []
        if chunk:
            out.extend(self._add_chunk(chunk))
        return out

    @_one_call_at_a_time
    def remove(self, article_id: str) -> bool:
        """Remove an article; False when it was not indexed."""
        _check_id(article_id)
        self._ready()
        held = self.store.counted(article_id) if _storable(article_id) else None
        if held is None:
            return False
        self._sound = False  # (see _ready)
        self.store.delete(article_id)
        self._uncount(*held)
        self._unsaved += 1
        self._wrote = True
        self._refresh(force=True)
        self._sound = True
        return True

    @_one_call_at_a_time
    def ids(self) -> list[str]:
        """Every indexed article's id, oldest first."""
        return self.store.ids()

    @_one_call_at_a_time
    def text(self, article_id: str) -> tuple[str, dict] | None:
        """The stored text and metadata of an indexed article."""
        _check_id(article_id)
        record = self.store.get(article_id) if _storable(article_id) else None
        return (record.text, record.metadata) if record else None

    @_one_call_at_a_time
    def stats(self) -> dict:
        self._ready()
        return {
            "articles": len(self),
            "config": asdict(self.config),
            "near_bands": list(self.sketcher.near_bands),
            "term_bands": list(self.sketcher.term_bands),
            "band_entries": len(self._near) + len(self._terms),
        }

    @_one_call_at_a_time
    def check_integrity(self) -> list[str]:
        """What is wrong with the index: storage-level damage, records whose blobs do not decode, term and line
        counts that differ from a fresh count of the articles, band tables (as loaded, from the stored snapshot and
        the rows since) that differ from the rows' own band keys. Articles are read a chunk at a time, all in one
        read transaction, so what other processes write meanwhile is neither counted nor missed."""
        with self.store.reading():
            return self._problems()

    def _problems(self) -> list[str]:
        """check_integrity's findings, read inside its transaction."""
        self._ready()
        problems = self.store.integrity() + [self._damaged_bands] * (self._damaged_bands is not None)
        width = self.config.num_perm * 4
        rows = self.store.rows()
        terms, lines = CountTable(), CountTable()
        for start in range(0, len(rows), _CHECK_ROWS):
            for _, article_id, blob, sig, hashes in self.store.contents(rows[start : start + _CHECK_ROWS]):
                try:
                    terms.add(unpack(blob).term_set)
                except ValueError as e:
                    problems.append(f"article {article_id!r}: {e}")
                if len(hashes) % 8:
                    problems.append(f"article {article_id!r}: line hashes have {len(hashes)} bytes, not a multiple of 8")
                else:
                    lines.add(np.frombuffer(hashes, dtype="<u8"))
                if len(sig) != width:
                    problems.append(f"article {article_id!r}: signature has {len(sig)} bytes, expected {width}")
        if terms != self.term_counts or lines != self.line_counts:
            problems.append("term or line counts differ from a fresh count of the articles (rebuild with `dedup index build`)")
        near, band_terms, prefilter = _tables(self.store.keys_since(0), self.sketcher)
        if not (self._near.same_entries(near) and self._terms.same_entries(band_terms) and self._prefilter.same_entries(prefilter)):
            problems.append("band tables differ from the articles' band keys and term signatures (stale or damaged snapshot: reopen after `dedup index build`)")
        return problems

    @_one_call_at_a_time
    def flush(self) -> None:
        """Save the term and line count tables, brought up to date first (opening takes them and counts the
        articles added and removed since)."""
        self._ready(force=True)
        self.store.save_counts(self.term_counts.to_bytes(), self.line_counts.to_bytes(), self._counted_to, self._counted_deleted, self._generation)
        self._unsaved = 0

    @_one_call_at_a_time
    def close(self) -> None:
        """Save what is unsaved; a process that changed the index by a twentieth or more since the band tables
        were last stored stores them again, so that the next open reads them instead of rebuilding them. Closing
        twice is closing once; any other call after it raises IndexFileError. Counts or band tables that an
        interrupt left half changed are not saved (see _ready): the next open counts from what is stored."""
        if self._sound and self._unsaved:
            self.flush()
        if self._sound and self._wrote and self._since_snapshot * _SNAPSHOT_SHARE >= max(1, len(self)):
            self._save_bands()
        self._wrote = False
        self.store.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- internals -------------------------------------------------------------------------------

    def _sketch(self, texts: list[str], counting_itself: bool = False) -> list[Sketch]:
        """Sketches of texts cleaned of their boilerplate (counting_itself: see boilerplate.strip)."""
        limit = self.config.max_article_chars
        cleaned = [boilerplate.strip(t[:limit], self.line_counts, self.config.boilerplate_min_docs, counting_itself) for t in texts]
        return self.sketcher.sketch(cleaned, self.term_counts)

    def _matches(self, article_id: str, s: Sketch) -> list[Match]:
        near, by_terms, kept = self._candidate_rows(s)
        rows = unique_sorted(np.concatenate((near, by_terms[kept])))
        if not len(rows):
            return []
        fetched = [c for c in self._candidates(rows.tolist()) if c[0] != article_id]
        blobs = list(dict.fromkeys(blob for _, blob, _ in fetched))  # copies stored with the same features are verified once
        if not blobs:
            return []
        try:
            relation, jaccard, containment, rewrite, passages = check_verdicts(s.features, blobs, self.term_counts, self.config)
        except ValueError:  # a candidate whose sentence numbers decrease: which?
            for other_id, blob, _ in fetched:
                try:
                    unpack(blob)
                except ValueError as e:
                    raise damaged_article(self.store.path, other_id, e) from None
            raise
        if len(blobs) == len(fetched):
            of = np.arange(len(fetched))  # each fetched candidate's distinct features
        else:
            position = {blob: k for k, blob in enumerate(blobs)}
            of = np.array([position[blob] for _, blob, _ in fetched])
        kept = np.flatnonzero(relation[of] != UNRELATED)
        if not len(kept):
            return []
        estimates = np.count_nonzero(np.stack([fetched[k][2] for k in kept.tolist()]) == s.near_sig, axis=1) / len(s.near_sig)
        at = of[kept]
        ids = [fetched[k][0] for k in kept.tolist()]
        order = np.lexsort((np.array(ids), -np.maximum(jaccard[at], rewrite[at]), relation[at]))  # best first (RELATIONS is strongest first)
        at = at[order]
        return [Match(ids[k], RELATIONS[r], jac, con, rw, n, e) for k, r, jac, con, rw, n, e in zip(
            order.tolist(), relation[at].tolist(), jaccard[at].tolist(), containment[at].tolist(), rewrite[at].tolist(),
            passages[at].tolist(), estimates[order].tolist())]

    def _candidate_rows(self, s: Sketch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows the near-duplicate and the content-term band tables return, and which of the latter the
        prefilter keeps (a check fetches the near rows and those)."""
        by_terms = self._terms.query(s.term_keys)
        return self._near.query(s.near_keys), by_terms, self._prefilter.agreements(by_terms, s.term_sig) >= self._min_agreements

    def _candidates(self, rows: list[int]) -> list[tuple[str, bytes, np.ndarray]]:
        """(id, packed features, near signature) of the rows that still exist, from the cache or else SQLite."""
        return self._cache.get(rows, self._fetch)

    def _fetch(self, rows: list[int]) -> list[tuple[int, str, bytes, np.ndarray]]:
        """The candidates of rows from the store, each checked whole once, before compiled code reads it: a damaged
        one raises IndexFileError naming it, never a wrong figure."""
        width = 4 * self.config.num_perm
        out = []
        for row, other_id, blob, sig in self.store.candidates(rows):
            try:
                check_packed(blob)  # (its sentence numbers: the check's first pass, see _matches)
                if len(sig) != width:
                    raise ValueError(f"near signature has {len(sig)} bytes, expected {width}")
            except ValueError as e:
                raise damaged_article(self.store.path, other_id, e) from None
            out.append((row, other_id, blob, np.frombuffer(sig, dtype="<u4")))
        return out

    def _add_chunk(self, chunk: list[tuple[str, str, dict | None]]) -> list[list[Match]]:
        self._ready()
        self._sound = False  # (the counts change as the chunk is read: see _ready)
        results, rows = self._counted_chunk(chunk)
        self._unsaved += len(chunk)
        self._wrote = True
        self._refresh(own=set(rows), force=True)
        self._sound = True
        if self._unsaved >= _STATS_EVERY:
            self.flush()
        return results

    def _counted_chunk(self, chunk: list[tuple[str, str, dict | None]]) -> tuple[list[list[Match]], list[int]]:
        """_add_chunk's work: uncount the articles replaced, count the chunk's lines and terms, sketch and match it,
        store it; its matches and rows."""
        for article_id in dict.fromkeys(article_id for article_id, _, _ in chunk):  # each replaced article once
            replaced = self.store.counted(article_id)
            if replaced is not None:
                self._uncount(*replaced)
        limit = self.config.max_article_chars
        for article_id, text, _ in chunk:
            if len(text) > limit:
                _warn(f"{article_id}: longer than {limit:,} characters, truncated")
        texts = [t[:limit] for _, t, _ in chunk]
        lines = [boilerplate.lines_of(t) for t in texts]
        for hashes in lines:
            self.line_counts.add(hashes)
        sketches = self._sketch(texts)
        results = []
        records = []
        for (article_id, _, metadata), text, hashes, s in zip(chunk, texts, lines, sketches):
            results.append(self._matches(article_id, s))
            records.append(
                Record(0, article_id, dict(metadata or {}), text, pack(s.features), s.near_sig.tobytes(), s.term_sig.tobytes(),
                       s.near_keys.tobytes(), s.term_keys.tobytes(), hashes.astype("<u8").tobytes())
            )
            self.term_counts.add(s.features.term_set)  # (counted once each: the distinct terms, as pack stored them)
        return results, self.store.put(records)

    def _uncount(self, row: int, features: bytes, lines: bytes) -> None:
        """Take an article this process removes or replaces out of the term and line counts (if they hold it:
        a row another process added since this one last looked was never counted)."""
        if row <= self._counted_to:
            self._count(row, features, lines, sign=-1)
        self._own_removed.add(row)

    def _count(self, row: int, features: bytes, lines: bytes, sign: int = 1) -> None:
        """Count a stored article's terms and lines (sign=-1: uncount them). Stored terms or lines that no longer
        read (damaged) are left as counted, with a warning: the index stays usable, a rebuild recounts."""
        try:
            terms, hashes = unpack(features).term_set, np.frombuffer(lines, dtype="<u8")
        except ValueError as e:
            _warn(f"{self.store.path}: the stored terms or lines of row {row} are damaged ({e}): the term and line counts "
                  "keep them as they were (`dedup index build` recounts)")
            return
        self.term_counts.add(terms, sign)
        self.line_counts.add(hashes, sign)

    def _ready(self, force: bool = False) -> None:
        """What each call does first: _refresh, or, when a call that was changing the counts and band tables stopped
        half way (Ctrl-C, or an error) and left them unsound (`_sound` is False from before such a change to after
        it), load them again from the store, as opening does; what this process added or removed is stored."""
        if self._sound:
            self._refresh(force=force)
            return
        unsaved, wrote = self._unsaved, self._wrote
        self._load()
        self._unsaved, self._wrote, self._sound = unsaved, wrote, True

    def _refresh(self, own: Collection[int] = (), force: bool = False) -> None:
        """Catch up with rows other processes (or this one: `own`, already counted) wrote since the last look;
        a check pays one cheap query when no other process wrote (force: this one just did)."""
        changes = self.store.changes()
        if changes == self._seen_changes and not force:
            return
        sound, self._sound = self._sound, False  # (see _ready)
        if self.store.get_meta("generation") != self._generation:
            if self._wrote:
                _warn(f"{self.store.path}: `dedup index build` replaced this index; what this process added or removed before is not in "
                      "the new one unless the build's sources held it: add it again")
            self._load()  # `dedup index build` replaced the index: everything this process holds is of the old one
            self._sound = sound
            return
        self._seen_changes = changes
        new = self.store.keys_since(self._last_row)
        if new:
            damaged = _load(self._near, self._terms, self._prefilter, new, self.sketcher)
            if damaged:
                _warn(f"{self.store.path}: the band keys or term signature of row{'s' * (len(damaged) > 1)} {', '.join(map(str, damaged[:5]))}"
                      f"{' …' * (len(damaged) > 5)} have the wrong length (damaged): left out of every check; `dedup index check` names "
                      "the articles, `dedup index build` repairs them")
            self._last_row = new[-1][0]
            self._since_snapshot += len(new)
        before, counted = self._count_added(own)
        removed = self.store.deleted_since(min(self._last_deleted, self._counted_deleted))
        uncount = removed
        while not self._uncount_removed(uncount, before, counted):
            # Another process saved counts that include a removal these do not, and dropped the removed article's
            # terms: take its saved counts and catch up from there.
            self._load_counts()
            before, counted = self._count_added(())
            uncount = self.store.deleted_since(self._counted_deleted)
        gone = [row for seq, row, _, _ in removed if seq > self._last_deleted]
        if gone:
            self._last_deleted = max(seq for seq, *_ in removed)
            self._near.remove(*gone)
            self._terms.remove(*gone)
            self._prefilter.remove(*gone)
            self._since_snapshot += len(gone)
        self._sound = sound

    def _load_counts(self) -> None:
        """Take the saved term and line count tables (empty before the first save) and the positions they hold."""
        try:
            saved = self.store.load_counts()
            terms, lines, self._counted_to, self._counted_deleted = saved or (None, None, 0, 0)  # every row and removal up to these
            self.term_counts = CountTable.from_bytes(terms) if terms else CountTable()
            self.line_counts = CountTable.from_bytes(lines) if lines else CountTable()
        except (zlib.error, ValueError) as e:
            raise IndexFileError(f"{self.store.path}: damaged (its saved term and line counts do not read: {e}); `dedup index build` rebuilds it") from None
        self._own_removed: set[int] = set()  # rows this process removed or replaced since (uncounted when it did)

    def _count_added(self, own: Collection[int]) -> tuple[int, set[int]]:
        """Count the rows added since the counts' last row, except `own` (this process counted them as it added
        them); returns that last row as it was and the rows now counted."""
        before, counted = self._counted_to, set(own)
        for row, features, lines in self.store.counted_since(before):
            if row not in own:
                self._count(row, features, lines)
            counted.add(row)
            self._counted_to = max(self._counted_to, row)
        return before, counted

    def _uncount_removed(self, removed: list[tuple[int, int, bytes | None, bytes | None]], before: int, counted: set[int]) -> bool:
        """Uncount other processes' removals of rows these counts hold; False when one's terms were already
        dropped (the saved counts include it)."""
        for seq, row, features, lines in removed:
            if seq <= self._counted_deleted:
                continue
            if row not in self._own_removed and (row <= before or row in counted):
                if features is None:
                    return False
                self._count(row, features, lines, sign=-1)
            self._counted_deleted = seq
        return True

    def _save_bands(self) -> None:
        """Store both band tables as they are now (sorted runs, uncompressed) and the prefilter, with the last row
        and deletion they include: opening then reads them and catches up with the rows after, instead of sorting
        everything."""
        self._refresh()
        (near_bits, near), (term_bits, terms) = self._near.snapshot(), self._terms.snapshot()
        rows, held = self._prefilter.snapshot()
        padded = np.zeros(-(-held.size // 8) * 8, dtype=np.uint8)  # (stored as 8-byte words, like the rest)
        padded[: held.size] = held.ravel()
        meta = {"row": self._last_row, "deleted": self._last_deleted, "near_bits": near_bits, "term_bits": term_bits, "near": len(near), "terms": len(terms), "prefilter": len(rows)}
        data = [memoryview(run.astype("<u8", copy=False)).cast("B") for run in (near, terms, rows, padded.view("<u8"))]
        parts = [json.dumps(meta).encode()] + [bytes(d[i : i + _PART_BYTES]) for d in data for i in range(0, len(d), _PART_BYTES)]
        self.store.set_parts("bands", parts, self._generation)
        self._since_snapshot = 0

    def _restore_bands(self) -> None:
        """Load the stored band tables and prefilter, if any and whole; otherwise _refresh builds them from every row."""
        parts = iter(self.store.parts("bands"))
        first = next(parts, None)
        if first is None:
            return
        try:
            meta = json.loads(first)
            width, held = self.config.term_num_perm, int(meta["prefilter"])
            sizes = [int(meta["near"]), int(meta["terms"]), held, -(-held * width // 8)]
            bits = int(meta["near_bits"]), int(meta["term_bits"])
            last_row, last_deleted = int(meta["row"]), int(meta["deleted"])
            runs = _split([np.frombuffer(part, dtype="<u8") for part in parts], sizes)
        except (ValueError, KeyError, TypeError):
            return  # not a snapshot this version wrote: rebuild from the rows
        if runs is None or not all(16 <= b <= 63 for b in bits):
            return
        try:
            near, terms = BandTable.restore(bits[0], runs[0]), BandTable.restore(bits[1], runs[1])
            rows, data = (chunks[0] if len(chunks) == 1 else np.concatenate([np.empty(0, "<u8"), *chunks]) for chunks in runs[2:])
            prefilter = Prefilter.restore(rows.view("<i8"), data.view(np.uint8)[: held * width].reshape(held, width), width)
            if held and int(rows[-1]) > last_row:
                raise ValueError(f"the prefilter holds row {int(rows[-1])}, after the last the tables include ({last_row})")
        except ValueError as e:
            self._damaged_bands = f"the stored band tables are damaged ({e}): each open rebuilds them from the articles until an add, a removal or `dedup index build` stores them again"
            _warn(f"{self.store.path}: {self._damaged_bands}")
            return
        self._near, self._terms, self._prefilter = near, terms, prefilter
        self._last_row, self._last_deleted = last_row, last_deleted


def _warn(message: str) -> None:
    """A UserWarning that names the line of the first caller outside this module (the user's add, check...)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename == __file__:
        frame, level = frame.f_back, level + 1
    warnings.warn(message, stacklevel=level)


def _shown(value: object) -> str:
    """A value as an error message shows it: its type and the start of its repr."""
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'…' * (len(text) > 60)}"


def _check_id(article_id: object) -> None:
    """TypeError for an id that is not a str, ValueError for an empty one."""
    if not isinstance(article_id, str) or not article_id:
        raise (ValueError if article_id == "" else TypeError)(f"article id must be a non-empty str, not {article_id!r:.80}")


def _storable(text: str) -> bool:
    """Whether text can be stored as SQLite text (UTF-8): not if it holds a lone surrogate, which is how Python
    spells a file name's bytes that are not UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_article(article_id: object, text: object, metadata: object) -> None:
    """TypeError or ValueError naming what is wrong with an article given to check or add, before any work."""
    _check_id(article_id)
    if not article_id.strip():  # (a scan skips such a record too; one stored before can still be removed)
        raise ValueError(f"article id must not be blank, not {article_id!r:.80}")
    if not isinstance(text, str):
        raise TypeError(f"{article_id}: text must be a str, not {type(text).__name__} (decode bytes first)")
    if not text or text.isspace():  # (isspace: no copy of a long text)
        raise ValueError(f"{article_id}: text is empty{' (whitespace only)' if text else ''}: no article to check or index")
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"{article_id}: metadata must be a dict or None, not {type(metadata).__name__}")
    try:
        raw = json.dumps(metadata or {}, sort_keys=True, allow_nan=False, ensure_ascii=False)  # as the store writes it
    except (TypeError, ValueError) as e:
        raise TypeError(f"{article_id}: metadata must be JSON data ({e})") from None
    except RecursionError:
        raise TypeError(f"{article_id}: metadata must be JSON data (nested too deeply)") from None
    if json.loads(raw) != (metadata or {}):
        raise TypeError(f"{article_id}: metadata must be standard JSON data (string keys, lists not tuples): it would be stored as {raw[:80]}")
    if not _storable(raw):
        raise ValueError(f"{article_id}: metadata holds text that is not valid Unicode (a lone surrogate)")


def _split(parts: list[np.ndarray], sizes: list[int]) -> list[list[np.ndarray]] | None:
    """The parts grouped into consecutive tables of the given sizes (no part shared by two); None if they do not
    add up. Each part stays the array SQLite's bytes already hold: opening copies nothing more."""
    tables: list[list[np.ndarray]] = [[] for _ in sizes]
    k, held = 0, 0
    for part in parts:
        while k < len(sizes) and held == sizes[k]:
            k, held = k + 1, 0
        if k == len(sizes) or held + len(part) > sizes[k]:
            return None
        tables[k].append(part)
        held += len(part)
    complete = all(sum(map(len, t)) == n for t, n in zip(tables, sizes))
    return tables if complete else None


_CHECK_ROWS = 10_000  # articles an integrity check reads at once
_SNAPSHOT_SHARE = 20  # a writer stores the band tables again when a twentieth of the index changed since
_PART_BYTES = 1 << 28  # stored band tables go in parts of 256 MB


def _tables(keys: list[tuple[int, bytes, bytes, bytes]], sketcher: Sketcher) -> tuple[BandTable, BandTable, Prefilter]:
    """Near-duplicate and content-term band tables and the prefilter built from (row, near keys, term keys,
    term signature)."""
    near, terms, prefilter = BandTable(), BandTable(), Prefilter(sketcher.config.term_num_perm)
    if keys:
        _load(near, terms, prefilter, keys, sketcher)
    return near, terms, prefilter


class _CandidateCache:
    """The candidates last verified, row → (id, packed features, near signature), least recently used out first
    once they hold more than `budget` bytes. A stored row is never rewritten (a replaced article gets a new one),
    so a candidate held here needs no fetch."""

    def __init__(self, budget: int) -> None:
        self._budget, self._held = budget, 0
        self._entries: OrderedDict[int, tuple[str, bytes, np.ndarray]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._held = 0

    def get(self, rows: list[int], fetch: Callable[[list[int]], list[tuple[int, str, bytes, np.ndarray]]]) -> list[tuple[str, bytes, np.ndarray]]:
        """The candidates of the rows, in order, those not held fetched at once; rows that no longer exist are left out."""
        entries = self._entries
        missing = [r for r in rows if r not in entries]
        if missing:
            for row, other_id, blob, sig in fetch(missing):
                entries[row] = (other_id, blob, sig)
                self._held += len(blob) + sig.nbytes + _ENTRY_BYTES
        out = []
        for row in rows:
            c = entries.get(row)
            if c is not None:
                entries.move_to_end(row)
                out.append(c)
        while self._held > self._budget:
            _, (_, blob, sig) = entries.popitem(last=False)
            self._held -= len(blob) + sig.nbytes + _ENTRY_BYTES
        return out


def _load(near: BandTable, terms: BandTable, prefilter: Prefilter, keys: list[tuple[int, bytes, bytes, bytes]], sketcher: Sketcher) -> list[int]:
    """Add (row, near keys, term keys, term signature) rows to the two band tables and the prefilter. Rows whose
    keys or signature have the wrong length (damaged; read as they are, they would shift every later row's keys)
    are left out, and returned."""
    widths = (8 * sketcher.near_bands[0], 8 * sketcher.term_bands[0], 4 * sketcher.config.term_num_perm)
    whole = [(len(k[1]), len(k[2]), len(k[3])) == widths for k in keys]
    damaged = [k[0] for k, fine in zip(keys, whole) if not fine]
    if damaged:
        keys = [k for k, fine in zip(keys, whole) if fine]
        if not keys:
            return damaged
    rows, near_keys, term_keys, term_sigs = zip(*keys)
    at = np.array(rows, dtype=np.int64)
    near.bulk_load(at, np.frombuffer(b"".join(near_keys), dtype="<u8").reshape(len(at), -1))
    terms.bulk_load(at, np.frombuffer(b"".join(term_keys), dtype="<u8").reshape(len(at), -1))
    prefilter.load(at, np.frombuffer(b"".join(term_sigs), dtype="<u4").reshape(len(at), -1))
    return damaged


__all__ = ["Index", "Match", "IndexFileError"]
