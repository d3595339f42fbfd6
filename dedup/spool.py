"""Article texts and packed features parked in a temporary file: a scan's memory stays bounded at any size, the
second pass reads texts back instead of reading and decoding every file again, and worker processes read the
same file."""
from __future__ import annotations

from pathlib import Path

from .features import Features, unpack
from .scratch import ScratchFolder

CACHE_BYTES = 256 << 20  # packed features kept in memory per reader


class Spool:
    """Append-only store of each article's text (first pass) and packed features (second pass), numbered in the
    order the texts arrived."""

    def __init__(self) -> None:
        self._dir = ScratchFolder("dedup-scan-")
        self.path = self._dir.path / "articles"
        self._file = open(self.path, "w+b")
        self._end = 0  # where the next write goes: only this handle writes, always at the end
        self._texts: list[tuple[int, int]] = []  # (offset, length) of each text's UTF-8 bytes
        self._features: list[tuple[int, int]] = []  # (offset, length) of each article's packed features

    def add_text(self, text: str) -> None:
        """Park the next article's text, uncompressed: zlib took ~90 µs an article, far longer than writing and
        reading back the bytes it saved."""
        self._texts.append(self._write(text.encode("utf-8", "surrogatepass")))

    def put_features(self, i: int, packed: bytes) -> None:
        """Park the packed features of article i: the next one (in the order of the texts), or one parked before,
        whose new features readers made from now on read."""
        at = self._write(packed)
        if i == len(self._features):
            self._features.append(at)
        else:
            self._features[i] = at

    def _write(self, data: bytes) -> tuple[int, int]:
        at = self._end
        self._file.write(data)
        self._end += len(data)
        return at, len(data)

    def reader(self) -> SpoolReader:
        """A reader of everything parked so far; it can be sent to another process."""
        self._file.flush()
        return SpoolReader(self.path, list(self._texts), list(self._features))

    def close(self) -> None:
        self._file.close()
        self._dir.cleanup()


class SpoolReader:
    """Random access to a spool's articles, with a cache of recently read features."""

    def __init__(self, path: Path, texts: list[tuple[int, int]], features: list[tuple[int, int]]):
        self.path, self.texts, self.packed = path, texts, features
        self._file = None
        self._cache: dict[int, Features] = {}
        self._cached = 0

    def __getstate__(self) -> dict:
        return {"path": self.path, "texts": self.texts, "features": self.packed}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"], state["texts"], state["features"])

    def _read(self, offset: int, length: int) -> bytes:
        if self._file is None:
            self._file = open(self.path, "rb")
        self._file.seek(offset)
        return self._file.read(length)

    def features(self, i: int) -> Features:
        """Features of article i (the cache holds at most CACHE_BYTES of packed features)."""
        f = self._cache.get(i)
        if f is None:
            offset, length = self.packed[i]
            if self._cached + length > CACHE_BYTES:
                self._cache.clear()
                self._cached = 0
            f = self._cache[i] = unpack(self._read(offset, length))
            self._cached += length
        return f

    def text(self, i: int) -> str:
        return self._read(*self.texts[i]).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
