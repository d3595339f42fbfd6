"""From article text to everything the index stores: features, MinHash signatures and LSH band keys."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Config
from .counts import CountTable
from .features import Features, extract
from .lsh import band_keys, optimal_bands
from .signature import Permutations


_MIN_DOCS_FOR_DF = 1000  # below this, document frequencies say too little to call a word common
_MIN_COMMON_DF = 10


@dataclass
class Sketch:
    """One article, ready to be checked or indexed."""

    features: Features
    near_sig: np.ndarray  # MinHash of word shingles
    term_sig: np.ndarray  # MinHash of content terms
    near_keys: np.ndarray  # LSH band keys of near_sig
    term_keys: np.ndarray  # LSH band keys of term_sig


class Sketcher:
    """Turns texts into sketches with one configuration's permutations and band layouts."""

    def __init__(self, config: Config):
        self.config = config
        self.perms = Permutations(config.num_perm, config.seed)
        self.term_perms = Permutations(config.term_num_perm, config.seed)
        self.near_bands = optimal_bands(config.near_threshold, config.num_perm, config.lsh_fp_weight, config.lsh_fn_weight)
        self.term_bands = optimal_bands(config.rewrite_lsh_threshold, config.term_num_perm, config.lsh_fp_weight, config.lsh_fn_weight)

    def sketch(self, texts: list[str], term_counts: CountTable) -> list[Sketch]:
        """Sketches of many texts, signatures computed in one vectorised batch."""
        feats = [extract(t, self.config.shingle_size) for t in texts]
        near, near_keys = self.near(feats)
        term, term_keys = self.terms(feats, term_counts)
        return [Sketch(f, near[i], term[i], near_keys[i], term_keys[i]) for i, f in enumerate(feats)]

    def near(self, feats: list[Features]) -> tuple[np.ndarray, np.ndarray]:
        """Word-shingle signatures and their band keys."""
        sigs = self.perms.signatures([f.shingles for f in feats])
        return sigs, band_keys(sigs, *self.near_bands)

    def terms(self, feats: list[Features], term_counts: CountTable) -> tuple[np.ndarray, np.ndarray]:
        """Content-term signatures and their band keys (common terms judged by term_counts)."""
        sigs = self.term_perms.signatures([self.distinctive(f, term_counts) for f in feats])
        return sigs, band_keys(sigs, *self.term_bands)

    def distinctive(self, f: Features, term_counts: CountTable) -> np.ndarray:
        """The content terms that go into the rewrite signature: all but the corpus's commonest.

        Words found in more than `common_term_share` of a large corpus ("government", "market") make
        unrelated articles on one topic look alike and flood the LSH buckets; rewrites share rarer terms.
        """
        terms = f.term_set
        if term_counts.documents < _MIN_DOCS_FOR_DF:
            return terms
        limit = max(_MIN_COMMON_DF, self.config.common_term_share * term_counts.documents)
        kept = terms[term_counts.get(terms) <= limit]
        return kept if len(kept) else terms
