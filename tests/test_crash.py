"""Kills and concurrent writers: the index opens, passes its check, and holds every add that returned."""
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dedup import Index, IndexFileError

WRITER = r"""
import sys
from pathlib import Path
from dedup import Index
path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[4]).glob("*.txt"))]
warm = Path(path).with_name(f"{prefix}-warm.dedup")  # every kernel a check runs, compiled (or loaded) before the
with Index.open(warm) as w:                          # kills start: a kill mid-compile would leave nothing cached
    for k in range(20):
        w.add(f"w{k}", f"Warm-up {k}. " + texts[k % len(texts)])
with Index.open(warm) as w:  # reopened: the stored band tables (one run); one more add is a second, smaller run
    w.check("probe", texts[0])
    w.add("one more", "Update: " + texts[1])
    w.check("probe", texts[0])
print("ready", flush=True)
ix = Index.open(path, timeout=60)
for i in range(count):
    text = texts[i % len(texts)]
    words = text.split()
    # every article differs: a different window of a seed plus its own number
    ix.add(f"{prefix}-{i}", f"Item {prefix} {i}. " + " ".join(words[i % 50 :]))
    print(f"{prefix}-{i}", flush=True)  # printed only after add() returned
ix.close()
"""


def _writer(path: Path, prefix: str, count: int, seeds_dir: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), prefix, str(count), str(seeds_dir)], stdout=subprocess.PIPE, text=True)


def _returned(proc: subprocess.Popen) -> list[str]:
    """The ids whose add returned (what the writer printed after its "ready")."""
    out, _ = proc.communicate(timeout=120)
    return [line for line in out.split() if line != "ready"]


def test_sigkill_mid_add_loses_nothing_that_returned(tmp_path):
    from conftest import SEEDS

    path = tmp_path / "killed.dedup"
    rng = random.Random(7)
    confirmed: set[str] = set()
    for round_ in range(5):
        proc = _writer(path, f"r{round_}", 100_000, SEEDS)
        assert proc.stdout.readline().split() == ["ready"]  # start-up (imports, compiled kernels) is over
        time.sleep(rng.uniform(0.5, 2.0))
        proc.send_signal(signal.SIGKILL)
        confirmed.update(_returned(proc))
        with Index.open(path) as ix:
            assert ix.check_integrity() == []
            missing = [i for i in confirmed if i not in ix]
            assert missing == []
    assert len(confirmed) > 50  # the kills really landed in the middle of work


def test_two_writers_and_a_reader_lose_nothing(tmp_path):
    from conftest import SEEDS

    path = tmp_path / "shared.dedup"
    Index.open(path).close()
    writers = [_writer(path, p, 150, SEEDS) for p in ("w1", "w2")]
    reader = Index.open(path)
    probe = (SEEDS / "000_9b5600509f698df4.txt").read_text(encoding="utf-8")
    seen = 0
    while any(w.poll() is None for w in writers):
        matches = reader.check("probe", probe)  # never fails, never sees a half-written article
        assert all(m.relation in ("duplicate", "near-duplicate", "rewrite", "partial") for m in matches)
        seen = max(seen, len(reader))
        time.sleep(0.05)
    returned = _returned(writers[0]) + _returned(writers[1])
    assert all(w.returncode == 0 for w in writers)
    reader.close()
    with Index.open(path) as ix:
        assert len(ix) == 300 and all(i in ix for i in returned)
        assert ix.check_integrity() == []
    assert seen > 0  # the reader saw the writers' articles while they worked


def test_a_writer_that_cannot_get_the_lock_gets_a_clear_error(tmp_path, seeds):
    path = tmp_path / "locked.dedup"
    Index.open(path).close()
    holder = Index.open(path)
    holder.store.db.execute("BEGIN IMMEDIATE")  # another process's long write transaction
    try:
        waiting = Index.open(path, timeout=0.2)
        with pytest.raises(IndexFileError, match="another process is writing"):
            waiting.add("x", seeds["000"])
        waiting.store.close()
    finally:
        holder.store.db.execute("ROLLBACK")
        holder.close()
