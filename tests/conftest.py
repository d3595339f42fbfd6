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


def bbc_under_footer(shared: Path, wrapped: bool, n: int = 40) -> dict[str, str]:
    """n BBC stories under one five-line footer, paragraph by paragraph, hard-wrapped at 72 characters or not."""
    import json
    import textwrap

    footer = ["Share this article on Facebook, Twitter or by email with your friends and colleagues",
              "Related: more stories from our newsroom about business, politics and technology",
              "© 2024 Example Media Group. All rights reserved. Reproduction is prohibited.",
              "Subscribe to our morning newsletter for the latest headlines and analysis",
              "The views expressed here do not reflect the opinion of Example Media"]
    out = {}
    for line in open(shared / "eval/bbc_news/bbc_news.jsonl", encoding="utf-8").readlines()[:n]:
        d = json.loads(line)
        paragraphs = [d["title"]] + [p for p in d["text"].split("\n") if p.strip()]
        if wrapped:
            paragraphs = ["\n".join(textwrap.wrap(p, 72)) for p in paragraphs]
        out[d["id"]] = "\n\n".join(paragraphs) + "\n\n" + "\n".join(footer) + "\n"
    return out
