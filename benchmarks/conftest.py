"""Benchmark plumbing: every figure is recorded here, compared with its references from the same run,
written into ``benchmark.extra_info`` (so ``--benchmark-json`` carries the ratios) and printed as a
compact table at the end of the run. No timing is ever asserted.
"""
from __future__ import annotations

import gc
import os
import re
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class Figure:
    group: str  # figures compared with each other
    name: str  # "dedup", "datasketch", ...
    value: float
    unit: str  # "art/s", "µs", "B/article", "s", "MB"
    higher_is_better: bool
    is_dedup: bool
    extra: dict = field(default_factory=dict)  # the benchmark's extra_info dict (shared, mutated in place)


FIGURES: list[Figure] = []
LOAD_AT_START = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def record(group: str, name: str, value: float, unit: str, *, benchmark=None, higher_is_better: bool = True,
           dedup: bool | None = None) -> Figure:
    """Remember one figure; its ratios to the other figures of its group are filled in at session end."""
    extra = benchmark.extra_info if benchmark is not None else {}
    fig = Figure(group, name, float(value), unit, higher_is_better, name.startswith("dedup") if dedup is None else dedup, extra)
    extra[f"{slug(group)} [{unit}]"] = round(fig.value, 3)
    extra.setdefault("load_average", round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None)
    FIGURES.append(fig)
    _fill_ratios()  # now, not at session end: pytest-benchmark's sessionfinish wrapper saves the JSON first
    return fig


def run(benchmark, fn, rounds: int = 3, warmup: int = 1) -> float:
    """Run fn under pytest-benchmark (pedantic, one call per round) and return the median seconds per call.

    Works with --benchmark-disable too (then fn runs once and is timed here)."""
    times: list[float] = []

    def timed():
        gc.collect()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
        return out

    benchmark.pedantic(timed, rounds=rounds, iterations=1, warmup_rounds=warmup)
    measured = times[warmup:] or times
    return statistics.median(measured)


def slug(group: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", group).strip("_")


def ratio_text(r: float) -> str:
    return f"{r:,.2f}×" if r < 10 else f"{r:,.1f}×"


def _fmt(v: float) -> str:
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:,.1f}"
    return f"{v:,.3g}"


def _fill_ratios() -> None:
    by_group: dict[str, list[Figure]] = {}
    for f in FIGURES:
        by_group.setdefault(f.group, []).append(f)
    for figs in by_group.values():
        for d in figs:
            if not d.is_dedup:
                continue
            for o in figs:
                if o.is_dedup or o.name.startswith("dedup") or o.unit != d.unit or o.value <= 0 or d.value <= 0:
                    continue
                r = d.value / o.value if d.higher_is_better else o.value / d.value
                d.extra[f"{slug(d.group)}_ratio_vs_{o.name}"] = round(r, 3)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FIGURES:
        return
    _fill_ratios()
    tr = terminalreporter
    tr.section("dedup benchmark summary (ratios: dedup vs reference, same run; >1 = dedup better)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    tr.write_line(f"machine: {os.cpu_count()} CPUs, load average {LOAD_AT_START:.1f} at start, {load:.1f} at end"
                  + ("  (busy machine: absolute figures and the 2-process ratio are unreliable)" if max(LOAD_AT_START, load) > 1.0 else ""))
    groups: dict[str, list[Figure]] = {}
    for f in FIGURES:
        groups.setdefault(f.group, []).append(f)
    for group, figs in groups.items():
        parts = [f"{f.name} {_fmt(f.value)} {f.unit}" for f in figs]
        ratios = []
        for d in figs:
            if d.is_dedup:
                prefix = f"{slug(d.group)}_ratio_vs_"
                ratios += [f"{d.name}/{k[len(prefix):]} {ratio_text(v)}" for k, v in d.extra.items() if k.startswith(prefix)]
        line = f"{group}: " + " | ".join(parts)
        if ratios:
            line += "  ->  " + ", ".join(ratios)
        tr.write_line(line)
