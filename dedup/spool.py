"""Article texts and packed features parked in a temporary file: a scan's memory stays bounded at any size,
and worker processes read the same file."""
from __future__ import annotations

import os
import tempfile
import zlib
from pathlib import Path

from .features import Features, unpack

CACHE_BYTES = 256 << 20  # packed features kept in memory per reader


class Spool:
    """Append-only store of (text, packed features) per article, numbered in order of arrival."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="dedup-scan-")
        self.path = Path(self._dir.name) / "articles"
        self._file = open(self.path, "w+b")
        self._offsets: list[tuple[int, int, int]] = []  # (offset, text length, features length)

    def append(self, text: str, packed: bytes) -> None:
        """Park one article: its text and its packed features."""
        t = zlib.compress(text.encode("utf-8", "surrogatepass"), 1)
        self._offsets.append((self._file.seek(0, os.SEEK_END), len(t), len(packed)))
        self._file.write(t)
        self._file.write(packed)

    def reader(self) -> SpoolReader:
        """A reader of everything appended so far; it can be sent to another process."""
        self._file.flush()
        return SpoolReader(self.path, self._offsets)

    def close(self) -> None:
        self._file.close()
        self._dir.cleanup()


class SpoolReader:
    """Random access to a spool's articles, with a cache of recently read features."""

    def __init__(self, path: Path, offsets: list[tuple[int, int, int]]):
        self.path, self.offsets = path, offsets
        self._file = None
        self._cache: dict[int, Features] = {}
        self._cached = 0

    def __getstate__(self) -> dict:
        return {"path": self.path, "offsets": self.offsets}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"], state["offsets"])

    def _read(self, offset: int, length: int) -> bytes:
        if self._file is None:
            self._file = open(self.path, "rb")
        self._file.seek(offset)
        return self._file.read(length)

    def features(self, i: int) -> Features:
        """Features of article i (the cache holds at most CACHE_BYTES of packed features)."""
        f = self._cache.get(i)
        if f is None:
            off, tl, fl = self.offsets[i]
            if self._cached + fl > CACHE_BYTES:
                self._cache.clear()
                self._cached = 0
            f = self._cache[i] = unpack(self._read(off + tl, fl))
            self._cached += fl
        return f

    def text(self, i: int) -> str:
        off, tl, _ = self.offsets[i]
        return zlib.decompress(self._read(off, tl)).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
