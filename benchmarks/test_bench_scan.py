"""End-to-end ``dedup.scan``: a folder of N .txt articles and one JSONL of N articles.

Each scan runs in a fresh Python process so its peak memory (ru_maxrss) is its own; the figures are the
scan's own wall time (imports excluded), the process's peak RSS, and the scan's per-stage timings (in
extra_info). N = ``DEDUP_BENCH_SCAN_N`` (default 200). The goal figure is 100k articles in
≤ 30 s and ≤ 2 GB: "goal-rate" below is that rate (3,333 art/s), so the ratio says how far off it is.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.conftest import record, run
from benchmarks.corpus import scan_n, texts, write_folder, write_jsonl

ROOT = Path(__file__).resolve().parents[1]
_CHILD = r"""
import json, resource, sys, time
from dedup import scan
t = time.perf_counter()
r = scan([sys.argv[1]])
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "clusters": len(r.clusters), "unique": len(r.unique), "skipped": len(r.skipped),
                  "timings": r.timings}))
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    docs = texts(scan_n())
    base = tmp_path_factory.mktemp("scan")
    return {"folder": write_folder(docs, base / "folder"), "jsonl": write_jsonl(docs, base / "corpus.jsonl"), "n": len(docs)}


@pytest.mark.parametrize("kind", ["folder", "jsonl"])
def test_scan(benchmark, inputs, kind):
    results = []

    def go():
        out = subprocess.run([sys.executable, "-c", _CHILD, str(inputs[kind])], capture_output=True, text=True, check=True,
                             cwd=ROOT)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))

    run(benchmark, go, rounds=1, warmup=0)
    r = results[-1]
    n = inputs["n"]
    benchmark.extra_info.update(articles=n, clusters=r["clusters"], unique=r["unique"], skipped=r["skipped"],
                                stage_seconds={k: round(v, 3) for k, v in r["timings"].items()})
    record(f"scan {kind} of {n:,}: throughput", "dedup", n / r["wall"], "art/s", benchmark=benchmark)
    record(f"scan {kind} of {n:,}: throughput", "goal-rate", 100_000 / 30, "art/s", benchmark=benchmark, dedup=False)
    record(f"scan {kind} of {n:,}: wall", "dedup", r["wall"], "s", benchmark=benchmark, higher_is_better=False)
    record(f"scan {kind} of {n:,}: peak RSS", "dedup", r["peak_kb"] / 1024, "MB", benchmark=benchmark, higher_is_better=False)
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in r["timings"].items())
    record(f"scan {kind} of {n:,}: stages [{stages}]", "dedup", r["wall"], "s", benchmark=benchmark, higher_is_better=False)
