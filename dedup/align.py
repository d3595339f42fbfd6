"""Passage alignment of two articles: which sentences are shared verbatim, reworded, or only in one."""
from __future__ import annotations

import difflib
import html
import itertools
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from . import normalize, paraphrase, sentences
from .read import visible
from .sentences import Span
from .tokenhash import term_set
from .verify import PASSAGE_TERMS, shares_passage

SAME, REWORDED, ONLY_A, ONLY_B = "same", "reworded", "only_a", "only_b"
KINDS = (SAME, REWORDED, ONLY_A, ONLY_B)

MIN_SIMILARITY = 0.40  # a candidate pair the paraphrase judge scores this high may be aligned as "reworded"
MIN_SHARED = 2  # content words a candidate pair must share (1 for very short sentences)
MAX_CANDIDATES = 12  # candidate B sentences scored per A sentence
MAX_POSTINGS = 200  # content words in more B sentences than this are too common to find candidates
MERGE_GAIN = 0.02  # a merge must raise the similarity by more than this
MAX_MERGE = 3  # at most this many consecutive sentences merged on one side (n:m alignment)
LIGHT_EDIT = 0.5  # fast mode: share of the shorter sentence's content words that makes the same passage
LIGHT_MIN_SHARED = 3  # ...and at least this many shared content words
LIGHT_SURE = 0.8  # ...a share that needs no paraphrase judge (below it, a shared name and figure can mislead)
MAX_DIFF_TOKENS = 3000  # longer reworded passages get a whole-passage diff instead of a word diff


@dataclass(frozen=True)
class Segment:
    """One aligned passage: a run of sentences in A and/or B and how they relate."""

    kind: str
    a: Span | None
    b: Span | None
    similarity: float
    diff: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Alignment:
    """Segments in A's order; only-B passages sit after the passage holding the B sentence before them."""

    segments: list[Segment]

    @cached_property
    def out_of_order(self) -> list[bool]:
        """moved() of the segments, once: the summary and every view show it."""
        return moved(self.segments)

    def count(self, kind: str) -> int:
        """Number of segments of one kind."""
        return sum(1 for s in self.segments if s.kind == kind)

    @property
    def same(self) -> int:
        """Passages shared verbatim (after normalisation)."""
        return self.count(SAME)

    @property
    def reworded(self) -> int:
        """Passages present in both, reworded."""
        return self.count(REWORDED)

    @property
    def only_a(self) -> int:
        """Passages only in A."""
        return self.count(ONLY_A)

    @property
    def only_b(self) -> int:
        """Passages only in B."""
        return self.count(ONLY_B)

    @property
    def counts(self) -> dict[str, int]:
        """Segment count per kind."""
        return {k: self.count(k) for k in KINDS}


@dataclass
class _Side:
    """Per-sentence data of one article."""

    text: str
    spans: list[Span]
    words: list[tuple[str, ...]]
    figures: list[tuple[str, ...]]  # each sentence's figures as written, signs, currencies and separators kept
    _feats: dict[int, paraphrase.SentenceFeatures]
    _terms: dict[int, frozenset[int]]

    @classmethod
    @lru_cache(maxsize=64)  # a story's canonical article is aligned with each of its copies in turn
    def of(cls, text: str) -> "_Side":
        spans = sentences.split(text)
        pieces = [text[s.start : s.end] for s in spans]
        return cls(text, spans, [tuple(normalize.words(p)) for p in pieces], [_figures(p) for p in pieces], {}, {})

    def same(self, i: int, i2: int, other: "_Side", j: int, j2: int) -> bool:
        """Whether sentences i..i2-1 say word for word, figure for figure, what other's j..j2-1 say."""
        return self.words[i:i2] == other.words[j:j2] and self.figures[i:i2] == other.figures[j:j2]

    def feat(self, k: int) -> paraphrase.SentenceFeatures:
        """Paraphrase features of sentence k, computed on first use."""
        f = self._feats.get(k)
        if f is None:
            s = self.spans[k]
            f = self._feats[k] = paraphrase.features(self.text[s.start : s.end])
        return f

    def terms(self, k: int) -> frozenset[int]:
        """The content terms of sentence k as verification hashes them, computed on first use."""
        t = self._terms.get(k)
        if t is None:
            t = self._terms[k] = term_set(self.words[k])
        return t

    def run(self, i: int, j: int) -> Span:
        """Span of sentences i..j-1."""
        return Span(self.spans[i].start, self.spans[j - 1].end)


