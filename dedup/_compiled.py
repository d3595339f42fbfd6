"""numba-compiled twins of the hot loops, imported only when numba is installed; each gives exactly what its
pure-Python/numpy original gives (tested): the token scanner (`tokenhash`), shingle hashing (`shingle`),
MinHash (`signature`), the sentence splitter's loop (`sentences`), verification's counts (`verify`), the band
tables (`lsh`), the prefilter and shared-sentence keys (`reuse`).

All arithmetic is on uint64 (numba turns mixed signed/unsigned integers into floats); xxh64 is written
out from its specification for inputs that are whole UTF-32 code points.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_P1 = np.uint64(0x9E3779B185EBCA87)
_P2 = np.uint64(0xC2B2AE3D27D4EB4F)
_P3 = np.uint64(0x165667B19E3779F9)
_P4 = np.uint64(0x85EBCA77C2B2AE63)
_P5 = np.uint64(0x27D4EB2F165667C5)
_LETTER = 1
_DIGIT = 2
_CLASS = 3
_ISDIGIT = 4
_CODE = 0xFFFFFF
FOLDS_TO_MANY = np.uint32(0xFFFFFFFF)  # table entry of a character whose case folding is several characters
_COMMA = 44
_POINT = 46
_LOW32 = np.uint64(0xFFFFFFFF)
_MULT = np.uint64(0x9E3779B97F4A7C15)  # shingle.py's rolling-hash multiplier


@njit(inline="always")
def _rotl(x, r):
    return (x << np.uint64(r)) | (x >> np.uint64(64 - r))


@njit(inline="always")
def _round(acc, lane):
    acc = acc + lane * _P2
    return _rotl(acc, 31) * _P1


@njit(inline="always")
def _merge(acc, v):
    acc = acc ^ _round(np.uint64(0), v)
    return acc * _P1 + _P4


@njit(inline="always")
def _lane(cps, i):
    return cps[i] | (cps[i + 1] << np.uint64(32))


@njit(cache=True, nogil=True)
def _xxh64(cps, n):
    """xxh64 (seed 0) of the UTF-32-LE bytes of the code points cps[:n]."""
    i = 0
    if n >= 8:  # 32-byte stripes
        v1 = _P1 + _P2
        v2 = _P2
        v3 = np.uint64(0)
        v4 = np.uint64(0) - _P1
        while i + 8 <= n:
            v1 = _round(v1, _lane(cps, i))
            v2 = _round(v2, _lane(cps, i + 2))
            v3 = _round(v3, _lane(cps, i + 4))
            v4 = _round(v4, _lane(cps, i + 6))
            i += 8
        h = _rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)
        h = _merge(h, v1)
        h = _merge(h, v2)
        h = _merge(h, v3)
        h = _merge(h, v4)
    else:
        h = _P5
    h = h + np.uint64(4 * n)
    while i + 2 <= n:  # 8-byte words
        h = h ^ _round(np.uint64(0), _lane(cps, i))
        h = _rotl(h, 27) * _P1 + _P4
        i += 2
    if i < n:  # one 4-byte word
        h = h ^ (cps[i] * _P1)
        h = _rotl(h, 23) * _P2 + _P3
    h = h ^ (h >> np.uint64(33))
    h = h * _P2
    h = h ^ (h >> np.uint64(29))
    h = h * _P3
    return h ^ (h >> np.uint64(32))


@njit(inline="always")
def _term(buf, m, h, isdigit, stop, masks, patterns, lengths, to_y):
    """tokenhash.term_hash of the token buf[:m] whose hash is h (stop words out, terms.stem, folded to 32 bits).

    The stemmer reads the token's last eight characters as one integer (a byte each, 0xFF for non-ASCII) and
    compares it with every suffix at once, without an early exit: a loop of branches was a third of the scan."""
    slot = h & np.uint64(len(stop) - 1)  # stop words: an open-addressing set of their hashes (0 = empty slot)
    while stop[slot] != 0:
        if stop[slot] == h:
            return -1
        slot = (slot + np.uint64(1)) & np.uint64(len(stop) - 1)
    if m < 2 and not isdigit:
        return -1
    if not isdigit and m > 4:
        tail = np.uint64(0)
        for c in range(max(0, m - 8), m):
            tail = (tail << np.uint64(8)) | (buf[c] if buf[c] < 128 else np.uint64(0xFF))
        found = -1
        for s in range(len(masks) - 1, -1, -1):  # the first suffix in terms.SUFFIXES' order wins
            if tail & masks[s] == patterns[s] and m - lengths[s] >= 3:
                found = s
        if found >= 0:
            m -= lengths[found]
            if to_y[found]:
                buf[m] = np.uint64(121)  # "y"
                m += 1
            h = _xxh64(buf, m)
    return np.int64((h ^ (h >> np.uint64(32))) & _LOW32)


@njit(inline="always")
def _is_space(c):
    """str.isspace() of the code point c."""
    if c <= 32:
        return c == 32 or 9 <= c <= 13 or 28 <= c <= 31
    return c == 133 or c == 160 or c == 5760 or 8192 <= c <= 8202 or c == 8232 or c == 8233 or c == 8239 or c == 8287 or c == 12288


@njit(cache=True, nogil=True)
def scan(codes, table, stop, masks, patterns, lengths, to_y, hashes, terms, starts, ends, buf):
    """Fill hashes/terms/starts/ends with the tokens of the code points `codes` (buf: scratch space, as long as
    codes + 2); return how many there are and how many words (normalize.word_count: runs between whitespace that
    hold a token), or -1 tokens when a character folds to several (ß → ss: the caller folds the text first).

    table[c] is the case-folded code point of c in its low 24 bits and the class of that (letter, digit,
    isdigit) in the high 8; FOLDS_TO_MANY (class bits 3: neither letter nor digit) where folding is longer.
    One pass over the characters (and a sentinel past the end): a token grows while the class stays the same."""
    n = len(codes)
    count = 0
    words = 0
    spaced = True  # whitespace since the last token (a token then starts a word)
    m = 0  # length of the token in buf (0: not in a token)
    cls_in = -1  # class of the token being read
    start = 0
    isdigit = False
    for i in range(n + 1):
        entry = table[codes[i]] if i < n else np.uint32(0)
        cls = (entry >> 24) & _CLASS if i < n else -1
        if cls == cls_in and m:
            buf[m] = np.uint64(entry & _CODE)
            m += 1
            continue
        # A point or comma between digits continues the figure; the comma is a separator, dropped.
        if cls_in == _DIGIT and i + 1 < n and (table[codes[i + 1]] >> 24) & _CLASS == _DIGIT:
            mark = entry & _CODE
            if mark == _POINT or mark == _COMMA:
                if mark == _POINT:
                    buf[m] = np.uint64(_POINT)
                    m += 1
                continue
        if m:
            h = _xxh64(buf, m)
            hashes[count] = h
            terms[count] = _term(buf, m, h, isdigit, stop, masks, patterns, lengths, to_y)
            starts[count] = start
            ends[count] = i
            count += 1
            m = 0
        if entry == FOLDS_TO_MANY:
            return -1, 0
        if cls == _LETTER or cls == _DIGIT:
            cls_in = cls
            start = i
            isdigit = (entry >> 24) & _ISDIGIT != 0
            buf[0] = np.uint64(entry & _CODE)
            m = 1
            words += spaced
            spaced = False
        else:
            cls_in = -1
            if i < n and _is_space(codes[i]):
                spaced = True
    return count, words


@njit(cache=True, nogil=True)
def shingle_hashes(token_hashes, k):
    """shingle.shingle_hashes: 32-bit hashes of every run of k tokens (all of them when fewer)."""
    n = len(token_hashes)
    if n == 0:
        return np.empty(0, dtype=np.uint32)
    k = min(k, n)
    out = np.empty(n - k + 1, dtype=np.uint32)
    for i in range(n - k + 1):
        acc = token_hashes[i]
        for j in range(1, k):
            acc = acc * _MULT + token_hashes[i + j]
        acc = acc ^ (acc >> np.uint64(29))
        acc = acc * _MULT
        acc = acc ^ (acc >> np.uint64(32))
        out[i] = np.uint32(acc & _LOW32)
    return out


@njit(inline="always")
def _fmix32(h):
    h = h ^ (h >> np.uint32(16))
    h = np.uint32(h * np.uint32(0x85EBCA6B))
    h = h ^ (h >> np.uint32(13))
    h = np.uint32(h * np.uint32(0xC2B2AE35))
    return np.uint32(h ^ (h >> np.uint32(16)))


@njit(cache=True, nogil=True)
def signatures(values, bounds, a, b, out):
    """signature.Permutations.signatures: row s of out = min over values[bounds[s]:bounds[s+1]] of a·fmix32(v)+b mod 2³².

    Written with uint32 results and min() (no branch) so LLVM vectorises the loop over permutations."""
    num_perm = len(a)
    acc = np.empty(num_perm, dtype=np.uint32)
    for s in range(len(bounds) - 1):
        if bounds[s] == bounds[s + 1]:
            continue  # an empty set keeps the EMPTY row out was filled with
        acc[:] = np.uint32(0xFFFFFFFF)
        for i in range(bounds[s], bounds[s + 1]):
            h = _fmix32(values[i])
            for p in range(num_perm):
                acc[p] = min(acc[p], np.uint32(a[p] * h + b[p]))
        out[s, :] = acc


@njit(inline="always")
def _shared(values, a_start, a_end, b_start, b_end, weights, sums):
    """How many values of the sorted run values[b_start:b_end] the sorted run values[a_start:a_end] holds (by
    merging); with weights (one per value), sums[0] gets the sum of the weights of b's shared values, in order."""
    i, j, count, common = a_start, b_start, 0, 0.0
    while i < a_end and j < b_end:
        if values[i] < values[j]:
            i += 1
        elif values[i] > values[j]:
            j += 1
        else:
            count += 1
            if len(weights):
                common += weights[j]
            i += 1
            j += 1
    sums[0] = common
    return count


