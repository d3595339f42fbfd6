"""Temporary folders (a scan's spool, the workers' start file) that outlive no process for long: each is removed
when its work ends, and one a killed process left behind (kill -9, out of memory) is removed by the next dedup
process that makes one of any kind. A folder is known to be left behind by its lock: the system frees a lock when
its process ends, however it ends."""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
import weakref
from pathlib import Path

try:
    import fcntl
except ImportError:  # (no fcntl: folders are still removed at the end of their work, but not swept)
    fcntl = None

_KINDS = ("dedup-scan-", "dedup-workers-")  # the folders made here (a scan with one process makes no workers' folder, so each sweeps both)
_SETTLING = 60.0  # seconds: a folder is locked as soon as it is made, so an unlocked one older than this is left behind


class ScratchFolder:
    """A private temporary folder, locked while this process uses it."""

    def __init__(self, prefix: str) -> None:
        _sweep((prefix, *_KINDS))
        held: list[int] = []  # the lock's descriptor, once taken
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        self._finalizer = weakref.finalize(self, _remove, self.path, held)  # (at once: an interruption leaves nothing)
        if fcntl is not None:
            held.append(os.open(self.path, os.O_RDONLY))
            fcntl.flock(held[0], fcntl.LOCK_EX)

    def cleanup(self) -> None:
        """Remove the folder and what it holds (once; later calls do nothing)."""
        self._finalizer()

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


def _remove(path: Path, held: list[int]) -> None:
    shutil.rmtree(path, ignore_errors=True)
    for fd in held:
        os.close(fd)


def _sweep(prefixes: tuple[str, ...]) -> None:
    """Remove the folders of these kinds that no process holds any more (only this user's, only old enough)."""
    if fcntl is None:
        return
    root = Path(tempfile.gettempdir())
    try:
        found = [p for p in root.iterdir() if p.name.startswith(prefixes)]
    except OSError:
        return
    for folder in found:
        try:
            st = folder.lstat()  # (a link is not a folder here: never followed)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or time.time() - st.st_mtime < _SETTLING:
                continue
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # held: a live process's
            continue
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)