def align(a: str, b: str, detail: bool = True) -> Alignment:
    """Align the sentences of two articles one-to-one (order-free): identical ones first, then those sharing a
    passage by verification's rule, then those the paraphrase judge accepts; unmatched ones are only_a / only_b.

    With detail=False, only the remaining sentences that share most of their content words are put to the
    judge (no search for split, joined or loosely reworded sentences) and no word diffs are made: enough to
    summarise how two articles differ, at a fraction of the cost.
    """
    A, B = _Side.of(a), _Side.of(b)
    # match[i] = (i_end, j, j_end, similarity): A sentences i..i_end-1 aligned with B sentences j..j_end-1
    a_match: dict[int, list] = {}
    b_taken = [False] * len(B.spans)

    # 1. identical sentences (after normalisation), first come first served in A's order
    by_words: dict[tuple, list[int]] = defaultdict(list)
    for j, w in enumerate(B.words):
        if w:
            by_words[w, B.figures[j]].append(j)
    for lst in by_words.values():
        lst.reverse()
    for i, w in enumerate(A.words):
        lst = by_words.get((w, A.figures[i])) if w else None
        if lst:
            j = lst.pop()
            a_match[i] = [i + 1, j, j + 1, 1.0]
            b_taken[j] = True

    _shared_passages(A, B, a_match, b_taken, detail)
    if not detail:
        _light_edits(A, B, a_match, b_taken)
        return Alignment(_segments(A, B, a_match, diffs=False))

    # 2. reworded: candidates through an inverted index of content words, greedy best-first
    postings: dict[str, list[int]] = defaultdict(list)
    for j in range(len(B.spans)):
        if not b_taken[j]:
            for w in B.feat(j).content:
                postings[w].append(j)
    scored, weak = [], []
    for i in range(len(A.spans)):
        if i in a_match:
            continue
        fa = A.feat(i)
        if not fa.content:
            continue
        shared: dict[int, int] = defaultdict(int)
        for w in fa.content:
            p = postings.get(w)
            if p and len(p) <= MAX_POSTINGS:
                for j in p:
                    shared[j] += 1
        need = min(MIN_SHARED, len(fa.content))
        cands = [(n, j) for j, n in shared.items() if n >= need]
        cands.sort(key=lambda t: (-t[0], t[1]))
        for _, j in cands[:MAX_CANDIDATES]:
            s = paraphrase.pair_similarity(fa, B.feat(j))
            if s >= MIN_SIMILARITY:
                scored.append((-s, i, j))
            else:
                weak.append((i, j))
    scored.sort()
    for neg, i, j in scored:
        if i not in a_match and not b_taken[j]:
            a_match[i] = [i + 1, j, j + 1, -neg]
            b_taken[j] = True

    # 2b. a sentence split in two (or two joined): weak candidate pairs scored with a neighbour added
    runs = []
    a_free = lambda k: 0 <= k < len(A.spans) and k not in a_match and not _inside(a_match, k)  # noqa: E731
    b_free = lambda k: 0 <= k < len(B.spans) and not b_taken[k]  # noqa: E731
    for i, j in weak:
        if not (a_free(i) and b_free(j)):
            continue
        for opt in ((i, i + 1, j, j + 2), (i, i + 1, j - 1, j + 1), (i, i + 2, j, j + 1), (i - 1, i + 1, j, j + 1)):
            if all(a_free(k) for k in range(opt[0], opt[1])) and all(b_free(k) for k in range(opt[2], opt[3])):
                s = _similarity(A, B, *opt)
                if s >= MIN_SIMILARITY:
                    runs.append((-s, opt))
    runs.sort()
    for neg, (i, i2, j, j2) in runs:
        if all(a_free(k) for k in range(i, i2)) and all(b_free(k) for k in range(j, j2)):
            a_match[i] = [i2, j, j2, -neg]
            for k in range(j, j2):
                b_taken[k] = True

    # 3. n:m merges: an unmatched neighbour joins a matched run when the merged passages are more similar
    _merge(A, B, a_match, b_taken)

    return Alignment(_segments(A, B, a_match))