_HASH_MULT = np.uint64(0x9E3779B1)
_HASH_RUN = 3  # pairs in a row with the same first article that make a hash set of its values worth building
_FILTER_BITS = 14  # a hash set's filter: one bit for each value of a hash's top 14 bits (2 KB)


@njit(inline="always")
def _hash32(v):
    return (np.uint64(v) * _HASH_MULT) & _LOW32


@njit(inline="always")
def _hash_set(values, start, end):
    """The distinct sorted values[start:end] in a linear-probing hash table without wrap-around: (table, shift of a
    value's home slot, the marker of an empty slot (the least uint32 not among the values), the farthest any value
    lies from its home, filter). A lookup reads that many slots past its home, always: no branch on the data;
    the filter (a bit per value of the hash's top _FILTER_BITS bits) turns away most values that are not held first."""
    n = end - start
    bits = 4
    while (1 << bits) < 4 * n:
        bits += 1
    shift = np.uint64(32 - bits)
    empty = np.uint32(0)
    for t in range(start, end):
        if values[t] == empty:
            empty += np.uint32(1)
        elif values[t] > empty:
            break
    table = np.full((1 << bits) + n + 1, empty, dtype=np.uint32)
    filter_ = np.zeros(1 << (_FILTER_BITS - 6), dtype=np.uint64)
    far = 0
    for t in range(start, end):
        h = _hash32(values[t])
        f = h >> np.uint64(32 - _FILTER_BITS)
        filter_[f >> np.uint64(6)] |= np.uint64(1) << (f & np.uint64(63))
        s = np.int64(h >> shift)
        d = 0
        while table[s + d] != empty:
            d += 1
        table[s + d] = values[t]
        far = max(far, d)
    return table, shift, empty, far, filter_


@njit(inline="always")
def _probe(table, shift, empty, far, filter_, values, start, end, weights, sums):
    """_shared with a's values in a _hash_set: how many of the values[start:end] the table holds; with weights,
    sums[0] gets the sum of the weights of the shared ones, in order (as the merge adds them)."""
    count, common = 0, 0.0
    weighted = len(weights) > 0
    for t in range(start, end):
        if _held(table, shift, empty, far, filter_, values[t]):
            count += 1
            if weighted:
                common += weights[t]
    sums[0] = common
    return count


@njit(inline="always")
def _held(table, shift, empty, far, filter_, v):
    """Whether a _hash_set holds v."""
    return _slot(table, shift, empty, far, filter_, v) >= 0


@njit(inline="always")
def _slot(table, shift, empty, far, filter_, v):
    """Where a _hash_set holds v, or -1. A value the filter turns away is not held: most of a candidate's are
    not, and that test is one predictable branch."""
    h = _hash32(v)
    f = h >> np.uint64(32 - _FILTER_BITS)
    if (filter_[f >> np.uint64(6)] >> (f & np.uint64(63))) & np.uint64(1) == 0 or v == empty:
        return -1
    s = np.int64(h >> shift)
    at = -1
    for d in range(far + 1):
        if table[s + d] == v:
            at = s + d
    return at


