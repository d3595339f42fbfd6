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
_built: tuple[Path, Callable[[Any], Any]] | None = None  # in a worker: the stage it last ran and its function


class WorkerError(RuntimeError):
    """A worker process died (killed, out of memory, or a script that starts dedup's workers on import)."""


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Workers:
    """Worker processes for one job, started once: each stage's function is built once per process from a pickle in
    the job's private folder, so the stages of a scan share one start-up (~2 s a process: importing dedup and
    loading its compiled code) instead of paying it for every stage and round."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._folder: ScratchFolder | None = None
        self._stages = 0

    def map(self, make: Callable[..., Callable[[Any], Any]], args: tuple, items: Iterable[tuple[M, Any]], parallel: bool = True) -> Iterator[tuple[M, Any]]:
        """For each (meta, payload), yield (meta, fn(payload)) in order, where fn = make(*args) is built once per
        process; in the workers (at most two batches each at a time, so a corpus of any size streams through
        without being read ahead of the work), or here when there is one worker or the stage is not parallel."""
        if self.workers <= 1 or not parallel:
            fn = make(*args)
            for meta, payload in items:
                yield meta, fn(payload)
            return
        self.start()
        # (make, args) can weigh megabytes (count tables, spool offsets). Handed to the pool, they would be written
        # into each child's pipe, and a child that dies before reading them all leaves that write, and this
        # process, blocked for ever; the children read them from this private file instead.
        self._stages += 1
        start = self._folder.path / f"stage-{self._stages}.pickle"
        start.write_bytes(pickle.dumps((make, args), pickle.HIGHEST_PROTOCOL))
        try:
            pending: deque[tuple[M, Future]] = deque()
            for meta, payload in items:
                pending.append((meta, self._pool.submit(_run, start, payload)))
                if len(pending) >= 2 * self.workers:
                    done_meta, future = pending.popleft()
                    yield done_meta, future.result()
            while pending:
                done_meta, future = pending.popleft()
                yield done_meta, future.result()
            start.unlink()  # (every task of the stage is done: no process reads it again)
        except BrokenProcessPool as e:
            raise WorkerError(
                "a dedup worker process died (killed, out of memory, or started from a script whose dedup call is not "
                "under `if __name__ == \"__main__\":`, which spawned processes need); its error, if any, is printed "
                "above. Run with one process (workers=1, or --workers 1) to work around it."
            ) from e

    @property
    def started(self) -> bool:
        """Whether the processes run (a map hands them the work)."""
        return self._pool is not None

    def start(self, warm_up: Callable[[], Any] | None = None) -> None:
        """Start the processes now (else the first parallel map starts them), each running warm_up first: a
        process takes ~2 s to import dedup and load its compiled code, which can then overlap other work."""
        if self._pool is not None or self.workers <= 1:
            return
        self._folder = ScratchFolder("dedup-workers-")
        context = multiprocessing.get_context("spawn")  # no inherited threads or locks: safe inside any host program
        self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_die_with, initargs=(os.getpid(),))
        if warm_up is not None:
            for _ in range(self.workers):  # (one task a process: the pool starts a process for each while none is idle)
                self._pool.submit(warm_up)

    def close(self) -> None:
        """Stop the processes (after the work handed to them) and remove the folder."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._folder.cleanup()
            self._pool = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def _run(start: Path, payload: Any) -> Any:
    """fn(payload), fn built from the stage's pickle the first time this process meets the stage."""
    global _built
    if _built is None or _built[0] != start:
        _built = None  # (the last stage's function goes before the next is built: they can hold megabytes)
        make, args = pickle.loads(start.read_bytes())
        _built = (start, make(*args))
    return _built[1](payload)