def _shared_passages(A: _Side, B: _Side, a_match: dict[int, list], b_taken: list[bool], detail: bool) -> None:
    """Pair the remaining sentences that share a passage as verification counts one (verify.shares_passage), most
    shared first, ties in (sentence of A, sentence of B) order, as reworded: the passages behind a pair's "shared
    passages" figure, and behind a partial link, are the ones its alignment shows. A term held by more than
    MAX_POSTINGS sentences of B (a template line of a live blog) is not counted: the work stays near linear.
    Similarity: the paraphrase judge's (detail: the n:m merges that follow compare with it, so a split sentence
    still joins the passage), else the share of the shorter sentence's terms the other holds."""
    size_b = {j: len(B.terms(j)) for j in range(len(B.spans)) if not b_taken[j] and len(B.terms(j)) >= PASSAGE_TERMS}
    postings: dict[int, list[int]] = defaultdict(list)
    for j in size_b:
        for t in B.terms(j):
            postings[t].append(j)
    found = []
    for i in range(len(A.spans)):
        terms = A.terms(i)
        if i in a_match or len(terms) < PASSAGE_TERMS:
            continue
        shared: dict[int, int] = defaultdict(int)
        for t in terms:
            p = postings.get(t)
            if p and len(p) <= MAX_POSTINGS:
                for j in p:
                    shared[j] += 1
        found += [(-n, i, j) for j, n in shared.items() if shares_passage(n, len(terms), size_b[j])]
    found.sort()
    for neg, i, j in found:
        if i not in a_match and not b_taken[j]:
            share = -neg / min(len(A.terms(i)), size_b[j])
            a_match[i] = [i + 1, j, j + 1, paraphrase.pair_similarity(A.feat(i), B.feat(j)) if detail else share]
            b_taken[j] = True


def _light_edits(A: _Side, B: _Side, a_match: dict[int, list], b_taken: list[bool]) -> None:
    """Pair the remaining sentences that share most of their content words, best first, when the paraphrase
    judge agrees (as it must for `dedup align`: a shared name and a figure do not make the same passage)."""
    content = lambda w: {t for t in w if t not in paraphrase.STOPWORDS}  # noqa: E731
    sets_b = {j: content(w) for j, w in enumerate(B.words) if not b_taken[j]}
    postings: dict[str, list[int]] = defaultdict(list)
    for j, ws in sets_b.items():
        for t in ws:
            postings[t].append(j)
    scored = []
    for i, w in enumerate(A.words):
        ws = content(w)
        if i in a_match or not ws:
            continue
        shared: dict[int, int] = defaultdict(int)
        for t in ws:
            p = postings.get(t)
            if p and len(p) <= MAX_POSTINGS:  # (as _shared_passages: a template word would make it quadratic)
                for j in p:
                    shared[j] += 1
        for j, n in shared.items():
            sim = n / min(len(ws), len(sets_b[j]))
            if sim >= LIGHT_EDIT and n >= min(LIGHT_MIN_SHARED, len(ws)):
                scored.append((-sim, -n, i, j))
    scored.sort()
    for neg, _, i, j in scored:
        if i in a_match or b_taken[j]:
            continue
        if -neg >= LIGHT_SURE or paraphrase.pair_similarity(A.feat(i), B.feat(j)) >= MIN_SIMILARITY:
            a_match[i] = [i + 1, j, j + 1, -neg]
            b_taken[j] = True


def _inside(a_match: dict[int, list], k: int) -> bool:
    """Whether A sentence k is inside a matched multi-sentence run starting before it."""
    return any(i < k < m[0] for i, m in ((k - d, a_match.get(k - d)) for d in range(1, MAX_MERGE)) if m)


def _adds_shared(A: _Side, B: _Side, cur: tuple, opt: tuple) -> bool:
    """Whether the sentence an option adds shares content words the other side has but the run lacks."""
    i, i2, j, j2 = cur
    if opt[0] < i or opt[1] > i2:  # a sentence added on A's side
        new, mine, other = A.feat(opt[0] if opt[0] < i else opt[1] - 1), range(i, i2), (B, j, j2)
        side = A
    else:
        new, mine, other = B.feat(opt[2] if opt[2] < j else opt[3] - 1), range(j, j2), (A, i, i2)
        side = B
    have = set().union(*(side.feat(k).content for k in mine))
    theirs = set().union(*(other[0].feat(k).content for k in range(other[1], other[2])))
    gain = len(new.content & (theirs - have))
    return gain >= max(1, min(2, len(new.content)))