@njit(cache=True, nogil=True)
def pair_figures(shingles, shingle_bounds, terms, term_bounds, weights, weight, a, b, out):
    """verify._figures: for each pair k of articles a[k], b[k] (their shingles and distinct terms are the sorted
    runs between their bounds; weights: each term's idf; weight: each article's Σ idf), out[k] = shared shingles,
    their Jaccard, the containment of the shorter, shared terms, IDF-weighted term Jaccard. The same operations
    in the same order as the numpy path. A first article met by _HASH_RUN or more pairs in a row (a check: one
    article against all its candidates) goes in a hash set once and each b probes it; otherwise the two sorted
    runs are merged. Both count the same values and add b's shared weights in b's order."""
    no_weights = np.empty(0, dtype=np.float64)
    sums = np.zeros(1, dtype=np.float64)
    shingle_table, shingle_shift, shingle_empty, shingle_far, shingle_filter = _hash_set(shingles, 0, 0)
    term_table, term_shift, term_empty, term_far, term_filter = _hash_set(terms, 0, 0)
    hashed = -1  # the article whose values the tables hold
    for k in range(len(a)):
        i, j = a[k], b[k]
        if i != hashed and (k == 0 or a[k - 1] != i):
            run = 1
            while k + run < len(a) and run < _HASH_RUN and a[k + run] == i:
                run += 1
            if run >= _HASH_RUN:
                shingle_table, shingle_shift, shingle_empty, shingle_far, shingle_filter = _hash_set(shingles, shingle_bounds[i], shingle_bounds[i + 1])
                term_table, term_shift, term_empty, term_far, term_filter = _hash_set(terms, term_bounds[i], term_bounds[i + 1])
                hashed = i
        size_a = shingle_bounds[i + 1] - shingle_bounds[i]
        size_b = shingle_bounds[j + 1] - shingle_bounds[j]
        if i == hashed:
            shared = _probe(shingle_table, shingle_shift, shingle_empty, shingle_far, shingle_filter, shingles, shingle_bounds[j], shingle_bounds[j + 1], no_weights, sums)
        else:
            shared = _shared(shingles, shingle_bounds[i], shingle_bounds[i + 1], shingle_bounds[j], shingle_bounds[j + 1], no_weights, sums)
        union = size_a + size_b - shared
        out[k, 0] = shared
        out[k, 1] = shared / union if union > 0 else 0.0
        out[k, 2] = shared / max(1, min(size_a, size_b))
        if i == hashed:
            out[k, 3] = _probe(term_table, term_shift, term_empty, term_far, term_filter, terms, term_bounds[j], term_bounds[j + 1], weights, sums)
        else:
            out[k, 3] = _shared(terms, term_bounds[i], term_bounds[i + 1], term_bounds[j], term_bounds[j + 1], weights, sums)
        inter, total = sums[0], weight[i] + weight[j]
        out[k, 4] = inter / (total - inter) if total > inter else 0.0


@njit(cache=True, nogil=True)
def run_sums(values, bounds, out):
    """out[s] = the sum of values[bounds[s]:bounds[s+1]], added in order from 0.0: np.bincount's sums."""
    for s in range(len(bounds) - 1):
        total = 0.0
        for t in range(bounds[s], bounds[s + 1]):
            total += values[t]
        out[s] = total


@njit(cache=True, nogil=True)
def sentence_terms(terms, term_sentence):
    """features.Features.sentence_terms: the distinct (term, sentence) pairs sorted by term then sentence, and
    each sentence's distinct-term count, sentences numbered among those holding terms (the numbers in text order
    never decrease: each change starts the next)."""
    n = len(terms)
    held = _held_sentences(term_sentence)
    keys = np.empty(n, dtype=np.uint64)
    for t in range(n):
        keys[t] = (np.uint64(terms[t]) << np.uint64(32)) | np.uint64(held[t])
    keys.sort()
    m = 0
    for t in range(n):
        if t == 0 or keys[t] != keys[t - 1]:
            keys[m] = keys[t]
            m += 1
    term = np.empty(m, dtype=np.uint32)
    sentence = np.empty(m, dtype=np.int64)
    sizes = np.zeros((held[n - 1] if n else 0) + 1, dtype=np.int64)
    for t in range(m):
        term[t] = np.uint32(keys[t] >> np.uint64(32))
        sentence[t] = np.int64(keys[t] & _LOW32)
        sizes[sentence[t]] += 1
    return term, sentence, sizes


