"""The numba-compiled kernels (`dedup._compiled`), or None without numba: callers then take their numpy path."""
from __future__ import annotations

import atexit
import os
import shutil
import stat
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from types import ModuleType


@lru_cache(maxsize=1)
def kernels() -> Interruptible | None:
    before = set(sys.modules)
    try:
        try:
            from . import _compiled
        except ImportError:
            return None
        except RuntimeError:  # numba may write its compiled code neither beside the package nor in this user's home
            from numba.core import config

            config.CACHE_DIR = _private_cache()
            from . import _compiled
    except BaseException:  # (Ctrl-C half way through importing numba: forget its half-made modules, so the next call imports them whole)
        for name in set(sys.modules) - before:
            del sys.modules[name]
        raise
    return Interruptible(_compiled)


class Interruptible:
    """A module's functions, each raising KeyboardInterrupt for a Ctrl-C (or SIGTERM) that arrives while it runs:
    numba can return from a kernel with the interrupt pending, which Python reports as a SystemError caused by it."""

    def __init__(self, module: ModuleType):
        self._module = module

    def __getattr__(self, name: str):
        kernel = getattr(self._module, name)
        if not callable(kernel):
            return kernel  # (a constant)

        def call(*args):
            try:
                return kernel(*args)
            except SystemError as e:
                interrupt = _interrupt_in(e)
                if interrupt is not None:
                    raise interrupt from None
                raise

        setattr(self, name, call)  # (looked up once)
        return call


def _interrupt_in(error: BaseException) -> BaseException | None:
    """The KeyboardInterrupt (or SystemExit, from a SIGTERM handler) somewhere in error's chain of causes, if any:
    numba can wrap it in several SystemErrors."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _private_cache() -> str:
    """A folder for numba's compiled code in the temporary folder that only this user can write (numba loads code
    from it): the same one each run when it is this user's own, else a new one, removed at exit (compiled again each run)."""
    uid = os.getuid()
    path = Path(tempfile.gettempdir()) / f"dedup-numba-{uid}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        held = path.lstat()
        if stat.S_ISDIR(held.st_mode) and held.st_uid == uid and not held.st_mode & 0o022:
            return str(path)
    except OSError:
        pass
    own = tempfile.mkdtemp(prefix="dedup-numba-")
    atexit.register(shutil.rmtree, own, ignore_errors=True)
    return own