def _similarity(A: _Side, B: _Side, i: int, i2: int, j: int, j2: int) -> float:
    """Similarity of A sentences i..i2-1 and B sentences j..j2-1."""
    if i2 - i == 1 and j2 - j == 1:
        fa, fb = A.feat(i), B.feat(j)
    else:
        sa, sb = A.run(i, i2), B.run(j, j2)
        fa, fb = paraphrase.features(A.text[sa.start : sa.end]), paraphrase.features(B.text[sb.start : sb.end])
    return paraphrase.pair_similarity(fa, fb)


def _merge(A: _Side, B: _Side, a_match: dict[int, list], b_taken: list[bool]) -> None:
    a_taken = [False] * len(A.spans)
    for i, (i2, *_rest) in a_match.items():
        for k in range(i, i2):
            a_taken[k] = True
    work = sorted(a_match)
    while work:
        i = work.pop()
        if i not in a_match:
            continue
        i2, j, j2, sim = a_match[i]
        if A.same(i, i2, B, j, j2):
            continue  # verbatim: nothing to gain
        options = []
        if i2 - i < MAX_MERGE:
            if i > 0 and not a_taken[i - 1]:
                options.append((i - 1, i2, j, j2))
            if i2 < len(A.spans) and not a_taken[i2]:
                options.append((i, i2 + 1, j, j2))
        if j2 - j < MAX_MERGE:
            if j > 0 and not b_taken[j - 1]:
                options.append((i, i2, j - 1, j2))
            if j2 < len(B.spans) and not b_taken[j2]:
                options.append((i, i2, j, j2 + 1))
        best = None
        for opt in options:
            if not _adds_shared(A, B, (i, i2, j, j2), opt):
                continue
            s = _similarity(A, B, *opt)
            if s > sim + MERGE_GAIN and (best is None or s > best[0]):
                best = (s, opt)
        if best is None:
            continue
        s, (ni, ni2, nj, nj2) = best
        del a_match[i]
        a_match[ni] = [ni2, nj, nj2, s]
        for k in range(ni, ni2):
            a_taken[k] = True
        for k in range(nj, nj2):
            b_taken[k] = True
        work.append(ni)


def _segments(A: _Side, B: _Side, a_match: dict[int, list], diffs: bool = True) -> list[Segment]:
    # matched units in A's order, with their kind
    units = []  # (i, i2, j, j2, kind, sim)
    i = 0
    b_owner: dict[int, int] = {}  # B sentence -> index in units
    n = len(A.spans)
    while i < n:
        if i in a_match:
            i2, j, j2, sim = a_match[i]
            ta = tuple(w for k in range(i, i2) for w in A.words[k])
            tb = tuple(w for k in range(j, j2) for w in B.words[k])
            fa = tuple(f for k in range(i, i2) for f in A.figures[k])
            fb = tuple(f for k in range(j, j2) for f in B.figures[k])
            same = (ta == tb and fa == fb) if ta or tb else _bare(A, i, i2) == _bare(B, j, j2)
            if same and _as_written(A, i, i2) != _as_written(B, j, j2):  # the same words, written otherwise (case,
                units.append([i, i2, j, j2, REWORDED, 1.0])  # punctuation, a figure's format): shown as edits
            else:
                units.append([i, i2, j, j2, SAME if same else REWORDED, 1.0 if same else sim])
            i = i2
        else:
            i2 = i + 1
            while i2 < n and i2 not in a_match:
                i2 += 1
            units.append([i, i2, None, None, ONLY_A, 0.0])
            i = i2
    # join consecutive verbatim units that are consecutive in B too
    joined: list[list] = []
    for u in units:
        p = joined[-1] if joined else None
        if p and u[4] == SAME and p[4] == SAME and p[1] == u[0] and p[3] == u[2]:
            p[1], p[3] = u[1], u[3]
        else:
            joined.append(u)
    for k, u in enumerate(joined):
        if u[2] is not None:
            for j in range(u[2], u[3]):
                b_owner[j] = k
    # only-B runs: placed after the unit holding the B sentence before them; at the start if none
    after: dict[int, list[tuple[int, int]]] = defaultdict(list)  # unit index (-1 = start) -> B runs
    j, m = 0, len(B.spans)
    while j < m:
        if j in b_owner:
            j += 1
            continue
        j2 = j + 1
        while j2 < m and j2 not in b_owner:
            j2 += 1
        after[b_owner[j - 1] if j > 0 else -1].append((j, j2))
        j = j2
    out: list[Segment] = []

    def emit_b(k: int) -> None:
        for j, j2 in after.get(k, ()):
            out.append(Segment(ONLY_B, None, B.run(j, j2), 0.0, []))

    emit_b(-1)
    for k, (i, i2, j, j2, kind, sim) in enumerate(joined):
        sa = A.run(i, i2)
        sb = B.run(j, j2) if j is not None else None
        diff = _diff(A.text[sa.start : sa.end], B.text[sb.start : sb.end]) if kind == REWORDED and diffs else []
        out.append(Segment(kind, sa, sb, round(float(sim), 4), diff))
        emit_b(k)
    return out