@njit(cache=True, nogil=True)
def sentence_keys(terms, term_sentence, min_terms, step, mix):
    """reuse.sentence_keys: per sentence holding at least min_terms distinct terms, the sum of its distinct terms'
    hashes, each mixed as reuse.sentence_keys mixes them (by its constants `step` and `mix`); sorted, without
    repeats."""
    n = len(terms)
    out = np.empty(n // max(min_terms, 1) + 1, dtype=np.uint64)
    held = np.empty(n, dtype=np.uint32)
    m = 0
    start = 0
    for t in range(1, n + 1):
        if t < n and term_sentence[t] == term_sentence[start]:
            continue
        size = t - start
        if size > 32:  # (a page without full stops can be one sentence of 100,000 terms)
            held[:size] = np.sort(terms[start:t])
        else:
            for k in range(size):  # insertion sort: a sentence holds a few dozen terms, as a rule
                v = terms[start + k]
                j = k
                while j > 0 and held[j - 1] > v:
                    held[j] = held[j - 1]
                    j -= 1
                held[j] = v
        distinct = 0
        total = np.uint64(0)
        for k in range(size):
            if k == 0 or held[k] != held[k - 1]:
                distinct += 1
                mixed = (np.uint64(held[k]) + step) * mix
                mixed ^= mixed >> np.uint64(29)
                total += mixed * mix
        if distinct >= min_terms:
            out[m] = total
            m += 1
        start = t
    out = np.sort(out[:m])
    kept = 0
    for k in range(m):
        if k == 0 or out[k] != out[k - 1]:
            out[kept] = out[k]
            kept += 1
    return out[:kept]


@njit(cache=True, nogil=True)
def one_to_one(who, i, j, n_a, n_b, out):
    """verify's greedy matching of sentence pairs (who[t]: the pair of articles; i[t]: its sentence of the first
    article; j[t]: its sentence of the second, numbered over all pairs), taken in the order given: out[who]
    counts the sentence pairs whose two sentences are still free."""
    used_a = np.full(n_a, -1, dtype=np.int64)  # the pair that last matched each sentence of a first article
    used_b = np.zeros(n_b, dtype=np.bool_)
    for t in range(len(who)):
        if used_a[i[t]] != who[t] and not used_b[j[t]]:
            used_a[i[t]] = who[t]
            used_b[j[t]] = True
            out[who[t]] += 1


@njit(cache=True, nogil=True)
def band_rows(run, directory, shift, low, high):
    """lsh.BandTable.query on one sorted run: the entries between low[k] and high[k] (same top bits), for every k.
    directory[p] is the first entry at or above run[0] + (p << shift), so each search stays in one short slice;
    a key outside the run's first and last entries is not looked up (a restored table's runs are consecutive
    slices of one sorted run: each key is looked up in one of them)."""
    lo = np.zeros(len(low), dtype=np.int64)
    hi = np.zeros(len(low), dtype=np.int64)
    total = 0
    if len(run) == 0:
        return np.empty(0, dtype=np.uint64)
    first, last = run[0], run[len(run) - 1]
    top = np.uint64(len(directory) - 2)  # (bounds kept on a damaged, unsorted run: it gives wrong rows, never reads astray)
    for k in range(len(low)):  # every key's slice first: independent reads, which the processor overlaps
        if high[k] < first or low[k] > last:
            continue
        lo[k] = directory[min((max(low[k], first) - first) >> shift, top)]
        hi[k] = directory[min((max(min(high[k], last), first) - first) >> shift, top) + np.uint64(1)]
    ends = np.zeros(2 * len(low), dtype=np.uint64)
    for k in range(len(low)):  # each slice's first and last entries, in a loop short enough for many reads at once:
        if hi[k] > lo[k]:  # the scans below then find their slices in cache (band query at 1M: 53 → 32 µs)
            ends[2 * k] = run[lo[k]]
            ends[2 * k + 1] = run[hi[k] - 1]
    for k in range(len(low)):  # then a scan of each short slice (no chain of dependent reads as in a bisection)
        a, b = lo[k], hi[k]
        below, within = 0, 0
        if a < b and (ends[2 * k] > high[k] or ends[2 * k + 1] < low[k]):
            b = a  # the key falls outside the slice
        for t in range(a, b):
            below += run[t] < low[k]
            within += run[t] <= high[k]
        lo[k], hi[k] = a + below, a + within
        total += within - below
    out = np.empty(total, dtype=np.uint64)
    n = 0
    for k in range(len(low)):
        for t in range(lo[k], hi[k]):
            out[n] = run[t]
            n += 1
    return out


@njit(cache=True, nogil=True)
def band_query(runs, directories, shifts, keys, row_bits, removed):
    """lsh.BandTable.query, whole, over a tuple of sorted runs (read-only views; a restored table's are consecutive
    slices of one sorted run, so each key is looked up in one of them): the rows (sorted, each once, none of the
    sorted `removed`) of the entries whose key bits equal those of one of the band keys (band_rows finds them)."""
    mask = np.uint64((1 << row_bits) - 1)
    low = np.empty(len(keys), dtype=np.uint64)
    for k in range(len(keys)):
        low[k] = keys[k] << np.uint64(row_bits)
    high = low | mask
    found = [band_rows(runs[i], directories[i], shifts[i], low, high) for i in range(len(runs))]
    total = 0
    for hits in found:
        total += len(hits)
    rows = np.empty(total, dtype=np.int64)
    n = 0
    for hits in found:
        for t in range(len(hits)):
            rows[n] = np.int64(hits[t] & mask)
            n += 1
    rows = _sorted_once(rows)
    m, r = 0, 0
    for t in range(len(rows)):
        while r < len(removed) and np.int64(removed[r]) < rows[t]:
            r += 1
        if r < len(removed) and np.int64(removed[r]) == rows[t]:
            continue
        rows[m] = rows[t]
        m += 1
    return rows[:m]


@njit(cache=True, nogil=True)
def _sorted_once(rows):
    """rows sorted, each once. A story held by thousands of rows returns each of them from every band (2,000 copies:
    234,000 rows to sort, 3.5 ms of a 22 ms check): when the rows span few more values than they number, a bitmap
    over that span sorts them in one pass."""
    if len(rows) < 256:
        rows.sort()
    else:
        first, last = rows.min(), rows.max()
        if last - first >= 64 * len(rows):
            rows.sort()
        else:
            bits = np.zeros(((last - first) >> 6) + 1, dtype=np.uint64)
            for t in range(len(rows)):
                d = rows[t] - first
                bits[d >> 6] |= np.uint64(1) << np.uint64(d & 63)
            n = 0
            for w in range(len(bits)):
                word = bits[w]
                b = 0
                while word:
                    if word & np.uint64(1):
                        rows[n] = first + (w << 6) + b
                        n += 1
                    word >>= np.uint64(1)
                    b += 1
            return rows[:n]
    m = 0
    for t in range(len(rows)):
        if t == 0 or rows[t] != rows[t - 1]:
            rows[m] = rows[t]
            m += 1
    return rows[:m]


_NO_CODE = np.int64(-1)  # an empty slot of bucket_pair_codes' hash set (codes are never negative)


@njit(cache=True, nogil=True)
def bucket_pair_codes(run, row_bits, cap):
    """lsh.BandTable.pair_codes on one sorted run: the distinct codes (lsh.encode_pairs) of the pairs of rows
    sharing a key, a bucket of more than cap rows giving a star from its first row and a chain through the rest;
    unsorted. Gathered in an open-addressing hash set (grown at half full), so memory follows the distinct pairs,
    not the bucket pairs (a pair in many bands is held once)."""
    mask = np.uint64((1 << row_bits) - 1)
    slots = np.full(1 << 16, _NO_CODE, dtype=np.int64)
    held = 0
    n = len(run)
    s = 0
    while s < n:
        key = run[s] >> np.uint64(row_bits)
        e = s + 1
        while e < n and run[e] >> np.uint64(row_bits) == key:
            e += 1
        size = e - s
        if size > 1:
            adds = size * (size - 1) // 2 if size <= cap else 2 * size
            if 2 * (held + adds) > len(slots):
                slots, held = _grown(slots, held + adds)
            if size <= cap:
                for i in range(s, e - 1):
                    for j in range(i + 1, e):
                        held += _put(slots, np.int64(run[i] & mask), np.int64(run[j] & mask))
            else:  # a star from the first row, a chain through the rest
                for j in range(s + 1, e):
                    held += _put(slots, np.int64(run[s] & mask), np.int64(run[j] & mask))
                for k in range(s + 1, e - 1):
                    held += _put(slots, np.int64(run[k] & mask), np.int64(run[k + 1] & mask))
        s = e
    out = np.empty(held, dtype=np.int64)
    m = 0
    for code in slots:
        if code != _NO_CODE:
            out[m] = code
            m += 1
    return out


@njit(inline="always")
def _put(slots, a, b):
    """Insert the code of rows a and b (none for a row with itself); 1 when it was not held yet, else 0."""
    if a == b:
        return 0
    code = (min(a, b) << 32) | max(a, b)
    at = np.int64((np.uint64(code) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(20)) & (len(slots) - 1)
    while slots[at] != _NO_CODE:
        if slots[at] == code:
            return 0
        at = (at + 1) & (len(slots) - 1)
    slots[at] = code
    return 1


@njit(cache=True, nogil=True)
def _grown(slots, wanted):
    """slots rehashed into a table with room for wanted codes at most half full."""
    size = len(slots)
    while size < 2 * wanted:
        size *= 2
    bigger = np.full(size, _NO_CODE, dtype=np.int64)
    held = 0
    for code in slots:
        if code != _NO_CODE:
            held += _put(bigger, code >> 32, code & 0xFFFFFFFF)
    return bigger, held


@njit(cache=True, nogil=True)
def agreements(held, data, n, rows, signature, out):
    """prefilter.Prefilter.agreements: out[k] = how many bytes of rows[k]'s held signature equal signature's, its
    place found by bisection among the first n (sorted) held rows; the width for a row not held."""
    width = len(signature)
    for k in range(len(rows)):
        lo, hi = 0, n
        while lo < hi:
            mid = (lo + hi) >> 1
            if held[mid] < rows[k]:
                lo = mid + 1
            else:
                hi = mid
        if lo < n and held[lo] == rows[k]:
            same = 0
            for p in range(width):
                same += data[lo, p] == signature[p]
            out[k] = same
        else:
            out[k] = width


@njit(cache=True, nogil=True)
def matched_sentences(terms, sents, term_bounds, sizes, size_bounds, a, b, min_terms, overlap, out):
    """verify._matched_sentences for each pair k of articles a[k], b[k]. An article's (term, sentence) pairs are
    the run of terms/sents between its term_bounds, sorted by term then sentence; its sentences' distinct-term
    counts the run of sizes between its size_bounds."""
    for k in range(len(a)):
        i, j = a[k], b[k]
        out[k] = _passages(terms[term_bounds[i] : term_bounds[i + 1]], sents[term_bounds[i] : term_bounds[i + 1]],
                           sizes[size_bounds[i] : size_bounds[i + 1]], terms[term_bounds[j] : term_bounds[j + 1]],
                           sents[term_bounds[j] : term_bounds[j + 1]], sizes[size_bounds[j] : size_bounds[j + 1]], min_terms, overlap)


@njit(inline="always")
def _passages(a_terms, a_sents, a_sizes, b_terms, b_sents, b_sizes, min_terms, overlap):
    """The sentence pairs of two articles (each given as Features.sentence_terms) sharing ≥ min_terms terms and
    ≥ overlap of the shorter sentence's, matched one to one (_matched_cells)."""
    n_a, n_b = len(a_sizes), len(b_sizes)
    cells = np.zeros(n_a * n_b, dtype=np.int64)
    p, q = 0, 0
    while p < len(a_terms) and q < len(b_terms):  # merge the two term-sorted runs; a shared term adds 1 to each sentence pair
        if a_terms[p] < b_terms[q]:
            p += 1
        elif a_terms[p] > b_terms[q]:
            q += 1
        else:
            p2, q2 = p, q
            while p2 < len(a_terms) and a_terms[p2] == a_terms[p]:
                p2 += 1
            while q2 < len(b_terms) and b_terms[q2] == b_terms[q]:
                q2 += 1
            for x in range(p, p2):
                for y in range(q, q2):
                    cells[a_sents[x] * n_b + b_sents[y]] += 1
            p, q = p2, q2
    return _matched_cells(cells, a_sizes, b_sizes, min_terms, overlap)


@njit(inline="always")
def _matched_cells(cells, a_sizes, b_sizes, min_terms, overlap):
    """How many sentence pairs (cells[x * len(b_sizes) + y]: the distinct terms sentence x of a and sentence y of b
    share) hold ≥ min_terms terms and ≥ overlap of the shorter sentence's, matched one to one, most shared first,
    ties in (sentence of a, sentence of b) order: what the numpy path counts."""
    n_a, n_b = len(a_sizes), len(b_sizes)
    kept = np.flatnonzero(cells >= min_terms)
    ok = np.zeros(len(kept), dtype=np.bool_)
    for t in range(len(kept)):
        x, y = kept[t] // n_b, kept[t] % n_b
        ok[t] = cells[kept[t]] >= overlap * min(a_sizes[x], b_sizes[y])
    kept = kept[ok]
    order = np.argsort(-cells[kept], kind="mergesort")  # stable: ties stay in (sentence of a, of b) order
    used_a = np.zeros(n_a, dtype=np.bool_)
    used_b = np.zeros(n_b, dtype=np.bool_)
    count = 0
    for t in order:
        x, y = kept[t] // n_b, kept[t] % n_b
        if not used_a[x] and not used_b[y]:
            used_a[x] = True
            used_b[y] = True
            count += 1
    return count


_SHORT_SENTENCE = 64  # a sentence's distinct terms are counted pair by pair up to this many tokens, sorted above


@njit(inline="always")
def _sentence_sizes(terms, term_sentence, n_sentences):
    """Features.sentence_terms' sizes (each of the n_sentences sentences' distinct terms) from the terms in text
    order and their sentences as _held_sentences numbers them, without sorting them all."""
    sizes = np.zeros(n_sentences, dtype=np.int64)
    u = 0
    while u < len(terms):
        v = u
        while v < len(terms) and term_sentence[v] == term_sentence[u]:
            v += 1
        if v - u <= _SHORT_SENTENCE:
            distinct = 0
            for t in range(u, v):
                seen = False
                for r in range(u, t):
                    seen |= terms[r] == terms[t]
                distinct += not seen
        else:
            run = np.sort(terms[u:v])
            distinct = 1
            for t in range(1, len(run)):
                distinct += run[t] != run[t - 1]
        sizes[term_sentence[u]] = distinct
        u = v
    return sizes


@njit(inline="always")
def _held_sentences(term_sentence):
    """Each token's sentence numbered among the sentences that hold tokens (as Features.sentence_terms numbers
    them): the numbers in text order never decrease, and each change starts the next."""
    held = np.empty(len(term_sentence), dtype=np.int64)
    n = 0
    for t in range(len(term_sentence)):
        n += t > 0 and term_sentence[t] != term_sentence[t - 1]
        held[t] = n
    return held


@njit(cache=True, nogil=True)
def _term_positions(a_terms):
    """A _hash_set of the distinct values of sorted a_terms, and at each of its slots the first position of that
    value in a_terms: where _passages_of_tokens finds a term's sentences with one lookup instead of a bisection."""
    distinct = np.empty(len(a_terms), dtype=np.uint32)
    firsts = np.empty(len(a_terms), dtype=np.int64)
    n = 0
    for p in range(len(a_terms)):
        if p == 0 or a_terms[p] != a_terms[p - 1]:
            distinct[n] = a_terms[p]
            firsts[n] = p
            n += 1
    table, shift, empty, far, filter_ = _hash_set(distinct, 0, n)
    first = np.zeros(len(table), dtype=np.int64)
    for t in range(n):
        first[_slot(table, shift, empty, far, filter_, distinct[t])] = firsts[t]
    return table, shift, empty, far, filter_, first


@njit(inline="always")
def _passages_of_tokens(a_terms, a_sents, a_sizes, positions, b_terms, b_term_sentence, n_b, stamp, min_terms, overlap):
    """_passages with b given as its terms in text order and their sentences (a packed blob's, numbered by
    _held_sentences; n_b: how many), not sorted: each token of b finds a's sentences holding its term through
    positions (_term_positions of a_terms); `stamp` (one slot per entry of a_terms) keeps the last sentence of b
    that counted each: a term repeated in a sentence counts once. (A hash lookup, not a bisection: a check with a
    hundred rewrites among its candidates: 0.30 → 0.25 ms in this pass, and a check at 1M 0.62 → 0.52 ms on average.)"""
    table, shift, empty, far, filter_, first = positions
    b_sizes = _sentence_sizes(b_terms, b_term_sentence, n_b)
    cells = np.zeros(len(a_sizes) * n_b, dtype=np.int64)
    stamp[:] = -1
    for t in range(len(b_terms)):
        v = b_terms[t]
        at = _slot(table, shift, empty, far, filter_, v)
        if at < 0:
            continue
        p = first[at]
        y = np.int64(b_term_sentence[t])
        if stamp[p] == y:
            continue
        stamp[p] = y
        while p < len(a_terms) and a_terms[p] == v:
            cells[a_sents[p] * n_b + y] += 1
            p += 1
    return _matched_cells(cells, a_sizes, b_sizes, min_terms, overlap)


_COUNT_BLOCK = 32  # check_figures reads a candidate's term counts this many at a time
_HEADER_WORDS = 6  # features.pack's header in uint32 words: words, exact text hash (low, high), then three lengths


@njit(cache=True, nogil=True)
def check_figures(blobs, starts, lengths, shingles, terms, weights, n_words, exact, min_words, near_jaccard, near_containment,
                  hopeless_score, min_shared, counts, slot_mask, documents):
    """A check's first pass over its candidates (the features.pack blobs at words starts[k] of blobs) against
    the checked article (sorted shingles, sorted distinct terms and their idf weights, word count, exact text
    hash): verify._figures' columns but the rewrite score (its shared-term weights are the checked article's
    own), whether verification could find each related, and for those the document count + 1 of each of their
    distinct terms (their idf weights, in numpy, then give the rest: check_verdicts), and the checked article's
    Σ idf, added in order (verdicts' weight of it).

    A blob whose header does not add up to its length, or (if verification would read them) whose sentence numbers
    decrease, is damaged: marked in `bad` and left out.

    A candidate that is neither the same text nor near by shingles is hopeless below min_shared shared shingles
    and below hopeless_score rewrite score; its score is at most (Σ idf of shared terms) / (Σ idf of the checked
    article's terms), since its own Σ idf holds the shared terms' (all positive). So most candidates, unrelated,
    are ruled out before any of their own terms' counts is read. One that only that bound keeps is then bounded
    tighter: its score is (shared weight) / (the checked article's Σ idf + the idf of its terms the checked article
    lacks), so those idf (from documents + the prior, as idf() takes them) are added up, each count read as it
    comes, until the score is proved hopeless or the terms run out."""
    m = len(starts)
    figures = np.zeros((m, 5), dtype=np.float64)
    could = np.zeros(m, dtype=np.bool_)
    bad = np.zeros(m, dtype=np.bool_)
    term_at = np.zeros(m + 1, dtype=np.int64)
    weight = 0.0
    for t in range(len(weights)):
        weight += weights[t]
    s_table, s_shift, s_empty, s_far, s_filter = _hash_set(shingles, 0, len(shingles))
    t_table, t_shift, t_empty, t_far, t_filter = _hash_set(terms, 0, len(terms))
    held_weight = np.zeros(len(t_table), dtype=np.float64)  # each held term's weight, where the table holds it
    for t in range(len(terms)):
        held_weight[_slot(t_table, t_shift, t_empty, t_far, t_filter, terms[t])] = weights[t]
    no_weights = np.empty(0, dtype=np.float64)
    sums = np.zeros(1, dtype=np.float64)
    block = np.empty(_COUNT_BLOCK, dtype=counts.dtype)
    total_terms = 0
    for k in range(m):
        s = starts[k]
        if lengths[k] < _HEADER_WORDS:
            bad[k] = True
            continue
        n_sh, n_t, n_set = np.int64(blobs[s + 3]), np.int64(blobs[s + 4]), np.int64(blobs[s + 5])
        bad[k] = n_set > n_t or _HEADER_WORDS + n_sh + 2 * n_t + n_set != lengths[k]
        total_terms += 0 if bad[k] else n_set
    dfp1 = np.empty(total_terms, dtype=np.float64)
    used = 0
    for k in range(m):
        term_at[k] = used
        if bad[k]:
            continue
        s = starts[k]
        words, n_sh, n_t, n_set = np.int64(blobs[s]), np.int64(blobs[s + 3]), np.int64(blobs[s + 4]), np.int64(blobs[s + 5])
        first = s + _HEADER_WORDS
        shared = _probe(s_table, s_shift, s_empty, s_far, s_filter, blobs, first, first + n_sh, no_weights, sums)
        union = len(shingles) + n_sh - shared
        figures[k, 0] = shared
        figures[k, 1] = shared / union if union > 0 else 0.0
        figures[k, 2] = shared / max(1, min(len(shingles), n_sh))
        set_first = first + n_sh + 2 * n_t
        common, n_common = 0.0, 0
        for j in range(set_first, set_first + n_set):  # b's shared weights in b's order, as verify adds them
            at = _slot(t_table, t_shift, t_empty, t_far, t_filter, blobs[j])
            if at >= 0:
                n_common += 1
                common += held_weight[at]
        figures[k, 3] = n_common
        figures[k, 4] = common  # the shared weight; check_verdicts makes it the score
        other_exact = np.uint64(blobs[s + 1]) | (np.uint64(blobs[s + 2]) << np.uint64(32))
        same = other_exact == exact and exact != 0
        near = figures[k, 1] >= near_jaccard or figures[k, 2] >= near_containment
        could[k] = same or (min(n_words, words) >= min_words and (near or shared >= min_shared or common >= hopeless_score * weight))
        if could[k] and hopeless_score > 0 and not (same or near or shared >= min_shared):
            lacking, enough = 0.0, common / hopeless_score - weight  # the score is below hopeless once lacking > enough
            j = set_first
            while could[k] and j < set_first + n_set:
                # A block's counts first, then their logs: reads of the count table (a cache miss each) that no log
                # stands between overlap (one log after each read made them wait in turn: 3x slower).
                end, n = min(j + _COUNT_BLOCK, set_first + n_set), 0
                for i in range(j, end):
                    if _slot(t_table, t_shift, t_empty, t_far, t_filter, blobs[i]) < 0:
                        block[n] = counts[blobs[i] & slot_mask]
                        n += 1
                for i in range(n):
                    lacking += np.log(documents / (np.float64(block[i]) + 1.0))
                    if lacking > enough:
                        could[k] = False
                        break
                j = end
        if could[k]:
            for t in range(first + n_sh + n_t + 1, first + n_sh + 2 * n_t):  # its sentences are read next: in order?
                bad[k] |= blobs[t] < blobs[t - 1]
            could[k] = not bad[k]
        if could[k]:
            for j in range(set_first, set_first + n_set):
                dfp1[used] = np.float64(counts[blobs[j] & slot_mask]) + 1.0
                used += 1
    term_at[m] = used
    return figures, could, bad, term_at, dfp1[:used], weight


UNDECIDED = -2  # check_verdicts' relation of a pair whose sentence pairs are too many to count in one array


@njit(cache=True, nogil=True)
def check_verdicts(blobs, starts, figures, could, term_at, weights, query_weight, n_words, exact, q_terms, q_term_sentence,
                   min_words, near_jaccard, near_containment, rewrite_score, rewrite_min_shared, partial_passages,
                   min_shared, min_terms, overlap, max_cells, relation, passages):
    """A check's second pass: verify.verdicts of each candidate check_figures left (its terms' idf weights are
    the runs of weights between term_at; query_weight: the checked article's Σ idf), written over figures (jaccard, containment and rewrite score in
    columns 1, 2 and 4), relation (verify.RELATIONS' index: 0 duplicate, 1 near, 2 rewrite, 3 partial; -1
    unrelated; UNDECIDED) and passages, by the same tests in the same order; the others are unrelated."""
    q_sorted, q_sents, q_sizes = np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    stamp = np.empty(0, dtype=np.int64)
    positions = _term_positions(q_sorted)  # (of nothing yet: numba types a variable from its first assignment)
    q_split = False
    for k in range(len(starts)):
        relation[k] = -1
        passages[k] = 0
        if not could[k]:
            continue
        s = starts[k]
        words, n_sh, n_t = np.int64(blobs[s]), np.int64(blobs[s + 3]), np.int64(blobs[s + 4])
        other_exact = np.uint64(blobs[s + 1]) | (np.uint64(blobs[s + 2]) << np.uint64(32))
        if other_exact == exact and exact != 0:
            relation[k] = 0
            figures[k, 1], figures[k, 2], figures[k, 4] = 1.0, 1.0, 1.0
            continue
        if min(n_words, words) < min_words:
            continue
        own = 0.0
        for t in range(term_at[k], term_at[k + 1]):
            own += weights[t]
        inter, total = figures[k, 4], query_weight + own
        figures[k, 4] = inter / (total - inter) if total > inter else 0.0
        if figures[k, 1] >= near_jaccard or figures[k, 2] >= near_containment:
            relation[k] = 1
            continue
        if figures[k, 4] < rewrite_score / 2 and figures[k, 0] < min_shared:
            continue
        if not q_split:
            if len(q_terms):
                q_sorted, q_sents, q_sizes = sentence_terms(q_terms, q_term_sentence)
            stamp = np.empty(len(q_sorted), dtype=np.int64)
            positions = _term_positions(q_sorted)
            q_split = True
        first = s + _HEADER_WORDS + n_sh
        n = 0
        if n_t and len(q_sizes):
            b_sents = _held_sentences(blobs[first + n_t : first + 2 * n_t])
            n_b = b_sents[n_t - 1] + 1
            if len(q_sizes) * n_b > max_cells:
                relation[k] = UNDECIDED
                continue
            n = _passages_of_tokens(q_sorted, q_sents, q_sizes, positions, blobs[first : first + n_t], b_sents, n_b, stamp, min_terms, overlap)
        passages[k] = n
        if figures[k, 4] >= rewrite_score and figures[k, 3] >= rewrite_min_shared:
            relation[k] = 2
        elif n >= partial_passages:
            relation[k] = 3


@njit(cache=True, nogil=True)
def directory(run, shift, slots):
    """lsh.BandTable's directory of a sorted run: out[p] = the first entry at or above run[0] + (p << shift),
    for p < slots, then len(run). One pass over the run; a run found not sorted (a damaged snapshot) gets none:
    an empty array."""
    out = np.empty(slots + 1, dtype=np.int64)
    p = 0
    for t in range(len(run)):
        if t > 0 and run[t] < run[t - 1]:
            return np.empty(0, dtype=np.int64)
        slot = min(np.int64((run[t] - run[0]) >> shift), slots - 1)
        while p <= slot:
            out[p] = t
            p += 1
    while p <= slots:
        out[p] = len(run)
        p += 1
    return out


_SPACE, _ALNUM, _END, _CLOSER, _OPENER, _LINE_END, _FULL_STOP = 1, 2, 4, 8, 16, 32, 64  # sentence_spans' character kinds (bits)
_NEWLINE = 10


@njit(inline="always")
def _blank_line_run(codes, kinds, p):
    """Where sentences._BLOCK's match at the newline codes[p] ends (a newline, [ \\t\\r\\f\\v]*, a newline, then
    any whitespace), or -1 when none starts there."""
    q = p + 1
    while q < len(codes) and (codes[q] == 32 or 9 <= codes[q] <= 13) and codes[q] != _NEWLINE:
        q += 1
    if q >= len(codes) or codes[q] != _NEWLINE:
        return -1
    q += 1
    while q < len(codes) and kinds[codes[q]] & _SPACE:
        q += 1
    return q


@njit(inline="always")
def _line_ends(codes, kinds, start, cut, hard_break):
    """sentences._lines' test: whether the line codes[start:cut], stripped, is empty, ends in a _LINE_END
    character or is shorter than hard_break."""
    first, last = start, cut - 1
    while first < cut and kinds[codes[first]] & _SPACE:
        first += 1
    while last >= first and kinds[codes[last]] & _SPACE:
        last -= 1
    return last < first or kinds[codes[last]] & _LINE_END != 0 or last + 1 - first < hard_break


@njit(inline="always")
def _text_lines(codes, kinds, hard_break):
    """sentences._lines: the (start, end) of the blocks between blank lines, cut further at a newline that ends a
    line (_line_ends)."""
    n = len(codes)
    newlines = 0
    for i in range(n):
        newlines += codes[i] == _NEWLINE
    lines = np.empty((newlines + 1, 2), dtype=np.int64)
    count, start, p = 0, 0, 0
    while p < n:
        if codes[p] != _NEWLINE:
            p += 1
            continue
        run_end = _blank_line_run(codes, kinds, p)
        if run_end >= 0 or _line_ends(codes, kinds, start, p, hard_break):
            lines[count, 0], lines[count, 1] = start, p
            count += 1
            start = run_end if run_end >= 0 else p + 1
        p = run_end if run_end >= 0 else p + 1
    lines[count, 0], lines[count, 1] = start, n
    return lines[: count + 1]


@njit(cache=True, nogil=True)
def sentence_spans(codes, kinds, hard_break, abbreviations, longest, links):
    """sentences.split's loop over the lines of a text's code points (_text_lines): its spans, (n, 2), or None
    when a word before a point is not ASCII and its case folding decides (the caller splits in Python).
    kinds[c]: the bits above for code point c; abbreviations: each packed as ASCII bytes (big-endian) in a uint64;
    links: the link openings as code points, padded with 0."""
    n_out = 0
    lines = _text_lines(codes, kinds, hard_break)
    out = np.empty((len(codes) // 2 + len(lines), 2), dtype=np.int64)  # (spans in a line are apart by a space)
    for line in range(len(lines)):
        start, end = lines[line, 0], lines[line, 1]
        cursor = resume = start
        for stop in range(start, end):
            if kinds[codes[stop]] & _END == 0 or stop < resume:
                continue
            after, full = stop, False
            while after < end and kinds[codes[after]] & _END:
                full |= kinds[codes[after]] & _FULL_STOP != 0
                after += 1
            while after < end and kinds[codes[after]] & _CLOSER:
                after += 1
            resume = nxt = after
            if full and after < end:  # a Chinese or Japanese full stop: the sentence ends whatever follows
                n_out = _stripped(codes, kinds, cursor, after, out, n_out)
                cursor = after
                continue
            while nxt < end and kinds[codes[nxt]] & _SPACE:
                nxt += 1
            if nxt > after and nxt < end and kinds[codes[nxt]] & _OPENER:
                nxt += 1
            if nxt == after or nxt == end or kinds[codes[nxt]] & _ALNUM == 0:
                continue
            if 97 <= codes[nxt] <= 122 and not _starts_with_any(codes, nxt, links):
                continue
            if codes[stop] == 46:  # a point after an initial or a known abbreviation does not end the sentence
                known = _abbreviated_at(codes, kinds, cursor, stop, abbreviations, longest)
                if known < 0:
                    return None
                if known:
                    continue
            n_out = _stripped(codes, kinds, cursor, after, out, n_out)
            cursor = after
        n_out = _stripped(codes, kinds, cursor, end, out, n_out)
    return out[:n_out].copy()


@njit(inline="always")
def _starts_with_any(codes, at, links):
    """Whether codes[at:] starts with one of the links (rows of code points, padded with 0)."""
    for k in range(links.shape[0]):
        same = True
        for c in range(links.shape[1]):
            if links[k, c] == 0:
                break
            if at + c >= len(codes) or codes[at + c] != links[k, c]:
                same = False
                break
        if same:
            return True
    return False


@njit(inline="always")
def _abbreviated_at(codes, kinds, start, point, abbreviations, longest):
    """sentences._abbreviated: 1 if the last word of codes[start:point] is an initial or a known abbreviation, 0 if
    not, -1 when that word is not ASCII (case folding, done in Python, decides)."""
    e = point
    while e > start and not (kinds[codes[e - 1]] & _ALNUM or codes[e - 1] == 95):
        e -= 1
    b = e
    while b > start and (kinds[codes[b - 1]] & _ALNUM or codes[b - 1] == 95):
        b -= 1
        if e - b > longest:
            return 0
    if e - b == 1:
        return 1
    word = np.uint64(0)
    for c in range(b, e):
        if codes[c] >= 128:
            return -1
        low = codes[c] + 32 if 65 <= codes[c] <= 90 else codes[c]
        word = (word << np.uint64(8)) | np.uint64(low)
    for k in range(len(abbreviations)):
        if abbreviations[k] == word:
            return 1
    return 0


@njit(inline="always")
def _stripped(codes, kinds, start, end, out, n):
    """sentences._append: codes[start:end] without the whitespace around it, as a span in out[n], unless empty."""
    while start < end and kinds[codes[start]] & _SPACE:
        start += 1
    while end > start and kinds[codes[end - 1]] & _SPACE:
        end -= 1
    if end > start:
        out[n, 0] = start
        out[n, 1] = end
        n += 1
    return n
