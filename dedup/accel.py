"""The numba-compiled kernels (`dedup._compiled`), or None without numba: callers then take their numpy path."""
from __future__ import annotations

from functools import lru_cache
from types import ModuleType


@lru_cache(maxsize=1)
def kernels() -> ModuleType | None:
    try:
        from . import _compiled
    except ImportError:
        return None
    return _compiled