def _bare(side: _Side, i: int, i2: int) -> str:
    span = side.run(i, i2)
    return normalize.clean(side.text[span.start : span.end]).strip()


# Typographic variants of one mark: an outlet's house style, not an edit of what a passage says.
_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "‹": "'", "›": "'",
                             "‐": "-", "‑": "-", "–": "-", "—": "-", "−": "-"})


def _as_written(side: _Side, i: int, i2: int) -> str:
    """Sentences i..i2-1 as written, but for spacing, quote and dash styles, thousands separators (1,000 is 1000, as
    figures compare) and invisible characters: what a verbatim passage keeps (case and punctuation are edits)."""
    return " ".join(_THOUSANDS.sub("", _bare(side, i, i2).translate(_TYPOGRAPHY)).split())


_SIGNS, _PERCENT = "$€£¥+-−", "%"  # beside a figure, they change what it says: $100 / €100, -5 / 5, 5% / 5
_THOUSANDS = re.compile(r",(?=\d{3}(?!\d))")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")  # a figure as the tokeniser cuts it


def _figure(text: str, start: int, end: int) -> tuple[int, int, str]:
    """The figure text[start:end] as it is compared: with the sign, currency or percent mark beside it (normalisation
    drops them) and without thousands separators (1,000 is 1000, 1,5 is not 15); its span takes the mark in."""
    start -= start > 0 and text[start - 1] in _SIGNS
    end += end < len(text) and text[end] == _PERCENT
    return start, end, _THOUSANDS.sub("", text[start:end])


def _figures(sentence: str) -> tuple[str, ...]:
    """The figures of a sentence, as compared."""
    return tuple(_figure(sentence, m.start(), m.end())[2] for m in _NUMBER.finditer(sentence))


def _compared(text: str) -> list[tuple[int, int, str]]:
    """The words of text as the diff compares them: (start, end, key); a word's key is its normalised form, a
    figure's is _figure's."""
    return [_figure(text, start, end) if token[0].isdigit() else (start, end, token) for start, end, token in normalize.word_spans(text)]


