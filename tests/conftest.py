"""Shared test fixtures: the seed articles and the labelled data beside the repository."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "fixtures" / "seeds"
SHARED = ROOT.parent / "shared"


def seed_texts() -> dict[str, str]:
    """The five seed articles, keyed by their three-digit prefix."""
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    return seed_texts()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "eval").is_dir():
        pytest.skip(f"labelled data not found at {SHARED}/eval")
    return SHARED
