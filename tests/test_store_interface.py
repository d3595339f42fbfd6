"""The engine needs nothing of its storage but the `Store` protocol: a second store written from the protocol alone
(plain dicts, shared by several `Index` objects as a Redis store would be shared by crawler processes) gives the
same answers as SQLite."""
from __future__ import annotations

import contextlib
import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from dedup import Index
from dedup.counts import CountTable
from dedup.features import unpack
from dedup.store import Record, Store


class DictStore:
    """`Store` in plain dicts. `changes` moves on every write, its own included (a shared server cannot tell whose)."""

    path = "a dict"

    def __init__(self) -> None:
        self.meta: dict[str, str] = {"generation": "1"}
        self.articles: dict[int, Record] = {}  # row → record
        self.rows_by_id: dict[str, int] = {}
        self.next_row = 1
        self.deleted: list[tuple[int, int]] = []  # (seq, row) of every removal
        self.uncounted: dict[int, tuple[bytes, bytes]] = {}  # seq → the removed article's features and lines
        self.blobs: dict[str, bytes] = {}
        self.stored_parts: dict[str, list[bytes]] = {}
        self.version = 0

    def _wrote(self) -> None:
        self.version += 1

    @contextlib.contextmanager
    def reading(self):
        yield  # (one process: nothing writes while it reads)

    def get_meta(self, key: str) -> str | None:
        return self.meta.get(key)

    def set_meta(self, key: str, value: str) -> None:
        self.meta[key] = value
        self._wrote()

    def put(self, records: list[Record]) -> list[int]:
        rows = []
        for r in records:
            self._delete(r.id)
            self.articles[self.next_row] = dataclasses.replace(r, row=self.next_row)
            self.rows_by_id[r.id] = self.next_row
            rows.append(self.next_row)
            self.next_row += 1
        self._wrote()
        return rows

    def delete(self, article_id: str) -> int | None:
        row = self._delete(article_id)
        self._wrote()
        return row

    def _delete(self, article_id: str) -> int | None:
        row = self.rows_by_id.pop(article_id, None)
        if row is not None:
            gone = self.articles.pop(row)
            seq = len(self.deleted) + 1
            self.deleted.append((seq, row))
            self.uncounted[seq] = (gone.features, gone.lines)
        return row

    def get(self, article_id: str) -> Record | None:
        row = self.rows_by_id.get(article_id)
        return None if row is None else dataclasses.replace(self.articles[row])

    def counted(self, article_id: str) -> tuple[int, bytes, bytes] | None:
        row = self.rows_by_id.get(article_id)
        return None if row is None else (row, self.articles[row].features, self.articles[row].lines)

    def contents(self, rows: list[int]) -> list[tuple[int, str, bytes, bytes, bytes]]:
        return [(r, a.id, a.features, a.near_sig, a.lines) for r in rows if (a := self.articles.get(r))]

    def candidates(self, rows: list[int]) -> list[tuple[int, str, bytes, bytes]]:
        return [(r, a.id, a.features, a.near_sig) for r in rows if (a := self.articles.get(r))]

    def keys_since(self, row: int) -> list[tuple[int, bytes, bytes, bytes]]:
        a = self.articles
        return [(r, a[r].near_keys, a[r].term_keys, a[r].term_sig) for r in sorted(a) if r > row]

    def deleted_since(self, seq: int) -> list[tuple[int, int, bytes | None, bytes | None]]:
        return [(s, row, *self.uncounted.get(s, (None, None))) for s, row in self.deleted if s > seq]

    def counted_since(self, row: int) -> list[tuple[int, bytes, bytes]]:
        return [(r, self.articles[r].features, self.articles[r].lines) for r in sorted(self.articles) if r > row]

    def changes(self) -> int:
        return self.version

    def load_counts(self) -> tuple[bytes, bytes, int, int] | None:
        if "terms" not in self.blobs:
            return None
        return self.blobs["terms"], self.blobs["lines"], int(self.meta["counted_to"]), int(self.meta["counted_deleted"])

    def save_counts(self, terms: bytes, lines: bytes, counted_to: int, counted_deleted: int, generation: str | None) -> None:
        saved = (int(self.meta.get("counted_to", 0)), int(self.meta.get("counted_deleted", 0)))
        newer = counted_to >= saved[0] and counted_deleted >= saved[1] and (counted_to, counted_deleted) != saved
        if newer and generation == self.meta["generation"]:
            self.blobs.update(terms=terms, lines=lines)
            self.meta.update(counted_to=str(counted_to), counted_deleted=str(counted_deleted))
            self.uncounted = {s: v for s, v in self.uncounted.items() if s > counted_deleted}
            self._wrote()

    def parts(self, name: str) -> list[bytes]:
        return list(self.stored_parts.get(name, []))

    def set_parts(self, name: str, parts: list[bytes], generation: str | None) -> None:
        if generation == self.meta["generation"]:
            self.stored_parts[name] = list(parts)
            self._wrote()

    def rows(self) -> list[int]:
        return sorted(self.articles)

    def ids(self) -> list[str]:
        return [self.articles[r].id for r in sorted(self.articles)]

    def count(self) -> int:
        return len(self.articles)

    def integrity(self) -> list[str]:
        return [f"article {i!r}: no row {r}" for i, r in self.rows_by_id.items() if r not in self.articles]

    def close(self) -> None:
        pass


def test_the_dict_store_has_every_call_of_the_protocol():
    wanted = {name for name in vars(Store) if not name.startswith("_")}
    assert wanted and wanted <= set(vars(DictStore))


KEYS = ["000", "001", "002", "003", "004"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(KEYS), st.sampled_from(["add", "remove", "flush"])), max_size=12))
def test_indexes_sharing_a_dict_store_answer_as_one_sqlite_index(seeds, ops):
    """Two writers and a reader share one DictStore; after any sequence of adds, replacements, removals and
    flushes, each answers every check as an SQLite index given the same operations, and counts what the store
    holds; a fresh Index on the store (a crawler process starting) does too, and reads the saved state."""
    shared = DictStore()
    first, second, reader = Index(store=shared), Index(store=shared), Index(store=shared)
    reference = Index()
    for which, key, op in ops:
        text = seeds[key] if which else "Update:\n" + seeds[key]
        for writer in (first if which else second, reference):
            if op == "add":
                writer.add(key, text)
            elif op == "remove":
                writer.remove(key)
            else:
                writer.flush()
    terms, lines = CountTable(), CountTable()
    for record in shared.articles.values():
        terms.add(unpack(record.features).term_set)
        lines.add(np.frombuffer(record.lines, dtype="<u8"))
    first.close()
    for ix in (first, second, reader, Index(store=shared)):
        ix._refresh()
        assert (ix.term_counts, ix.line_counts) == (terms, lines)
        assert sorted(ix.ids()) == sorted(reference.ids())
        for key in KEYS:
            probe = "Breaking: " + seeds[key][: len(seeds[key]) * 3 // 4]
            assert ix.check("probe", probe) == reference.check("probe", probe)
