"""Temporary folders: a killed process's is removed by the next dedup process, a live one's never."""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dedup.scratch import ScratchFolder

_HOLD = """
import sys, time
from dedup.scratch import ScratchFolder
folder = ScratchFolder(sys.argv[1])
(folder.path / "articles").write_bytes(bytes(100_000))  # a scan's spool of texts
print(folder.path, flush=True)
time.sleep(300)
"""


def test_a_folder_left_by_a_killed_process_is_removed_by_the_next_one_and_a_live_ones_is_not(tmp_path, monkeypatch):
    """kill -9 (or the out-of-memory killer) left a scan's spool in TMPDIR for good: tens of MB to GB a scan; and
    its workers' folder, which a later scan with one process (it makes none) never swept."""
    holders = [subprocess.Popen([sys.executable, "-c", _HOLD, kind], env={**os.environ, "TMPDIR": str(tmp_path)}, stdout=subprocess.PIPE, text=True)
               for kind in ("dedup-scan-", "dedup-workers-", "dedup-scan-")]
    try:
        killed, killed_workers, live = (Path(h.stdout.readline().strip()) for h in holders)
        for h in holders[:2]:
            h.kill()
            h.wait()
        young = tmp_path / "dedup-scan-young"  # not locked yet, but just made: a process may be about to lock it
        young.mkdir()
        unrelated = tmp_path / "unrelated"
        unrelated.mkdir()
        hour_ago = time.time() - 3600
        for folder in (killed, killed_workers, live, unrelated):
            os.utime(folder, (hour_ago, hour_ago))
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        new = ScratchFolder("dedup-scan-")
        assert not killed.exists() and not killed_workers.exists()
        assert (live / "articles").stat().st_size == 100_000 and young.is_dir() and unrelated.is_dir() and new.path.is_dir()
        new.cleanup()
        assert not new.path.exists()
    finally:
        for h in holders:
            h.kill()
            h.wait()
