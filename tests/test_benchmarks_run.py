"""The benchmarks run in CI at a tiny size (timings disabled), so they cannot rot; figures come from full runs."""
import os
import subprocess
import sys

from conftest import ROOT


def test_benchmark_suite_runs_at_a_tiny_size(tmp_path):
    env = {**os.environ, "DEDUP_BENCH_N": "100", "DEDUP_BENCH_INDEX_SIZES": "500", "DEDUP_BENCH_SCAN_N": "100"}
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "benchmarks/", "--benchmark-disable", "-q", "-p", "no:cacheprovider", "-x"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "dedup benchmark summary" in out.stdout and "signatures from raw text" in out.stdout
