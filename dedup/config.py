"""One object holds every tunable parameter, so an index can store it and queries reuse it."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Config:
    """Engine parameters. Stored inside an index: a query always uses the index's own."""

    shingle_size: int = 5  # words per shingle for near-duplicate detection
    num_perm: int = 128  # MinHash permutations of the word-shingle signature
    term_num_perm: int = 256  # ...of the content-term signature: more bands, for recall at low similarity
    seed: int = 1  # seeds the MinHash permutations: same seed, same signatures everywhere
    near_threshold: float = 0.3  # LSH threshold on word-shingle Jaccard: below near_jaccard, so pairs at 0.5 are found
    rewrite_lsh_threshold: float = 0.10  # LSH threshold on content-term Jaccard (rewrite candidates; recall first)
    lsh_fp_weight: float = 0.5  # datasketch-style weights used to choose the band layout
    lsh_fn_weight: float = 0.5
    near_jaccard: float = 0.5  # verified shingle Jaccard that makes a near-duplicate...
    near_containment: float = 0.8  # ...or containment of the shorter in the longer (trimmed copies)
    common_term_share: float = 0.01  # terms in more than this share of articles stay out of the rewrite LSH
    rewrite_score: float = 0.14  # verified rewrite score (IDF-weighted content-term Jaccard) that makes a rewrite
    rewrite_min_shared: int = 10  # distinct content terms a rewrite must share (short texts prove little)
    partial_passages: int = 2  # shared passages (sentence pairs) that make a partial link: one sentence is too often a template
    min_words: int = 25  # articles with fewer words are "too short to compare"
    max_article_chars: int = 2_000_000  # longer articles are truncated with a warning
    boilerplate_min_docs: int = 3  # a line seen in this many articles may be boilerplate

    def __post_init__(self) -> None:
        """ValueError naming the first parameter out of its range: a NaN threshold, say, would make the compiled
        check and the numpy verification disagree, and a stored one would make a whole index misjudge."""
        for name, low in (("shingle_size", 1), ("num_perm", 1), ("term_num_perm", 1), ("rewrite_min_shared", 0),
                          ("partial_passages", 0), ("min_words", 0), ("max_article_chars", 1), ("boilerplate_min_docs", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"Config.{name} must be a whole number ≥ {low}, not {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"Config.seed must be a whole number, not {self.seed!r}")
        for name, low_open in (("near_threshold", True), ("rewrite_lsh_threshold", True), ("near_jaccard", False),
                               ("near_containment", False), ("common_term_share", False), ("rewrite_score", False),
                               ("lsh_fp_weight", False), ("lsh_fn_weight", False)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 < value <= 1 if low_open else 0 <= value <= 1):
                raise ValueError(f"Config.{name} must be a number in {'(0' if low_open else '[0'}, 1], not {value!r}")
        if self.lsh_fp_weight + self.lsh_fn_weight == 0:
            raise ValueError("Config.lsh_fp_weight and lsh_fn_weight cannot both be 0")

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, data: str) -> "Config":
        raw = json.loads(data)
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown config fields: {sorted(unknown)}")
        return cls(**raw)
