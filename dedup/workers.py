"""Run one function over batches on every core: results in input order, few batches in flight (bounded memory)."""
from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import pickle
import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

from .scratch import ScratchFolder

M = TypeVar("M")  # what stays in this process with a batch
_worker_fn: Callable[[Any], Any] | None = None


class WorkerError(RuntimeError):
    """A worker process died (killed, out of memory, or a script that starts dedup's workers on import)."""


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ordered_map(make: Callable[..., Callable[[Any], Any]], args: tuple, items: Iterable[tuple[M, Any]], workers: int) -> Iterator[tuple[M, Any]]:
    """For each (meta, payload), yield (meta, fn(payload)) in order, where fn = make(*args) is built once per process.

    With workers > 1 the payloads go to that many spawned processes, at most two batches per worker at a time,
    so a corpus of any size streams through without being read into memory ahead of the work.
    """
    if workers <= 1:
        fn = make(*args)
        for meta, payload in items:
            yield meta, fn(payload)
        return
    context = multiprocessing.get_context("spawn")  # no inherited threads or locks: safe inside any host program
    with ScratchFolder("dedup-workers-") as folder:
        # (make, args) can weigh megabytes (count tables, spool offsets). Handed to the pool, they would be written
        # into each child's start-up pipe, and a child that dies before reading them all leaves that write, and
        # this process, blocked for ever; the children read them from this private file instead.
        start = folder / "start.pickle"
        start.write_bytes(pickle.dumps((make, args), pickle.HIGHEST_PROTOCOL))
        try:
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(start, os.getpid())) as pool:
                pending: deque[tuple[M, Future]] = deque()
                for meta, payload in items:
                    pending.append((meta, pool.submit(_run, payload)))
                    if len(pending) >= 2 * workers:
                        done_meta, future = pending.popleft()
                        yield done_meta, future.result()
                while pending:
                    done_meta, future = pending.popleft()
                    yield done_meta, future.result()
        except BrokenProcessPool as e:
            raise WorkerError(
                "a dedup worker process died (killed, out of memory, or started from a script whose dedup call is not "
                "under `if __name__ == \"__main__\":`, which spawned processes need); its error, if any, is printed "
                "above. Run with one process (workers=1, or --workers 1) to work around it."
            ) from e


def _start(start: Path, parent: int) -> None:
    """Build this worker's function from what the parent parked (its own pickle, in its own private folder);
    first, on Linux, ask to be killed when the parent dies (a killed scan left its workers running for ever)."""
    global _worker_fn
    _die_with(parent)
    make, args = pickle.loads(start.read_bytes())
    _worker_fn = make(*args)


def _die_with(parent: int) -> None:
    """PR_SET_PDEATHSIG: SIGKILL this process when its parent exits; if the parent is already gone, exit now."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: a worker outlives a killed parent until its pipe breaks
        return
    if os.getppid() != parent:
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _run(payload: Any) -> Any:
    assert _worker_fn is not None, "worker used before its initializer ran"
    return _worker_fn(payload)
