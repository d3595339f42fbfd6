"""The process pool: results in input order, and a worker that dies mid-run is an error, never a hang."""
import os

import pytest

from dedup.workers import WorkerError, ordered_map


def _square_or_die(die_on: int):
    def fn(x: int) -> int:
        if x == die_on:
            os._exit(3)  # what the kernel's out-of-memory killer does to a worker, as far as the parent can tell
        return x * x
    return fn


def test_results_come_back_in_input_order():
    items = [(f"batch {x}", x) for x in range(40)]
    assert list(ordered_map(_square_or_die, (-1,), items, workers=2)) == [(f"batch {x}", x * x) for x in range(40)]


def test_a_worker_killed_mid_run_raises_worker_error():
    results = ordered_map(_square_or_die, (25,), ((x, x) for x in range(40)), workers=2)
    with pytest.raises(WorkerError, match="worker process died"):
        for meta, value in results:
            assert value == meta * meta