def _diff(ta: str, tb: str) -> list[tuple[str, str]]:
    """Word-level diff of two passages: (op, original text) with op "=" (both), "-" (A only), "+" (B only).
    Words are matched as normalised, then shown as written, with the marks against them and the space after
    (the text before the first word goes with the first); a matched word written otherwise (case, punctuation)
    shows as changed, as in wdiff. So A's pieces join to A, and B's to B up to spacing ("=" pieces are A's)."""
    wa, wb = _compared(ta), _compared(tb)
    if not wa or not wb or _past_word_diff(ta, tb):
        return [("=", ta)] if ta == tb else [(op, t) for op, t in (("-", ta), ("+", tb)) if t]
    cut_a, cut_b = _cuts(ta, wa), _cuts(tb, wb)
    pieces: list[tuple[bool, str, str]] = []  # (written alike, A's text, B's text)
    sm = difflib.SequenceMatcher(None, [w[2] for w in wa], [w[2] for w in wb], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal":
            pieces.append((False, ta[cut_a[i1] : cut_a[i2]], tb[cut_b[j1] : cut_b[j2]]))
            continue
        for i, j in zip(range(i1, i2), range(j1, j2)):
            piece_a, piece_b = ta[cut_a[i] : cut_a[i + 1]], tb[cut_b[j] : cut_b[j + 1]]
            pieces.append((_alike(piece_a, piece_b), piece_a, piece_b))
    out: list[tuple[str, str]] = []
    for alike, run in itertools.groupby(pieces, key=lambda p: p[0]):
        run_a, run_b = zip(*((a, b) for _, a, b in run))
        if alike:
            out.append(("=", "".join(run_a)))
        else:
            out.extend((op, t) for op, t in (("-", "".join(run_a)), ("+", "".join(run_b))) if t)
    return out


def _past_word_diff(ta: str, tb: str) -> bool:
    """Whether a reworded passage is too long to diff word by word (difflib's time grows with the product of the
    two lengths): its diff is then A's passage deleted and B's inserted, and the views say so."""
    return _longest(ta, tb) > MAX_DIFF_TOKENS


def _longest(ta: str, tb: str) -> int:
    """The words of the longer passage, as `wc -w` counts them, or 0 when both have fewer characters than
    MAX_DIFF_TOKENS (so fewer words: no need to count them)."""
    return max(normalize.word_count(ta), normalize.word_count(tb)) if max(len(ta), len(tb)) > MAX_DIFF_TOKENS else 0


def _whole_diff_note(ta: str, tb: str) -> str:
    """What a view says of a reworded passage diffed whole (empty for one diffed word by word)."""
    words = _longest(ta, tb)
    return f"diffed whole: {words:,} words, past the word diff's {MAX_DIFF_TOKENS:,}" if words > MAX_DIFF_TOKENS else ""


def _alike(x: str, y: str) -> bool:
    """Written the same but for the kind and amount of space (spaced where the other is)."""
    return x.split() == y.split() and x[:1].isspace() == y[:1].isspace() and x[-1:].isspace() == y[-1:].isspace()


def _cuts(text: str, words: list[tuple[int, int, str]]) -> list[int]:
    """Where the piece of each word starts, and the text's end: consecutive cuts slice it whole. A piece starts with
    the marks written against its word ("<vote", "(Kenyan") and ends with the marks and space after it."""
    cuts = [0]
    for (_, prev_end, _), (start, _, _) in zip(words, words[1:]):
        while start > prev_end and not text[start - 1].isspace():
            start -= 1
        cuts.append(start)
    return cuts + [len(text)]


def _spaced(t: str) -> tuple[str, str, str]:
    """(leading space, the rest, trailing space) of a diff piece: markup goes round the words, not the spaces."""
    core = t.strip()
    if not core:
        return t, "", ""
    start = t.index(core)
    return t[:start], core, t[start + len(core) :]


# ---------------------------------------------------------------- summaries and renderings


def summarize(al: Alignment) -> str:
    """One-line human summary of what differs between A and B."""
    segs = al.segments
    if not segs:
        return "both texts are empty"
    c = al.counts
    if c[SAME] and not (c[REWORDED] or c[ONLY_A] or c[ONLY_B]):
        out_of_order = sum(al.out_of_order)
        if out_of_order:
            return f"the same passages in another order: {counted(c[SAME], 'passage')} verbatim, {out_of_order} of them moved"
        return f"identical: {counted(c[SAME], 'passage')} verbatim"
    parts = [
        f"{counted(c[SAME], 'passage')} verbatim",
        f"{c[REWORDED]} reworded",
        f"{c[ONLY_A]} only in A",
        f"{c[ONLY_B]} only in B",
    ]
    notes = []
    if any(s.kind in (SAME, REWORDED) for s in segs):
        opening_cut, ending_trimmed = _unshared_edges([s.kind for s in segs if s.a is not None], ONLY_A)
        new_opening, ending_added = _unshared_edges([s.kind for s in sorted((s for s in segs if s.b is not None), key=lambda s: s.b.start)], ONLY_B)
        notes += [note for note, found in (("new opening", new_opening), ("opening cut", opening_cut), ("ending trimmed", ending_trimmed),
                                           ("ending added", ending_added)) if found]
        out_of_order = sum(al.out_of_order)
        if out_of_order:
            notes.append(f"{counted(out_of_order, 'passage')} moved")
    else:
        notes.append("no passage matched sentence by sentence")
    line = ", ".join(parts)
    return f"{line} ({', '.join(notes)})" if notes else line


def _unshared_edges(kinds: list[str], only: str) -> tuple[bool, bool]:
    """Whether one side's passages (kinds, in that side's own order: a moved passage leaves B's edges where B has
    them) open, and end, with a passage only that side has, before its first shared passage and after its last."""
    shared = [k for k, kind in enumerate(kinds) if kind in (SAME, REWORDED)]
    return (only in kinds[: shared[0]], only in kinds[shared[-1] + 1 :]) if shared else (False, False)


def counted(n: int, one: str, many: str | None = None) -> str:
    """"1 story", "2 stories": a count with its noun in the right number (every report line uses it)."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def moved(segs: list[Segment]) -> list[bool]:
    """For each segment, whether it is a shared passage out of B's order: shared passages (in A's order) off the
    chain of increasing B positions that holds the most of A's text, so that the least text is called moved."""
    shared = [k for k, s in enumerate(segs) if s.kind in (SAME, REWORDED) and s.b is not None]
    rank = {start: r for r, start in enumerate(sorted({segs[k].b.start for k in shared}))}
    tree = [(0, -1)] * (len(rank) + 1)  # Fenwick tree of prefix maxima over B ranks: (text held, last passage)
    best, before = [], []
    for i, k in enumerate(shared):
        r, top = rank[segs[k].b.start], (0, -1)
        j = r  # the best chain ending before this B position
        while j > 0:
            top = max(top, tree[j])
            j -= j & -j
        best.append(top[0] + segs[k].a.end - segs[k].a.start)
        before.append(top[1])
        j = r + 1
        while j <= len(rank):
            tree[j] = max(tree[j], (best[i], i))
            j += j & -j
    flags = [False] * len(segs)
    for k in shared:
        flags[k] = True
    i = max(range(len(best)), key=best.__getitem__) if best else -1
    while i >= 0:  # that chain stays in place
        flags[shared[i]] = False
        i = before[i]
    return flags


