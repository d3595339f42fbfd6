"""The process pool: results in input order, and a worker that dies mid-run is an error, never a hang."""
import os

import pytest

from dedup.workers import WorkerError, Workers


def _square_or_die(die_on: int):
    def fn(x: int) -> int:
        if x == die_on:
            os._exit(3)  # what the kernel's out-of-memory killer does to a worker, as far as the parent can tell
        return x * x
    return fn


def test_results_come_back_in_input_order():
    items = [(f"batch {x}", x) for x in range(40)]
    with Workers(2) as pool:
        assert list(pool.map(_square_or_die, (-1,), items)) == [(f"batch {x}", x * x) for x in range(40)]


def _pid_and(offset: int):
    def fn(x: int) -> tuple[int, int]:
        return os.getpid(), x + offset
    return fn


def test_the_stages_of_a_job_share_one_start_up_of_the_workers():
    """A scan started its processes afresh for each stage and each verification round (~0.7 s each): on 6,000
    real articles, verification took 2.9 s with two workers and 0.7 s with none."""
    with Workers(2) as pool:
        first = list(pool.map(_pid_and, (0,), ((x, x) for x in range(20))))
        second = list(pool.map(_pid_and, (100,), ((x, x) for x in range(20))))  # another function: built anew
        here = list(pool.map(_pid_and, (5,), ((x, x) for x in range(3)), parallel=False))
    assert [v for _, (_, v) in first] == list(range(20)) and [v for _, (_, v) in second] == [x + 100 for x in range(20)]
    workers = {pid for _, (pid, _) in first}
    assert os.getpid() not in workers and {pid for _, (pid, _) in second} <= workers
    assert here == [(x, (os.getpid(), x + 5)) for x in range(3)]


def test_a_worker_killed_mid_run_raises_worker_error():
    with Workers(2) as pool, pytest.raises(WorkerError, match="worker process died"):
        for meta, value in pool.map(_square_or_die, (25,), ((x, x) for x in range(40))):
            assert value == meta * meta


_SCRIPT = '''
import os, sys, time
from dedup.workers import Workers

def _park(folder):
    def fn(x):
        open(os.path.join(folder, str(os.getpid())), "w").close()
        time.sleep(120)
    return fn

if __name__ == "__main__":
    with Workers(2) as pool:
        for _ in pool.map(_park, (sys.argv[1],), ((x, x) for x in range(4))):
            pass
'''


def test_workers_die_with_a_killed_parent(tmp_path):
    """A scan killed with SIGKILL left its worker processes running for ever (holding its output pipe open)."""
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    parked = tmp_path / "parked"
    parked.mkdir()
    temp = tmp_path / "tmp"  # (the killed parent cannot remove its private folder: keep it out of the real TMPDIR)
    temp.mkdir()
    parent = subprocess.Popen([sys.executable, str(script), str(parked)], cwd=os.path.dirname(os.path.dirname(__file__)),
                              env={**os.environ, "TMPDIR": str(temp)})
    deadline = time.monotonic() + 120
    while len(list(parked.iterdir())) < 2 and time.monotonic() < deadline and parent.poll() is None:
        time.sleep(0.05)
    workers = [int(p.name) for p in parked.iterdir()]
    assert len(workers) == 2, "the workers never started"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [pid for pid in workers if _running(pid)]
    assert alive == []


def _running(pid: int) -> bool:
    """Whether process pid exists and is not a zombie waiting for its parent to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False
