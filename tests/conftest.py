"""Shared test fixtures: the seed articles and the labelled data beside the repository."""
from __future__ import annotations

import json
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


def outlet_pages(shared: Path, stories: list[str], outlets: int = 6) -> dict[str, str]:
    """Pages of BBC stories as outlets reprint them, keyed f"outlet{o}-{story}": each outlet puts its own short
    chrome around every story (a menu, a "Most read" box of eight sport headlines, a footer)."""
    docs = {d["id"]: d for d in map(json.loads, open(shared / "eval/bbc_news/bbc_news.jsonl", encoding="utf-8"))}
    headlines = [d["title"] for d in docs.values() if d["topic"] == "sport"]
    pages = {}
    for o in range(outlets):
        menu = ["Sign in", "Subscribe", f"The Outlet {o} Daily", "Home | World | Business | Sport"]
        box = ["Most read", *headlines[8 * o : 8 * o + 8]]
        footer = [f"(c) Outlet {o} Media 2026", "Contact us | Privacy | Terms"]
        for s in stories:
            page = [*menu, "", docs[s]["title"], "", *docs[s]["text"].split("\n\n"), "", *box, "", *footer]
            pages[f"outlet{o}-{s}"] = "\n".join(page) + "\n"
    return pages