def to_dict(al: Alignment, a: str, b: str) -> dict:
    """JSON-ready alignment: summary, counts and each segment with offsets, texts, similarity and diff."""
    segs = []
    for s, out_of_order in zip(al.segments, al.out_of_order):
        segs.append(
            {
                "kind": s.kind,
                "moved": out_of_order,
                "a": None if s.a is None else {"start": s.a.start, "end": s.a.end, "text": a[s.a.start : s.a.end]},
                "b": None if s.b is None else {"start": s.b.start, "end": s.b.end, "text": b[s.b.start : s.b.end]},
                "similarity": s.similarity,
                "diff": [[op, t] for op, t in s.diff],
            }
        )
    return {"summary": summarize(al), "counts": al.counts, "segments": segs}


_ANSI = {"dim": "\x1b[2m", "red": "\x1b[31m", "green": "\x1b[32m", "yellow": "\x1b[33m", "cyan": "\x1b[36m", "bold": "\x1b[1m", "reset": "\x1b[0m"}


def render_text(al: Alignment, a: str, b: str, color: bool = False) -> str:
    """Terminal rendering: reworded passages as an inline diff; verbatim (dim), only-A and only-B passages as their
    opening words and how many more (the JSON and HTML reports hold every word)."""

    def c(name: str, t: str) -> str:
        return f"{_ANSI[name]}{t}{_ANSI['reset']}" if color else t

    def opening(t: str) -> str:
        words = visible(" ".join(t.split())).split(" ")
        if len(words) <= _SHOWN_WORDS + 10:
            return " ".join(words)
        return " ".join(words[:_SHOWN_WORDS]) + f" … (+{counted(len(words) - _SHOWN_WORDS, 'word')})"

    lines = [c("bold", summarize(al))]
    for s, out_of_order in zip(al.segments, al.out_of_order):
        mark = "  (moved: elsewhere in B)" if out_of_order else ""
        if s.kind == SAME:
            lines.append(c("dim", "  = " + opening(a[s.a.start : s.a.end])) + c("cyan", mark))
        elif s.kind == REWORDED:
            ta, tb = a[s.a.start : s.a.end], b[s.b.start : s.b.end]
            note = _whole_diff_note(ta, tb)
            pieces = zip("-+", map(opening, _from_first_change(ta, tb))) if note else s.diff  # (diffed whole: each side from its first change, shortened as a one-sided passage is)
            shown = ""
            for op, t in pieces:
                lead, core, trail = _spaced(visible(re.sub(r"\s+", " ", t)))
                if op == "+" and shown and not shown.endswith(" "):
                    lead = " " + lead  # a replaced word and its replacement side by side
                if op != "=":
                    core = c("red" if op == "-" else "green", core) if color else f"[-{core}-]" if op == "-" else f"{{+{core}+}}"
                shown += lead + core + trail
            lines.append(c("yellow", "  ~ ") + shown.strip() + c("dim", f"  ({s.similarity:.2f}{'; ' + note if note else ''})") + c("cyan", mark))
        elif s.kind == ONLY_A:
            lines.append(c("red", "  A " + opening(a[s.a.start : s.a.end])))
        else:
            lines.append(c("green", "  B " + opening(b[s.b.start : s.b.end])))
    return "\n".join(lines)


