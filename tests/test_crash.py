"""Kills and concurrent writers: the index opens, passes its check, and holds every add that returned."""
import itertools
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import dedup
from dedup import Index, IndexFileError
from test_index import _recount

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


_MUTABLE = {f"{Path(dedup.__file__).parent}/{name}.py" for name in ("index", "lsh", "prefilter", "counts", "store", "arrays")}


class _CtrlC:
    """Raises KeyboardInterrupt at the n-th line or return run in the modules that hold or change an index's
    state, as a Ctrl-C can land between any two of them (the sketching and verification between do not change
    it), even as a function returns: after BEGIN, before its `with` block holds it to be ended."""

    def __init__(self, n: int):
        self.n = n
        self.lines = 0

    def _line(self, frame, event, arg):
        if event in ("line", "return"):
            self.lines += 1
            if self.lines == self.n:
                raise KeyboardInterrupt
        return self._line

    def _call(self, frame, event, arg):
        return self._line if frame.f_code.co_filename in _MUTABLE else None

    def run(self, call) -> bool:
        """Whether the interrupt landed in call."""
        sys.settrace(self._call)
        try:
            call()
        except KeyboardInterrupt:
            return True
        finally:
            sys.settrace(None)
        return False


_CALLS = {
    "add": lambda ix, texts: ix.add_many([("b", texts[2], None), ("c", texts[3], None)]),  # b replaced
    "remove": lambda ix, texts: ix.remove("a"),
    "check": lambda ix, texts: ix.check("b", texts[4]),  # b uncounted for the check, counted again after
    "close": lambda ix, texts: ix.close(),
}


@pytest.mark.parametrize("call", _CALLS)
def test_ctrl_c_anywhere_in_a_call_and_again_in_the_next_leaves_a_sound_index(tmp_path, seeds, call):
    """Ctrl-C at any line of add, remove, check or close (every 5th line or return is tried), and a second one in the next
    call, which finds the index's counts or band tables half changed: the call after that answers from counts and
    band tables equal to a fresh count of what is stored, and what close saves opens sound (before: band tables
    missing an added row, counts saved with a replaced article's terms)."""
    texts = list(seeds.values())
    landed = 0
    for n in itertools.count(1, 5):
        path = tmp_path / f"{n}.dedup"
        ix = Index.open(path)
        ix.add("a", texts[0])
        ix.add("b", texts[1])
        if not _CtrlC(n).run(lambda: _CALLS[call](ix, texts)):
            ix.close()
            break
        landed += 1
        if call == "close":
            ix.close()  # (the user's second try)
        else:
            _CtrlC(1 + n % 97).run(lambda: ix.check("x", texts[3]))
            assert ix.check_integrity() == [], n
            assert (ix.term_counts, ix.line_counts) == _recount(path), n
            ix.close()
        with Index.open(path) as reopened:
            assert reopened.check_integrity() == [], n
    assert landed > 20


INTERRUPTED_IMPORT = r"""
import sys
from pathlib import Path


class CtrlC:
    '''Raises KeyboardInterrupt as numba, half imported, is about to import one of its modules (once).'''

    def find_spec(self, name, path=None, target=None):
        if name == sys.argv[1]:
            sys.meta_path.remove(self)
            raise KeyboardInterrupt
        return None


sys.meta_path.insert(0, CtrlC())
from dedup import Index, accel
try:
    accel.kernels()
    print("not interrupted")
except KeyboardInterrupt:
    pass
text = Path(sys.argv[2]).read_text(encoding="utf-8")
index = Index()
index.add("a", text)
print(accel.kernels() is not None, index.check("b", text)[0].relation)
"""


@pytest.mark.parametrize("module", ["numba.core.types.misc", "numba.np.ufunc", "dedup._compiled"])
def test_ctrl_c_while_numba_is_first_imported_leaves_it_importable(module):
    """The compiled kernels are imported on first use; a Ctrl-C half way through left numba's modules half made, and
    every later use failed ("partially initialized module 'numba.core.types' has no attribute 'misc'")."""
    pytest.importorskip("numba", reason="numba is not installed: no compiled kernels")
    from conftest import SEEDS

    done = subprocess.run([sys.executable, "-c", INTERRUPTED_IMPORT, module, str(SEEDS / "000_9b5600509f698df4.txt")], capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stdout) == (0, "True duplicate\n"), done.stderr
