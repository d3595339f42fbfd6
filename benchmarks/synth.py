"""Seeded synthetic news corpora with known ground truth, built from real sentences.

The generator draws real sentences from the evaluation sets under ``shared/eval`` (BBC News, Multi-News,
Clough & Stevenson, the project's seed articles) and real sentence paraphrases from MRPC (train split,
label 1), and assembles them into "stories" with copies of known kind:

``original``        root of a story that has copies (12-30 sentences, about 400-600 words)
``duplicate``       same text as its parent modulo whitespace, case, quote/dash style and invisible characters
``near-duplicate``  new headline, trimmed or extended ending, 1-10 % word edits, site chrome, dateline, URL
``rewrite``         sentences shuffled within paragraphs, 30-70 % replaced by their MRPC paraphrase where one
                    exists (else kept), some dropped, a few new ones inserted, new headline
``partial``         a story of its own that quotes 2-3 consecutive sentences of another story's article
``unrelated``       a story with one article; about a quarter of them are drawn from the same Multi-News
                    event cluster / BBC topic / C&S task as an existing story, sharing its topic but no sentences

Derived articles pick their parent among the earlier members of the story (often a copy, so chains of
copies of copies exist). Ground truth: articles with the same ``story`` are one cluster; ``partial``
articles are their own story and are linked to their parent only through ``parent``.

Determinism: only ``random.Random`` (Mersenne Twister, whose ``random``/``getrandbits``-based methods are
stable across Python versions) drives the choices; the pool is read in a fixed order; no set or hash order
is ever sampled. The same ``(n, seed)`` gives byte-identical corpora on every machine.

Capacity: the pool holds about 3 M words, enough for roughly 6,000 story roots. Beyond that (e.g. at
n = 100,000) the pool is reused in further "epochs" in which every non-stop word is *respelled* by an
epoch-specific permutation of the vocabulary within frequency buckets: the word-frequency profile, the
stop words and the sentence shapes stay realistic, but no word 5-shingle of a content word repeats across
epochs. MRPC pairs are respelled the same way (both sides with the same mapping, so they stay paraphrases).

CLI: ``python -m benchmarks.synth N OUT_DIR [--seed S] [--format txt|jsonl]``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import re
import sys
import time
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import asdict, dataclass
from itertools import accumulate
from pathlib import Path

import numpy as np

__all__ = [
    "SynthArticle",
    "KINDS",
    "generate",
    "write_corpus",
    "read_corpus",
    "truth_pairs",
    "clusters",
    "describe",
    "word_shingles",
    "jaccard5",
    "default_shared_dir",
]

KINDS = ("original", "duplicate", "near-duplicate", "rewrite", "partial", "unrelated")


@dataclass
class SynthArticle:
    id: str
    text: str
    story: int
    kind: str
    parent: str | None
    edit_rate: float
    topic: str = ""  # source group of the story's first sentence (Multi-News cluster, "bbc-<topic>", ...)


# --------------------------------------------------------------------------------------------------
# Parameters (documented proportions; see the module docstring and the report)

PARTIAL_SHARE = 0.03  # of n: partial articles (own story, quoting another story)
SINGLE_SHARE = 0.30  # of n: "unrelated" one-article stories
SIBLING_SHARE = 0.25  # of the unrelated articles: same topic (event cluster / BBC topic) as an existing story
STORY_SIZE_MAX = 80  # multi-article stories other than the giants: sizes 2..80, P(s) ~ s^-2
STORY_SIZE_EXPONENT = 2.0
GIANT_MIN, GIANT_MAX = 300, 600  # wire stories reprinted by hundreds of sites
GIANT_EVERY = 25_000  # one giant story per this many articles (at least one when n >= 2,000)
DERIVED_MIX = (("duplicate", 0.25), ("near-duplicate", 0.60), ("rewrite", 0.15))
GIANT_MIX = (("duplicate", 0.25), ("near-duplicate", 0.65), ("rewrite", 0.10))
CHAIN_SHARE = 0.30  # derived articles whose parent is an earlier copy rather than the original
MRPC_SHARE = 0.45  # share of sentences that are MRPC sentences in stories that have rewrites
MIN_WORDS, MAX_WORDS = 300, 800  # article length bounds (body + headline; chrome adds a few words)
ROOT_MIN_SENT, ROOT_MAX_SENT = 12, 30
ROOT_MIN_WORDS, ROOT_MAX_WORDS = 400, 600
BOILERPLATE_SHARE_ROOT = 0.20  # roots that carry site chrome too (chrome recurs across unrelated stories)

_WORD = re.compile(r"[A-Za-z]+")
_WORD_SPLIT = re.compile(r"([A-Za-z]+)")
_TOKEN = re.compile(r"[^\W_]+")
_SENT_END = re.compile(r"""[.!?]+["'”’)\]]*\s+(?=["'“‘(\[]? ?[A-Z0-9])""")
_ABBREV = frozenset(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt gov sen rep rev fig no vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec approx est dept univ u.s u.k".split()
)
_CHROME_WORDS = (
    "http", "www.", "@", "©", "click", "subscribe", "newsletter", "cookie", "javascript", "advertisement",
    "sign up", "all rights reserved", "photo:", "getty images", "this material may not",
)

# Site chrome: a fixed set, so the same lines recur across many unrelated articles.
BOILERPLATE_TOP = (
    "Share this article",
    "Share on Facebook Share on Twitter Share via Email",
    "Advertisement",
    "Listen to this article",
    "Skip to main content",
    "Home | News | World | Business | Sport | Tech",
    "Breaking News",
    "Subscribe now for unlimited access.",
)
BOILERPLATE_BOTTOM = (
    "Related:",
    "© 2024 Example Media. All rights reserved.",
    "Copyright 2024 The Associated Press. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed.",
    "Our Standards: The Thomson Reuters Trust Principles.",
    "Sign up for our newsletter to get the latest news delivered to your inbox every morning.",
    "Follow us on Twitter and Facebook for the latest updates.",
    "Click here to subscribe to our daily briefing.",
    "Read more: Top stories of the day",
    "Have a news tip? Email our newsroom.",
    "This article originally appeared on the wire service and has been edited for length.",
    "Reporting by staff writers; Editing by the news desk.",
    "Comments are closed for this story.",
    "We use cookies to improve your experience on our site. By continuing you agree to our cookie policy.",
    "Advertisement - story continues below",
)
DATELINES = (
    "LONDON (Reuters) - ", "WASHINGTON (AP) — ", "NEW YORK — ", "PARIS (AFP) - ", "BERLIN, ", "TOKYO (Reuters) - ",
    "NAIROBI, Kenya (AP) — ", "LOS ANGELES — ", "CHICAGO (AP) - ", "SYDNEY, ", "BRUSSELS (Reuters) - ",
    "MUMBAI, India — ", "TORONTO (CP) — ", "JOHANNESBURG - ", "MADRID (AP) — ", "BEIJING (Reuters) - ",
)
HEADLINE_PREFIX = ("UPDATE 1-", "UPDATE 2-", "BREAKING: ", "EXCLUSIVE-", "WATCH: ", "Opinion: ", "LIVE: ")
SITES = tuple(
    f"{a}{b}.{tld}"
    for a, b, tld in [
        ("daily", "herald", "com"), ("metro", "times", "com"), ("world", "wire", "net"), ("city", "post", "com"),
        ("news", "observer", "org"), ("the", "ledger", "com"), ("valley", "tribune", "com"), ("coast", "gazette", "com"),
        ("global", "dispatch", "com"), ("capital", "journal", "com"), ("river", "courier", "com"), ("north", "star", "net"),
        ("evening", "standard", "co.uk"), ("morning", "bulletin", "com"), ("bay", "chronicle", "com"),
        ("summit", "press", "com"), ("harbor", "review", "com"), ("plains", "register", "com"), ("lake", "sentinel", "com"),
        ("union", "examiner", "com"),
    ]
)
SECTIONS = ("news", "world", "business", "politics", "sport", "tech", "local", "national", "markets", "culture")
_FILLERS = ("also", "just", "now", "still", "reportedly", "recently", "further", "then", "already", "even",
            "officially", "currently", "largely", "very", "really", "initially")
_SYNONYMS = {
    "said": "stated", "told": "informed", "large": "big", "but": "however",
    "about": "around", "around": "about", "more": "further", "start": "begin", "began": "started",
    "started": "began", "buy": "purchase", "help": "assist", "show": "reveal", "shows": "reveals",
    "showed": "revealed", "tried": "attempted", "try": "attempt", "need": "require", "needs": "requires",
    "get": "obtain", "got": "received", "big": "major", "major": "big", "also": "additionally", "very": "highly",
    "after": "following", "before": "prior to", "because": "since", "while": "whereas", "many": "numerous",
    "people": "individuals", "says": "claims", "new": "fresh", "rise": "increase", "rose": "climbed",
    "fell": "dropped", "cut": "reduced", "plan": "proposal", "plans": "proposals", "expected": "anticipated",
    "company": "firm", "firm": "company", "officials": "authorities", "announced": "unveiled",
    "reported": "said", "percent": "per cent", "children": "kids", "car": "vehicle", "money": "funds",
    "during": "throughout", "however": "but", "although": "though", "though": "although", "until": "till",
    "week": "week", "nearly": "almost", "almost": "nearly", "likely": "probably", "probably": "likely",
    "important": "key", "key": "crucial", "afterwards": "later", "later": "afterwards", "want": "wish",
    "wants": "wishes", "wanted": "wished", "decided": "chose", "allowed": "permitted", "enough": "sufficient",
    "called": "described", "among": "amongst", "across": "throughout", "including": "such as",
    "added": "continued", "asked": "questioned", "made": "produced", "make": "produce", "took": "seized",
    "think": "believe", "thought": "believed", "found": "discovered", "find": "discover", "used": "employed",
    "use": "employ", "gave": "provided", "give": "provide", "world": "globe", "country": "nation",
    "nation": "country", "cars": "vehicles", "often": "frequently", "quickly": "rapidly", "small": "little",
    "little": "small", "house": "home", "home": "house", "job": "post", "jobs": "posts", "far": "much",
}
_AUX = frozenset("was were is are has have had will would could can may might did does".split())
_LEADS = frozenset(
    "the a an in on at after before but and as while when it this that there he she they we last for with by "
    "from during since although however meanwhile earlier later some many most one two three".split()
)
_NUMWORDS = {str(i): w for i, w in enumerate("zero one two three four five six seven eight nine".split())}
_NUMWORDS.update({w: d for d, w in list(_NUMWORDS.items())})
_CONTRACT = (("did not", "didn't"), ("does not", "doesn't"), ("do not", "don't"), ("is not", "isn't"),
             ("was not", "wasn't"), ("will not", "won't"), ("cannot", "can't"), ("would not", "wouldn't"),
             ("has not", "hasn't"), ("have not", "haven't"), ("are not", "aren't"))


def default_shared_dir() -> Path:
    """``<repository>/../shared``: where the shared evaluation data live."""
    return Path(__file__).resolve().parents[1].parent / "shared"


def _eval_dir(shared_dir: Path | None) -> Path:
    base = Path(shared_dir) if shared_dir is not None else default_shared_dir()
    for cand in (base / "eval", base):
        if (cand / "mrpc" / "mrpc_train.jsonl").is_file():
            return cand
    if shared_dir is not None and not Path(shared_dir).is_absolute():
        return _eval_dir(None)
    raise FileNotFoundError(f"no shared evaluation data (mrpc/mrpc_train.jsonl) under {base}")


# --------------------------------------------------------------------------------------------------
# The sentence pool (built once per process and per data folder)


@dataclass
class _Pool:
    sents: list[str]  # every usable sentence, documents in order
    words: list[int]  # word count of each sentence
    parstart: list[bool]  # sentence starts a paragraph in its source document
    sent_doc: list[int]
    doc_first: list[int]  # first sentence index of each document
    doc_n: list[int]
    doc_family: list[int]  # 0: original case (BBC, LongBench, C&S, seeds), 1: lower-cased Multi-News
    doc_key: list[str]  # topic group: Multi-News cluster, "bbc-<topic>", "cs-task<x>", "seed"
    doc_title: list[str | None]
    key_docs: dict[str, list[int]]
    mrpc: list[tuple[str, str]]  # real paraphrase pairs, each sentence used once
    vocab_buckets: list[list[str]]  # content words by frequency, for respelling in later epochs
    vocab_sample: list[str]  # frequency-weighted sample of words for substitutions
    total_words: int


_POOLS: dict[str, _Pool] = {}
LAST_RUN: dict = {}  # facts about the last generate() call: pool size, epochs used (respelling), MRPC use


def _norm_key(s: str) -> str:
    return " ".join(_TOKEN.findall(s.casefold()))


def _split_sentences(par: str) -> list[str]:
    out, cursor = [], 0
    for m in _SENT_END.finditer(par):
        if m.group().startswith("."):
            tail = par[max(cursor, m.start() - 12) : m.start()].split()
            word = tail[-1].strip("\"'“‘(").rstrip(".").casefold() if tail else ""
            if len(word) <= 1 or word in _ABBREV:
                continue
        s = par[cursor : m.end()].strip()
        if s:
            out.append(s)
        cursor = m.end()
    s = par[cursor:].strip()
    if s:
        out.append(s)
    return out


def _good_sentence(s: str) -> bool:
    n = s.count(" ") + 1
    if n < 5 or n > 80:
        return False
    low = s.lower()
    if any(w in low for w in _CHROME_WORDS) or s == s.upper():
        return False
    if sum(map(str.isalpha, s)) < 0.6 * len(s):
        return False
    return s[-1] in ".!?\"'”’)"


def _detok(text: str) -> str:
    """Undo Multi-News tokenisation spaces: "we ' ll" -> "we'll", " ,"."""
    text = re.sub(r"\s+'\s*(s|t|ll|re|ve|d|m)\b", r"'\1", text)
    text = re.sub(r"\s+([,;:.!?])(?=\s|$)", r"\1", text)
    # a sentence that opens with a quote was not capitalised: '... said. " many laws' -> '... said. " Many laws'
    text = re.sub(r'([.!?]"? )(" ?)([a-z])', lambda m: m.group(1) + m.group(2) + m.group(3).upper(), text)
    return re.sub(r"[ \t]+", " ", text)


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


_POOL_VERSION = "pool-3"


def _pool_inputs(ev: Path) -> list[Path]:
    seeds = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
    files = [
        ev / "bbc_news" / "bbc_news.jsonl",
        ev / "bbc_news" / "bbc_pairs_5gram_jaccard_ge_0.5.tsv",
        ev / "multinews" / "multinews_longbench_fulltext_docs.jsonl",
        ev / "multinews" / "multinews_test_truncated_docs.jsonl",
        ev / "clough_stevenson" / "clough_stevenson.jsonl",
        ev / "mrpc" / "mrpc_train.jsonl",
        Path(__file__).resolve(),
        *sorted(seeds.glob("*.txt")),
    ]
    return [f for f in files if f.is_file()]


def _cache_file(ev: Path) -> Path | None:
    """On-disk cache of the pool (a pure function of the input files and of this module)."""
    root = os.environ.get("DEDUP_SYNTH_CACHE")
    if root == "":
        return None
    base = Path(root) if root else Path.home() / ".cache" / "dedup-synth"
    h = hashlib.sha256(_POOL_VERSION.encode())
    for f in _pool_inputs(ev):
        st = f.stat()
        h.update(f"{f.resolve()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return base / f"pool-{h.hexdigest()[:24]}.pickle"


def _load_pool(shared_dir: Path | None) -> _Pool:
    ev = _eval_dir(shared_dir)
    cache_key = str(ev.resolve())
    if cache_key in _POOLS:
        return _POOLS[cache_key]
    cache = _cache_file(ev)
    if cache is not None and cache.is_file():
        try:
            with open(cache, "rb") as fh:
                pool = pickle.load(fh)
            if isinstance(pool, _Pool):
                _POOLS[cache_key] = pool
                return pool
        except Exception:  # a stale or broken cache is rebuilt
            pass
    pool = _build_pool(ev)
    _POOLS[cache_key] = pool
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(pool, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)
        except OSError:
            pass
    return pool


def _build_pool(ev: Path) -> _Pool:
    raw: list[tuple[int, str, str | None, list[str]]] = []  # (family, key, title, paragraphs)

    seeds = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
    for p in sorted(seeds.glob("*.txt")):
        raw.append((0, "seed", None, p.read_text(encoding="utf-8").split("\n")))

    bbc_drop = set()
    tsv = ev / "bbc_news" / "bbc_pairs_5gram_jaccard_ge_0.5.tsv"
    if tsv.is_file():
        for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
            bbc_drop.add(line.split("\t")[1])
    for d in _read_jsonl(ev / "bbc_news" / "bbc_news.jsonl"):
        if d["id"] != d.get("exact_dup_group", d["id"]) or d["id"] in bbc_drop:
            continue
        raw.append((0, f"bbc-{d['topic']}", d["title"].strip(), d["text"].split("\n")))

    twins = set()
    for d in _read_jsonl(ev / "multinews" / "multinews_longbench_fulltext_docs.jsonl"):
        if d.get("truncated_doc_id"):
            twins.add(d["truncated_doc_id"])
        raw.append((0, d["cluster"], None, d["text"].split("\n")))

    cs = ev / "clough_stevenson" / "clough_stevenson.jsonl"
    if cs.is_file():
        for d in _read_jsonl(cs):
            if d["category"] in ("orig", "non"):
                pars = [re.sub(r"\s*\n\s*", " ", p) for p in re.split(r"\n\s*\n", d["text"])]
                raw.append((0, f"cs-task{d['task']}", None, pars))

    for d in _read_jsonl(ev / "multinews" / "multinews_test_truncated_docs.jsonl"):
        if (
            d["id"] in twins
            or d.get("n_clusters_with_identical_text_all_splits", 1) > 1
            or d.get("irrelevant_votes", 0) >= 3
            or len(d["text"].split()) < 50
        ):
            continue
        raw.append((1, d["cluster"], None, [_detok(d["text"])]))

    # MRPC paraphrase pairs (train, label 1), each sentence used at most once.
    mrpc: list[tuple[str, str]] = []
    used_keys: set[str] = set()
    for d in _read_jsonl(ev / "mrpc" / "mrpc_train.jsonl"):
        if d["label"] != 1:
            continue
        a, b = d["text1"].strip(), d["text2"].strip()
        ka, kb = _norm_key(a), _norm_key(b)
        if ka in used_keys or kb in used_keys or ka == kb:
            continue
        if not (6 <= len(ka.split()) <= 60 and 6 <= len(kb.split()) <= 60):
            continue
        used_keys.update((ka, kb))
        mrpc.append((a, b))

    # Sentences: split, filter, drop any sentence already seen (in another document or in MRPC).
    seen = set(used_keys)
    docs: list[tuple[int, str, str | None, list[tuple[str, bool]]]] = []
    for family, key, title, pars in raw:
        out: list[tuple[str, bool]] = []
        chunk = 0
        for par in pars:
            par = par.strip()
            if not par:
                continue
            first = True
            for s in _split_sentences(par):
                s = " ".join(s.split())
                if not _good_sentence(s):
                    continue
                k = _norm_key(s)
                if k in seen:
                    continue
                seen.add(k)
                if family == 1:  # no paragraphs in the truncated text: one every 3-4 sentences
                    first = chunk % 4 == 0 if chunk % 7 < 4 else chunk % 3 == 0
                    chunk += 1
                out.append((s, first, k))
                first = False
        if sum(s.count(" ") + 1 for s, _, _ in out) >= 50 and len(out) >= 3:
            docs.append((family, key, title, out))

    docs = _drop_near_duplicate_docs(docs)

    sents, words, parstart, sent_doc = [], [], [], []
    doc_first, doc_n, doc_family, doc_key, doc_title = [], [], [], [], []
    key_docs: dict[str, list[int]] = {}
    for i, (family, key, title, out) in enumerate(docs):
        doc_first.append(len(sents))
        doc_n.append(len(out))
        doc_family.append(family)
        doc_key.append(key)
        doc_title.append(title)
        key_docs.setdefault(key, []).append(i)
        for s, first, _ in out:
            sents.append(s)
            words.append(s.count(" ") + 1)
            parstart.append(first)
            sent_doc.append(i)
    counts = Counter(_WORD.findall("\n".join(sents).lower()))
    # Respelling buckets: the 250 most frequent words stay; the rest rotate inside buckets of 64 words of
    # similar frequency.
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    content = [w for w in ranked[250:] if len(w) > 1]
    buckets = [content[i : i + 64] for i in range(0, len(content), 64)]
    rnd = random.Random(12345)
    sample_src = [w for w in ranked[250:20000] if len(w) > 3]
    vocab_sample = [sample_src[int(len(sample_src) * rnd.random() ** 2)] for _ in range(4096)]
    pool = _Pool(
        sents, words, parstart, sent_doc, doc_first, doc_n, doc_family, doc_key, doc_title, key_docs, mrpc,
        buckets, vocab_sample, sum(words),
    )
    return pool


def _drop_near_duplicate_docs(docs):
    """Drop later documents that share many word 5-shingles with an earlier one (reprints, chrome)."""
    vocab: dict[str, int] = {}
    ids, owner = [], []
    for i, (_, _, _, out) in enumerate(docs):
        toks = [vocab.setdefault(t, len(vocab) + 1) for _, _, k in out for t in k.split()]
        ids.extend(toks)
        owner.extend([i] * len(toks))
    tok = np.asarray(ids, dtype=np.uint64)
    own = np.asarray(owner, dtype=np.int64)
    k = 5
    m = len(tok) - k + 1
    with np.errstate(over="ignore"):
        h = np.zeros(m, dtype=np.uint64)
        for j in range(k):
            h = h * np.uint64(1_000_003) + tok[j : j + m]
        h ^= h >> np.uint64(31)
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
    same = own[: m] == own[k - 1 :]
    h, d = h[same], own[: m][same]
    keep = (h & np.uint64(7)) == 0  # sample 1/8 of the shingles
    h, d = h[keep], d[keep]
    order = np.lexsort((d, h))
    h, d = h[order], d[order]
    uniq = np.ones(len(h), dtype=bool)
    uniq[1:] = (h[1:] != h[:-1]) | (d[1:] != d[:-1])
    h, d = h[uniq], d[uniq]
    per_doc = np.bincount(d, minlength=len(docs))
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    sizes = np.diff(np.r_[starts, len(h)])
    pairs: dict[tuple[int, int], int] = {}
    for st, sz in zip(starts[(sizes > 1) & (sizes <= 20)].tolist(), sizes[(sizes > 1) & (sizes <= 20)].tolist()):
        ds = d[st : st + sz].tolist()
        for a in range(sz):
            for b in range(a + 1, sz):
                pairs[(ds[a], ds[b])] = pairs.get((ds[a], ds[b]), 0) + 1
    drop = set()
    for (a, b), c in sorted(pairs.items()):
        if c >= 3 and c >= 0.15 * min(per_doc[a], per_doc[b]) and a not in drop:
            drop.add(b)
    return [doc for i, doc in enumerate(docs) if i not in drop]


# --------------------------------------------------------------------------------------------------
# Generation


class _Art:
    __slots__ = ("headline", "dateline", "pars", "top", "bottom", "style", "family")

    def __init__(self, headline, pars, family, dateline="", top=(), bottom=(), style=0):
        self.headline = headline
        self.pars = pars  # list[list[str]]
        self.family = family
        self.dateline = dateline
        self.top = list(top)
        self.bottom = list(bottom)
        self.style = style

    def copy(self) -> "_Art":
        return _Art(self.headline, [list(p) for p in self.pars], self.family, self.dateline, self.top, self.bottom, 0)

    def n_words(self) -> int:
        return sum(s.count(" ") + 1 for p in self.pars for s in p) + self.headline.count(" ") + 1

    def sentences(self) -> list[str]:
        return [s for p in self.pars for s in p]


# style bits for duplicates
_ST_LOWER, _ST_UPHEAD, _ST_QUOTES, _ST_DASH, _ST_SPACES, _ST_NBSP, _ST_NEWLINES, _ST_ZWSP, _ST_CURLY = (
    1 << i for i in range(9)
)


def _render(a: _Art) -> str:
    paras = [" ".join(p) for p in a.pars if p]
    if a.dateline and paras:
        paras[0] = a.dateline + paras[0]
    head = a.headline.upper() if a.style & _ST_UPHEAD else a.headline
    sep = "\n" if a.style & _ST_NEWLINES else "\n\n"
    text = sep.join([*a.top, head, *paras, *a.bottom])
    st = a.style
    if st:
        if st & _ST_QUOTES:
            text = text.translate(_STRAIGHTEN)
        elif st & _ST_CURLY:
            text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
        if st & _ST_DASH:
            text = text.replace(" — ", " -- ").replace(" - ", " — ")
        if st & _ST_SPACES:
            text = re.sub(r"(?<=[.!?]) (?=[A-Z])", "  ", text).replace("\n", " \n")
        if st & _ST_NBSP:
            text = text.replace(", ", ",\u00a0", 40)
        if st & _ST_ZWSP:
            text = text.replace(". ", ".\u200b ", 20)
        if st & _ST_LOWER:
            text = text.lower()
    return text + "\n"


_STRAIGHTEN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-"})


class _Gen:
    def __init__(self, n: int, seed: int, pool: _Pool):
        self.n = n
        self.pool = pool
        self.rnd = random.Random(f"dedup-synth/{seed}")
        # per family: shuffled document order, cursor, epoch
        self.order: list[list[int]] = [[], []]
        self.cursor = [0, 0]
        self.sent_cursor: list[int | None] = [None, None]
        self.doc_end = [0, 0]
        self.epoch = [0, 0]
        self.used: list[set[int]] = [set(), set()]  # docs taken in the current epoch, per family
        self.doc_epoch: dict[int, int] = {}
        self.fam_docs = [[i for i, f in enumerate(pool.doc_family) if f == fam] for fam in (0, 1)]
        self.doc_words = [sum(pool.words[f : f + k]) for f, k in zip(pool.doc_first, pool.doc_n)]
        self.fam_words = [sum(self.doc_words[d] for d in docs) for docs in self.fam_docs]
        self.fam_left = list(self.fam_words)  # words of the documents not yet taken in the current epoch
        for fam in (0, 1):
            self._reshuffle(fam)
        self.mrpc_order = list(range(len(pool.mrpc)))
        self.rnd.shuffle(self.mrpc_order)
        self.mrpc_cursor = 0
        self.mrpc_epoch = 0
        self.paraphrase: dict[str, str] = {}
        self._respell_maps: dict[int, dict[str, str]] = {}
        self.epochs_used = 0

    # ---- respelling (pool reuse beyond the first epoch)
    def _respell_map(self, epoch: int) -> dict[str, str]:
        """Surface form -> respelled surface form (lower, Capitalised and UPPER variants) for an epoch."""
        m = self._respell_maps.pop(epoch, None)
        if m is None:
            m = {}
            for bucket in self.pool.vocab_buckets:
                size = len(bucket)
                shift = (epoch * 7) % size if size > 1 else 0
                for i, w in enumerate(bucket):
                    t = bucket[(i + shift) % size]
                    m[w] = t
                    m[w[0].upper() + w[1:]] = t[0].upper() + t[1:]
                    m[w.upper()] = t.upper()
            if len(self._respell_maps) >= 4:  # least recently used out: 3 epochs are live (2 families, MRPC)
                del self._respell_maps[next(iter(self._respell_maps))]
        self._respell_maps[epoch] = m
        return m

    def _respell(self, s: str, epoch: int) -> str:
        if epoch == 0:
            return s
        get = self._respell_map(epoch).get
        parts = _WORD_SPLIT.split(s)
        words = parts[1::2]
        parts[1::2] = map(get, words, words)
        return "".join(parts)

    # ---- the document streams
    def _reshuffle(self, fam: int) -> None:
        # topic groups (event clusters, BBC topics) in random order, their documents together, so that a
        # story filled from several documents stays on one event or topic
        groups: dict[str, list[int]] = {}
        for d in self.fam_docs[fam]:
            groups.setdefault(self.pool.doc_key[d], []).append(d)
        keys = list(groups)
        self.rnd.shuffle(keys)
        order = []
        for k in keys:
            docs = groups[k]
            self.rnd.shuffle(docs)
            order.extend(docs)
        self.order[fam] = order
        self.fam_left[fam] = self.fam_words[fam]
        self.cursor[fam] = 0
        self.sent_cursor[fam] = None
        self.used[fam] = set()

    def _next_sentence(self, fam: int) -> tuple[str, bool, int]:
        """Next sentence of the family's stream: (text, starts a paragraph, document)."""
        p = self.pool
        sc, end = self.sent_cursor[fam], self.doc_end[fam]
        new_doc = False
        if sc is None or sc >= end:
            while True:
                if self.cursor[fam] >= len(self.order[fam]):
                    self.epoch[fam] += 1
                    self.epochs_used = max(self.epochs_used, self.epoch[fam])
                    self._reshuffle(fam)
                doc = self.order[fam][self.cursor[fam]]
                self.cursor[fam] += 1
                if doc not in self.used[fam]:
                    break
            self.used[fam].add(doc)
            self.fam_left[fam] -= self.doc_words[doc]
            sc = p.doc_first[doc]
            self.doc_end[fam] = sc + p.doc_n[doc]
            new_doc = True
        self.sent_cursor[fam] = sc + 1
        return self._respell(p.sents[sc], self.epoch[fam]), new_doc or p.parstart[sc], p.sent_doc[sc]

    def _take_doc(self, key: str, avoid: int) -> int | None:
        """An unused document of the topic group ``key`` (for same-topic unrelated stories)."""
        cands = [d for d in self.pool.key_docs.get(key, ()) if d != avoid]
        if not cands:
            return None
        start = self.rnd.randrange(len(cands))
        for j in range(len(cands)):
            d = cands[(start + j) % len(cands)]
            fam = self.pool.doc_family[d]
            if d not in self.used[fam]:
                self.used[fam].add(d)
                self.fam_left[fam] -= self.doc_words[d]
                return d
        return None

    def _mrpc_pair(self, fam: int) -> tuple[str, str]:
        if self.mrpc_cursor >= len(self.mrpc_order):
            self.mrpc_epoch += 1
            self.epochs_used = max(self.epochs_used, self.mrpc_epoch)
            self.rnd.shuffle(self.mrpc_order)
            self.mrpc_cursor = 0
        a, b = self.pool.mrpc[self.mrpc_order[self.mrpc_cursor]]
        self.mrpc_cursor += 1
        if self.rnd.random() < 0.5:
            a, b = b, a
        a, b = self._respell(a, self.mrpc_epoch), self._respell(b, self.mrpc_epoch)
        if fam == 1:  # match the lower-cased Multi-News style
            a, b = a.lower(), b.lower()
            a, b = a[0].upper() + a[1:], b[0].upper() + b[1:]
        self.paraphrase[a] = b
        self.paraphrase[b] = a
        return a, b

    def pick_family(self) -> int:
        """In proportion to the families' sizes, so that both run out together: words left in the current
        epoch, plus a whole pass for a family an epoch behind the other."""
        top = max(self.epoch)
        w0, w1 = (self.fam_left[f] + self.fam_words[f] * (top - self.epoch[f]) for f in (0, 1))
        return 0 if self.rnd.random() * (w0 + w1) < w0 else 1

    def peek(self, fam: int) -> tuple[str | None, int]:
        """Topic key and document of the stream's next sentence, without taking it."""
        p = self.pool
        sc = self.sent_cursor[fam]
        if sc is not None and sc < self.doc_end[fam]:
            d = p.sent_doc[sc]
            return p.doc_key[d], d
        for d in self.order[fam][self.cursor[fam] :]:
            if d not in self.used[fam]:
                return p.doc_key[d], d
        return None, -1

    # ---- composing a story root
    def compose(self, fam: int | None = None, mrpc_share: float = 0.0, core_doc: int | None = None):
        """A new article from real sentences: (article, topic key of its first sentence)."""
        rnd, p = self.rnd, self.pool
        if core_doc is not None:
            fam = p.doc_family[core_doc]
        elif fam is None:
            fam = self.pick_family()
        target = rnd.randint(ROOT_MIN_WORDS, ROOT_MAX_WORDS)
        n_sent = 0
        words = 0
        pars: list[list[str]] = []
        key = None
        title = None
        core = []
        if core_doc is not None:
            ep = self.epoch[fam]
            f0 = p.doc_first[core_doc]
            core = [(self._respell(p.sents[i], ep), p.parstart[i] or i == f0) for i in range(f0, f0 + p.doc_n[core_doc])]
            key = p.doc_key[core_doc]
            title = p.doc_title[core_doc]
            if title and ep:
                title = self._respell(title, ep)
        core_i = 0
        while (n_sent < ROOT_MAX_SENT or words < MIN_WORDS + 30) and (words < target or n_sent < ROOT_MIN_SENT):
            if mrpc_share and n_sent >= 2 and rnd.random() < mrpc_share:
                s, _ = self._mrpc_pair(fam)
                new_par = False
            elif core_i < len(core):
                s, new_par = core[core_i]
                core_i += 1
            else:
                s, new_par, doc = self._next_sentence(fam)
                if key is None:
                    key = p.doc_key[doc]
                    sc = self.sent_cursor[fam] - 1
                    if sc == p.doc_first[doc] and p.doc_title[doc]:
                        title = self._respell(p.doc_title[doc], self.epoch[fam])
            w = s.count(" ") + 1
            if words + w > ROOT_MAX_WORDS + 150 and n_sent >= ROOT_MIN_SENT:
                break
            if new_par or not pars or len(pars[-1]) >= 6:
                pars.append([])
            pars[-1].append(s)
            words += w
            n_sent += 1
        headline = title or self._headline_from(pars[0][0])
        return _Art(headline, pars, fam), key or ""

    def _headline_from(self, sentence: str) -> str:
        ws = sentence.lstrip("\"'“‘([ ").split()
        k = min(len(ws), self.rnd.randint(6, 10))
        h = " ".join(ws[:k]).rstrip(",;:.-—\"'“”")
        return h[0].upper() + h[1:] if h else "News"

    def _chrome(self, a: _Art, slug_id: int) -> None:
        rnd = self.rnd
        site = rnd.randrange(len(SITES))
        top = []
        if rnd.random() < 0.6:
            slug = "-".join(_TOKEN.findall(a.headline.casefold())[:8])
            top.append(f"https://www.{SITES[site]}/{SECTIONS[site % len(SECTIONS)]}/{slug}-{slug_id:07d}")
        # a site's chrome is fixed: the same lines in the same order on every page of that site
        srnd = random.Random(f"site/{site}")
        top += srnd.sample(BOILERPLATE_TOP, srnd.randint(0, 2))
        bottom = srnd.sample(BOILERPLATE_BOTTOM, srnd.randint(1, 3))
        a.top, a.bottom = top, bottom

    # ---- derived articles
    def duplicate(self, parent: _Art) -> tuple[_Art, float]:
        a = parent.copy()
        a.style = self.rnd.getrandbits(9) | 1 << self.rnd.randrange(9)
        return a, 0.0

    def near_duplicate(self, parent: _Art, slug_id: int) -> tuple[_Art, float]:
        rnd = self.rnd
        a = parent.copy()
        if rnd.random() < 0.7:
            src = a.pars[0][0] if rnd.random() < 0.5 or len(a.sentences()) < 3 else rnd.choice(a.sentences()[:4])
            h = self._headline_from(src)
            if rnd.random() < 0.3:
                h = rnd.choice(HEADLINE_PREFIX) + h
            a.headline = h
        r = rnd.random()
        if r < 0.35:  # trimmed ending
            for _ in range(rnd.randint(1, 4)):
                last = a.pars[-1][-1]
                if a.n_words() - (last.count(" ") + 1) < MIN_WORDS + 20 or len(a.sentences()) <= 8:
                    break
                a.pars[-1].pop()
                if not a.pars[-1]:
                    a.pars.pop()
        elif r < 0.6:  # extended ending: an update paragraph
            extra = []
            for _ in range(rnd.randint(1, 3)):
                s, _, _ = self._next_sentence(a.family)
                if a.n_words() + sum(x.count(" ") + 1 for x in extra) + s.count(" ") + 1 > MAX_WORDS - 60:
                    break
                extra.append(s)
            if extra:
                a.pars.append(extra)
        rate = round(rnd.uniform(0.01, 0.10), 4)
        self._edit_words(a, rate)
        if rnd.random() < 0.5:
            a.dateline = rnd.choice(DATELINES)
        if rnd.random() < 0.85:
            self._chrome(a, slug_id)
        else:
            a.top, a.bottom = [], []
        return a, rate

    def _edit_words(self, a: _Art, rate: float) -> None:
        rnd = self.rnd
        flat = [(i, j) for i, p in enumerate(a.pars) for j in range(len(p))]
        cum = list(accumulate(a.pars[i][j].count(" ") + 1 for i, j in flat))
        total = cum[-1]
        edits = max(1, round(rate * total))
        per: dict[int, int] = {}
        for _ in range(edits):
            k = bisect_right(cum, rnd.random() * total)
            per[min(k, len(flat) - 1)] = per.get(min(k, len(flat) - 1), 0) + 1
        for k in sorted(per):
            i, j = flat[k]
            ws = a.pars[i][j].split(" ")
            for _ in range(per[k]):
                op = rnd.random()
                pos = rnd.randrange(len(ws))
                if op < 0.3 and len(ws) > 4:
                    if pos == len(ws) - 1:
                        pos -= 1  # keep the sentence's final punctuation
                    del ws[pos]
                elif op < 0.55:
                    ws.insert(max(1, pos), rnd.choice(_FILLERS))
                elif op < 0.75 and len(ws) > 2:
                    pos = min(pos, len(ws) - 3)
                    ws[pos], ws[pos + 1] = ws[pos + 1], ws[pos]
                else:
                    w = ws[pos]
                    core = w.strip(".,;:!?\"'“”‘’()")
                    rep = _SYNONYMS.get(core.lower()) or rnd.choice(self.pool.vocab_sample)
                    if core:
                        if core[0].isupper():
                            rep = rep[0].upper() + rep[1:]
                        ws[pos] = w.replace(core, rep, 1)
            s = " ".join(ws)
            a.pars[i][j] = s[0].upper() + s[1:] if s else s

    def rewrite(self, parent: _Art, slug_id: int) -> tuple[_Art, float]:
        rnd = self.rnd
        a = parent.copy()
        a.dateline = rnd.choice(DATELINES) if rnd.random() < 0.3 else ""
        sents = a.sentences()
        n = len(sents)
        cands = [k for k, s in enumerate(sents) if s in self.paraphrase]
        others = [k for k, s in enumerate(sents) if s not in self.paraphrase]
        target = round(rnd.uniform(0.30, 0.70) * n)
        chosen = set(rnd.sample(cands, min(target, len(cands))))
        if len(chosen) < target:  # no real paraphrase left: a synthetic rewording of the sentence
            chosen.update(rnd.sample(others, min(target - len(chosen), len(others))))
        k = 0
        for p in a.pars:
            for j in range(len(p)):
                if k in chosen:
                    p[j] = self.paraphrase.get(p[j]) or self._reword(p[j])
                k += 1
            if len(p) > 1 and rnd.random() < 0.7:
                rnd.shuffle(p)
        # drop 5-20 % of the sentences (never below the length floor)
        for _ in range(round(rnd.uniform(0.05, 0.20) * n)):
            i = rnd.randrange(len(a.pars))
            p = a.pars[i]
            if not p:
                continue
            j = rnd.randrange(len(p))
            if a.n_words() - (p[j].count(" ") + 1) < MIN_WORDS + 40:
                break
            del p[j]
        a.pars = [p for p in a.pars if p]
        for _ in range(rnd.randint(1, 3)):  # a few sentences from elsewhere
            s, _, _ = self._next_sentence(a.family)
            if a.n_words() + s.count(" ") + 1 > MAX_WORDS - 60:
                break
            p = a.pars[rnd.randrange(len(a.pars))]
            p.insert(rnd.randint(0, len(p)), s)
        a.headline = self._headline_from(a.pars[0][0])
        if rnd.random() < 0.5:
            self._chrome(a, slug_id)
        else:
            a.top, a.bottom = [], []
        return a, round(len(chosen) / max(1, n), 4)

    def _reword(self, s: str) -> str:
        """Same facts, other words: clause order, synonyms, contractions, numerals, adverbs after auxiliaries."""
        rnd = self.rnd
        body, end = (s[:-1], s[-1]) if s[-1] in ".!?" else (s, "")
        if ", " in body and not any(q in body for q in "\"“”"):
            i = body.index(", ")
            a, b = body[:i], body[i + 2 :]
            if a.count(" ") >= 3 and b.count(" ") >= 3:
                fw = a.split(" ", 1)[0]
                if fw.lower() in _LEADS:
                    a = fw.lower() + a[len(fw) :]
                body = b[0].upper() + b[1:] + ", " + a
        for long, short in _CONTRACT:
            if long in body:
                body = body.replace(long, short)
            elif short in body:
                body = body.replace(short, long)
        out = []
        for w in body.split(" "):
            core = w.strip(".,;:!?\"'“”‘’()")
            lw = core.lower()
            rep = _SYNONYMS.get(lw) or _NUMWORDS.get(lw)
            if rep and core:
                if core[0].isupper():
                    rep = rep[0].upper() + rep[1:]
                w = w.replace(core, rep, 1)
            out.append(w)
            if lw in _AUX and w == core and rnd.random() < 0.7:
                out.append(rnd.choice(_FILLERS))
        body = " ".join(out)
        return body[0].upper() + body[1:] + end if body else s

    def partial(self, parent: _Art) -> tuple[_Art, float]:
        rnd = self.rnd
        a, key = self.compose(fam=parent.family)
        # trim to leave room for the quoted passage
        while a.n_words() > ROOT_MAX_WORDS - 60 and len(a.sentences()) > ROOT_MIN_SENT:
            a.pars[-1].pop()
            if not a.pars[-1]:
                a.pars.pop()
        src = parent.sentences()
        m = rnd.randint(2, 3)
        start = rnd.randrange(max(1, len(src) - m + 1))
        quote = src[start : start + m]
        a.pars.insert(rnd.randint(1, len(a.pars)), list(quote))
        if rnd.random() < 0.3:
            self._chrome(a, rnd.randrange(10**7))
        share = sum(s.count(" ") + 1 for s in quote) / a.n_words()
        return a, key, round(share, 4)


def _plan_sizes(n: int, rnd: random.Random) -> tuple[list[int], int, int]:
    """Sizes of the multi-article stories, the number of unrelated and of partial articles."""
    n_partial = round(PARTIAL_SHARE * n) if n >= 20 else 0
    n_single = round(SINGLE_SHARE * n)
    n_multi = n - n_partial - n_single
    sizes: list[int] = []
    if n >= 2000:
        for _ in range(max(1, n // GIANT_EVERY)):
            g = min(rnd.randint(GIANT_MIN, GIANT_MAX), n_multi // 2)
            sizes.append(g)
    elif n_multi >= 8:
        sizes.append(max(2, n_multi // 6))
    rest = n_multi - sum(sizes)
    support = list(range(2, STORY_SIZE_MAX + 1))
    cw = list(accumulate(s ** -STORY_SIZE_EXPONENT for s in support))
    while rest > 0:
        s = rnd.choices(support, cum_weights=cw)[0]
        s = min(s, rest)
        if s == 1:  # cannot have a one-article multi story: grow the previous one (or make it a single)
            if sizes:
                sizes[-1] += 1
            else:
                n_single += 1
            break
        sizes.append(s)
        rest -= s
    return sizes, n_single, n_partial


def generate(n: int, seed: int = 0, shared_dir: Path | None = None) -> list[SynthArticle]:
    """``n`` articles with known ground truth (see the module docstring). Deterministic in (n, seed)."""
    if n < 1:
        return []
    pool = _load_pool(shared_dir)
    g = _Gen(n, seed, pool)
    rnd = g.rnd
    sizes, n_single, n_partial = _plan_sizes(n, rnd)
    # items: (art, story, kind, parent_index, edit_rate, topic)
    items: list[tuple[_Art, int, str, int | None, float, str]] = []
    story_roots: list[tuple[int, int]] = []  # (item index of the root, root doc key) of multi stories
    story = 0
    slug = 0
    giants = {i for i, s in enumerate(sizes) if s >= GIANT_MIN} if n >= 2000 else ({0} if sizes else set())
    plans = []
    for si, size in enumerate(sizes):
        mix = GIANT_MIX if si in giants else DERIVED_MIX
        cw = list(accumulate(w for _, w in mix))
        plans.append([rnd.choices([k for k, _ in mix], cum_weights=cw)[0] for _ in range(size - 1)])
    # MRPC sentences only go into stories that have rewrites; below the pool's capacity the share is
    # capped so that no MRPC pair has to be reused (respelled)
    n_rw_stories = sum("rewrite" in kinds for kinds in plans)
    demand = (len(sizes) + n_single + n_partial) * (ROOT_MIN_WORDS + ROOT_MAX_WORDS) / 2 * 1.08
    mrpc_share = MRPC_SHARE
    if demand < pool.total_words and n_rw_stories:
        mrpc_share = max(0.2, min(MRPC_SHARE, 0.95 * len(pool.mrpc) / (n_rw_stories * 21)))
    # unrelated one-article stories, a share of them on the topic of an existing multi-article story
    def add_unrelated(art, key):
        nonlocal story, slug
        if rnd.random() < BOILERPLATE_SHARE_ROOT:
            g._chrome(art, slug)
        slug += 1
        items.append((art, story, "unrelated", None, 0.0, key))
        story += 1

    n_sib_target = round(SIBLING_SHARE * n_single)
    n_sib = 0
    for si, kinds in enumerate(plans):
        share = mrpc_share if "rewrite" in kinds else 0.0
        fam = g.pick_family()
        # same-topic unrelated articles, spread over the stories: a document of the event cluster / topic
        # the story is about to start from is reserved before the story consumes the cluster
        reserved = []
        peek_key, peek_doc = g.peek(fam)
        for _ in range(round(n_sib_target * (si + 1) / len(plans)) - n_sib):
            doc = g._take_doc(peek_key, avoid=peek_doc) if peek_key and n_sib < n_single else None
            if doc is None:
                break
            reserved.append(doc)
            n_sib += 1
        root, key = g.compose(fam=fam, mrpc_share=share)
        if rnd.random() < BOILERPLATE_SHARE_ROOT:
            g._chrome(root, slug)
        slug += 1
        base = len(items)
        items.append((root, story, "original", None, 0.0, key))
        story_roots.append((base, key))
        members = [base]
        for kind in kinds:
            if len(members) > 1 and rnd.random() < CHAIN_SHARE:
                par = members[rnd.randrange(1, len(members))]
            else:
                par = base
            pa = items[par][0]
            if kind == "duplicate":
                art, rate = g.duplicate(pa)
            elif kind == "near-duplicate":
                art, rate = g.near_duplicate(pa, slug)
            else:
                art, rate = g.rewrite(pa, slug)
            slug += 1
            members.append(len(items))
            items.append((art, story, kind, par, rate, key))
        story += 1
        for doc in reserved:
            add_unrelated(*g.compose(core_doc=doc))
    for _ in range(n_single - n_sib):
        add_unrelated(*g.compose())
    # partial: own story, quoting 2-3 sentences of an article of another story
    quotable = [i for i, it in enumerate(items) if it[0].style == 0]  # not a reformatted duplicate
    for _ in range(n_partial):
        par = quotable[rnd.randrange(len(quotable))]
        art, key, share = g.partial(items[par][0])
        items.append((art, story, "partial", par, share, key))
        story += 1

    LAST_RUN.clear()
    LAST_RUN.update(
        n=n, seed=seed, pool_words=pool.total_words, pool_sentences=len(pool.sents), pool_docs=len(pool.doc_n),
        text_epochs=list(g.epoch), mrpc_pairs=len(pool.mrpc), mrpc_used=g.mrpc_cursor + g.mrpc_epoch * len(pool.mrpc),
        respelled=g.epochs_used > 0,
    )
    order = list(range(len(items)))
    rnd.shuffle(order)
    ids = [""] * len(items)
    for pos, idx in enumerate(order):
        ids[idx] = f"{pos // 1000:03d}/{pos:06d}.txt"
    out = []
    for idx in order:
        art, st, kind, par, rate, key = items[idx]
        out.append(SynthArticle(ids[idx], _render(art), st, kind, None if par is None else ids[par], rate, key))
    return out


# --------------------------------------------------------------------------------------------------
# Ground truth, I/O, measurement helpers


def clusters(articles: list[SynthArticle]) -> list[list[str]]:
    """Ground-truth clusters with at least two articles (sorted ids, sorted by first id)."""
    by: dict[int, list[str]] = {}
    for a in articles:
        by.setdefault(a.story, []).append(a.id)
    return sorted(sorted(ids) for ids in by.values() if len(ids) > 1)


def truth_pairs(articles: list[SynthArticle]) -> set[frozenset[str]]:
    """Unordered pairs of articles of the same story (partials are their own story, so never included)."""
    out: set[frozenset[str]] = set()
    for ids in clusters(articles):
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                out.add(frozenset((ids[i], ids[j])))
    return out


def _truth_doc(articles: list[SynthArticle]) -> dict:
    return {
        "format": "dedup-synth/1",
        "n": len(articles),
        "kinds": {k: sum(a.kind == k for a in articles) for k in KINDS},
        "articles": [{k: v for k, v in asdict(a).items() if k != "text"} for a in articles],
        "clusters": clusters(articles),
        "partials": sorted([a.id, a.parent] for a in articles if a.kind == "partial"),
    }


def write_corpus(articles: list[SynthArticle], folder: Path, fmt: str = "txt") -> None:
    """Write one UTF-8 ``.txt`` per article at ``folder/<id>`` ("txt") or ``folder/corpus.jsonl`` with
    ``id``/``text`` per line ("jsonl"); plus ``folder/truth.json`` (articles without text, clusters, partials)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "txt":
        made: set[Path] = set()
        for a in articles:
            path = folder / a.id
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(a.text)
    elif fmt == "jsonl":
        with open(folder / "corpus.jsonl", "w", encoding="utf-8", newline="\n") as fh:
            for a in articles:
                fh.write(json.dumps({"id": a.id, "text": a.text}, ensure_ascii=False) + "\n")
    else:
        raise ValueError(f"unknown format {fmt!r} (txt or jsonl)")
    doc = _truth_doc(articles)
    with open(folder / "truth.json", "w", encoding="utf-8", newline="\n") as fh:
        fh.write("{\n")
        for i, key in enumerate(sorted(doc)):  # one article / cluster / partial per line
            value = doc[key]
            if isinstance(value, list):
                body = ",\n".join(json.dumps(v, ensure_ascii=False, sort_keys=True) for v in value)
                text = f"[\n{body}\n]" if value else "[]"
            else:
                text = json.dumps(value, ensure_ascii=False, sort_keys=True)
            fh.write(f"{json.dumps(key)}: {text}{',' if i < len(doc) - 1 else ''}\n")
        fh.write("}\n")


def read_corpus(folder: Path) -> list[SynthArticle]:
    """Read back a corpus written by :func:`write_corpus` (either format)."""
    folder = Path(folder)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    jl = folder / "corpus.jsonl"
    texts: dict[str, str] = {}
    if jl.is_file():
        with open(jl, encoding="utf-8", newline="") as fh:
            for line in fh:
                d = json.loads(line)
                texts[d["id"]] = d["text"]
    out = []
    for meta in truth["articles"]:
        if jl.is_file():
            text = texts[meta["id"]]
        else:
            with open(folder / meta["id"], encoding="utf-8", newline="") as fh:
                text = fh.read()
        out.append(SynthArticle(text=text, **meta))
    return out


def word_shingles(text: str, k: int = 5) -> set[str]:
    """Word k-shingles of case-folded ``[^\\W_]+`` tokens."""
    t = _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())
    return {" ".join(t[i : i + k]) for i in range(len(t) - k + 1)}


def jaccard5(a: str, b: str) -> float:
    sa, sb = word_shingles(a), word_shingles(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def describe(articles: list[SynthArticle]) -> dict:
    """Counts per kind, story-size profile and word-count range."""
    sizes: dict[int, int] = {}
    for a in articles:
        sizes[a.story] = sizes.get(a.story, 0) + 1
    ss = sorted(sizes.values())
    wc = sorted(len(a.text.split()) for a in articles)
    return {
        "n": len(articles),
        "kinds": {k: sum(a.kind == k for a in articles) for k in KINDS},
        "stories": len(ss),
        "multi_stories": sum(s > 1 for s in ss),
        "largest_stories": ss[-5:][::-1],
        "truth_pairs": sum(s * (s - 1) // 2 for s in ss),
        "words_min_median_max": (wc[0], wc[len(wc) // 2], wc[-1]) if wc else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.synth", description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=("txt", "jsonl"), default="txt")
    ap.add_argument("--shared-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    arts = generate(args.n, args.seed, args.shared_dir)
    t1 = time.perf_counter()
    write_corpus(arts, args.out_dir, args.format)
    t2 = time.perf_counter()
    info = describe(arts)
    info["generate_s"] = round(t1 - t0, 2)
    info["write_s"] = round(t2 - t1, 2)
    print(json.dumps(info), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