_SHOWN_WORDS = 20  # words of a verbatim or one-sided passage the terminal view shows


def _from_first_change(ta: str, tb: str) -> tuple[str, str]:
    """Both sides of a passage from a few words before their first difference (whole when they differ at once)."""
    start = ta.rfind(" ", 0, max(0, len(os.path.commonprefix([ta, tb])) - 30)) + 1
    lead = "… " if start else ""
    return lead + ta[start:], lead + tb[start:]

_CSS = """
body{font-family:Georgia,serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.2em;margin:0 0 .3em}
.summary{font-family:sans-serif;margin:.4em 0 1em;font-weight:bold}
.legend span{display:inline-block;padding:.1em .5em;margin-right:.5em;border-radius:3px;font-family:sans-serif;font-size:.85em}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th{font-family:sans-serif;text-align:left;border-bottom:2px solid #999;padding:.3em .5em}
td{vertical-align:top;padding:.4em .6em;border-bottom:1px solid #ddd;line-height:1.45;white-space:pre-wrap}
tr.same td{color:#777}
tr.reworded td{background:#fff8e1}
tr.only_a td.a{background:#fde8e8}
tr.only_b td.b{background:#e6f4ea}
td.kind{width:6.5em;font-family:sans-serif;font-size:.75em;color:#555;white-space:normal}
del{background:#f6c6c6;color:#8a1010;text-decoration:line-through}
ins{background:#c8ecd0;color:#0b5d1e;text-decoration:none}
.moved{font-weight:bold;color:#0b4f8a}
.k-same{background:#eee}.k-reworded{background:#fff8e1}.k-only_a{background:#fde8e8}.k-only_b{background:#e6f4ea}
"""

_LABEL = {SAME: "verbatim", REWORDED: "reworded", ONLY_A: "only in A", ONLY_B: "only in B"}


def _marked(t: str, op: str, tag: str) -> str:
    """A diff piece as HTML: a changed one's words in tag, its spaces outside."""
    if op == "=":
        return html.escape(t)
    lead, core, trail = _spaced(t)
    return f"{html.escape(lead)}<{tag}>{html.escape(core)}</{tag}>{html.escape(trail)}"


def render_html(al: Alignment, a: str, b: str, title_a: str = "A", title_b: str = "B") -> str:
    """One self-contained HTML page: A and B side by side, a row per passage, inline diff for reworded ones."""
    e = html.escape
    rows = []
    for s, out_of_order in zip(al.segments, al.out_of_order):
        ta = a[s.a.start : s.a.end] if s.a else ""
        tb = b[s.b.start : s.b.end] if s.b else ""
        if s.kind == REWORDED:
            ca = "".join(_marked(t, op, "del") for op, t in s.diff if op != "+")
            cb = "".join(_marked(t, op, "ins") for op, t in s.diff if op != "-")
            note = _whole_diff_note(ta, tb)
            label = f"{_LABEL[s.kind]}<br>{s.similarity:.2f}{'<br>' + note if note else ''}"
        else:
            ca, cb, label = e(ta), e(tb), _LABEL[s.kind]
        if out_of_order:
            label += '<br><span class="moved">moved</span>'
        rows.append(f'<tr class="{s.kind}"><td class="kind">{label}</td><td class="a">{ca}</td><td class="b">{cb}</td></tr>')
    legend = "".join(f'<span class="k-{k}">{_LABEL[k]}</span>' for k in KINDS)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{e(title_a)} vs {e(title_b)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{e(title_a)} &nbsp;vs&nbsp; {e(title_b)}</h1>"
        f'<div class="summary">{e(summarize(al))}</div>'
        f'<div class="legend">{legend} <span><del>removed</del> <ins>added</ins></span></div>'
        f'<table><thead><tr><th class="kind"></th><th>{e(title_a)}</th><th>{e(title_b)}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )
