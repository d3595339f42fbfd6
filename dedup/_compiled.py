"""numba-compiled twins of the hot loops, imported only when numba is installed; each gives exactly what its
pure-Python/numpy original gives (tested): the token scanner (`tokenhash`), shingle hashing (`shingle`) and
MinHash (`signature`).

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
def _term(buf, m, h, first, stop, suffixes, suffix_lengths, to_y):
    """tokenhash.term_hash of the token buf[:m] whose hash is h and whose first character's table entry is first
    (stop words out, terms.stem, folded to 32 bits)."""
    slot = h & np.uint64(len(stop) - 1)  # stop words: an open-addressing set of their hashes (0 = empty slot)
    while stop[slot] != 0:
        if stop[slot] == h:
            return -1
        slot = (slot + np.uint64(1)) & np.uint64(len(stop) - 1)
    isdigit = (first >> 24) & _ISDIGIT != 0
    if m < 2 and not isdigit:
        return -1
    if not isdigit and m > 4:
        for s in range(len(suffixes)):
            n = suffix_lengths[s]
            if m - n < 3:
                continue
            match = True
            for c in range(n - 1, -1, -1):  # from the last character: most words differ there at once
                if buf[m - n + c] != suffixes[s, c]:
                    match = False
                    break
            if match:
                m -= n
                if to_y[s]:
                    buf[m] = np.uint64(121)  # "y"
                    m += 1
                h = _xxh64(buf, m)
                break
    return np.int64((h ^ (h >> np.uint64(32))) & _LOW32)


@njit(inline="always")
def _take(codes, table, j, n, cls, buf, m):
    """Copy the folded code points of the run of class cls at codes[j:] to buf[m:]; return the new j and m."""
    while j < n:
        entry = table[codes[j]]
        if (entry >> 24) & _CLASS != cls:
            break
        buf[m] = np.uint64(entry & _CODE)
        m += 1
        j += 1
    return j, m


@njit(cache=True, nogil=True)
def scan(codes, table, stop, suffixes, suffix_lengths, to_y, hashes, terms, starts, ends, buf):
    """Fill hashes/terms/starts/ends with the tokens of the code points `codes` (buf: scratch space, as long as
    codes + 2); return how many there are, -1 when a character folds to several (ß → ss: the caller folds the
    text first), or -2 when a code point lies beyond the table (the caller takes the table of all Unicode).

    table[c] is the case-folded code point of c in its low 24 bits and the class of that (letter, digit,
    isdigit) in the high 8; FOLDS_TO_MANY (class bits 3: neither letter nor digit) where folding is longer."""
    n = len(codes)
    if n and codes.max() >= len(table):
        return -2
    count = 0
    i = 0
    while i < n:
        entry = table[codes[i]]
        if entry == FOLDS_TO_MANY:
            return -1
        cls = (entry >> 24) & _CLASS
        m = 0
        j = i
        if cls == _LETTER:
            j, m = _take(codes, table, j, n, _LETTER, buf, m)
        elif cls == _DIGIT:
            while True:
                j, m = _take(codes, table, j, n, _DIGIT, buf, m)
                # A point or comma between digits continues the figure; the comma is a separator, dropped.
                if j + 1 < n and (table[codes[j + 1]] >> 24) & _CLASS == _DIGIT:
                    mark = table[codes[j]] & _CODE
                    if mark == _POINT or mark == _COMMA:
                        if mark == _POINT:
                            buf[m] = np.uint64(_POINT)
                            m += 1
                        j += 1
                        continue
                break
        else:
            i += 1
            continue
        h = _xxh64(buf, m)
        hashes[count] = h
        terms[count] = _term(buf, m, h, entry, stop, suffixes, suffix_lengths, to_y)
        starts[count] = i
        ends[count] = j
        count += 1
        i = j
    return count


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
    sums[0] gets the sum of the weights of the shared ones, in order (as the merge adds them). A value the filter
    turns away is not held: most of a candidate's are not, and that test is one predictable branch."""
    count, common = 0, 0.0
    weighted = len(weights) > 0
    for t in range(start, end):
        v = values[t]
        h = _hash32(v)
        f = h >> np.uint64(32 - _FILTER_BITS)
        if (filter_[f >> np.uint64(6)] >> (f & np.uint64(63))) & np.uint64(1) == 0:
            continue
        s = np.int64(h >> shift)
        hit = False
        for d in range(far + 1):
            hit |= table[s + d] == v
        if hit and v != empty:
            count += 1
            if weighted:
                common += weights[t]
    sums[0] = common
    return count


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
    each sentence's distinct-term count (as many counts as the last sentence numbered: np.bincount's length)."""
    n = len(terms)
    keys = np.empty(n, dtype=np.uint64)
    for t in range(n):
        keys[t] = (np.uint64(terms[t]) << np.uint64(32)) | np.uint64(term_sentence[t])
    keys.sort()
    m = 0
    for t in range(n):
        if t == 0 or keys[t] != keys[t - 1]:
            keys[m] = keys[t]
            m += 1
    term = np.empty(m, dtype=np.uint32)
    sentence = np.empty(m, dtype=np.int64)
    last = np.int64(0)
    for t in range(n):
        last = max(last, np.int64(term_sentence[t]))
    sizes = np.zeros(last + 1, dtype=np.int64)
    for t in range(m):
        term[t] = np.uint32(keys[t] >> np.uint64(32))
        sentence[t] = np.int64(keys[t] & _LOW32)
        sizes[sentence[t]] += 1
    return term, sentence, sizes


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
    directory[p] is the first entry whose top bits (entry >> shift) are p, so each search stays in one short slice."""
    lo = np.empty(len(low), dtype=np.int64)
    hi = np.empty(len(low), dtype=np.int64)
    total = 0
    for k in range(len(low)):
        p = np.int64(low[k] >> shift)
        a, b = directory[p], directory[p + 1]
        lo[k] = a + np.searchsorted(run[a:b], low[k])
        hi[k] = a + np.searchsorted(run[a:b], high[k], side="right")
        total += hi[k] - lo[k]
    out = np.empty(total, dtype=np.uint64)
    n = 0
    for k in range(len(low)):
        for t in range(lo[k], hi[k]):
            out[n] = run[t]
            n += 1
    return out


@njit(cache=True, nogil=True)
def band_query(run, directory, shift, keys, row_bits, removed):
    """lsh.BandTable.query on one sorted run, whole: the rows (sorted, each once, none of the sorted `removed`) of
    the entries whose key bits equal those of one of the band keys (band_rows finds the entries)."""
    mask = np.uint64((1 << row_bits) - 1)
    low = np.empty(len(keys), dtype=np.uint64)
    for k in range(len(keys)):
        low[k] = keys[k] << np.uint64(row_bits)
    rows = (band_rows(run, directory, shift, low, low | mask) & mask).astype(np.int64)
    rows.sort()
    m, r = 0, 0
    for t in range(len(rows)):
        if t > 0 and rows[t] == rows[t - 1]:
            continue
        while r < len(removed) and np.int64(removed[r]) < rows[t]:
            r += 1
        if r < len(removed) and np.int64(removed[r]) == rows[t]:
            continue
        rows[m] = rows[t]
        m += 1
    return rows[:m]


@njit(cache=True, nogil=True)
def matched_sentences(terms, sents, term_bounds, sizes, size_bounds, a, b, min_terms, overlap, out):
    """verify._matched_sentences for each pair k of articles a[k], b[k]. An article's (term, sentence) pairs are
    the run of terms/sents between its term_bounds, sorted by term then sentence; its sentences' distinct-term
    counts the run of sizes between its size_bounds. out[k] = the sentence pairs sharing ≥ min_terms terms and
    ≥ overlap of the shorter sentence's, matched one to one, most shared first, ties in (sentence of a, sentence
    of b) order: what the numpy path counts with one cell per sentence pair."""
    for k in range(len(a)):
        i, j = a[k], b[k]
        n_a, n_b = size_bounds[i + 1] - size_bounds[i], size_bounds[j + 1] - size_bounds[j]
        cells = np.zeros(n_a * n_b, dtype=np.int64)
        p, p_end, q, q_end = term_bounds[i], term_bounds[i + 1], term_bounds[j], term_bounds[j + 1]
        while p < p_end and q < q_end:  # merge the two term-sorted runs; a shared term adds 1 to each sentence pair
            if terms[p] < terms[q]:
                p += 1
            elif terms[p] > terms[q]:
                q += 1
            else:
                p2, q2 = p, q
                while p2 < p_end and terms[p2] == terms[p]:
                    p2 += 1
                while q2 < q_end and terms[q2] == terms[q]:
                    q2 += 1
                for x in range(p, p2):
                    for y in range(q, q2):
                        cells[sents[x] * n_b + sents[y]] += 1
                p, q = p2, q2
        kept = np.flatnonzero(cells >= min_terms)
        ok = np.zeros(len(kept), dtype=np.bool_)
        for t in range(len(kept)):
            x, y = kept[t] // n_b, kept[t] % n_b
            ok[t] = cells[kept[t]] >= overlap * min(sizes[size_bounds[i] + x], sizes[size_bounds[j] + y])
        kept = kept[ok]
        order = np.argsort(-cells[kept], kind="mergesort")  # stable: ties stay in (sentence of a, of b) order
        used_a = np.zeros(n_a, dtype=np.bool_)
        used_b = np.zeros(n_b, dtype=np.bool_)
        for t in order:
            x, y = kept[t] // n_b, kept[t] % n_b
            if not used_a[x] and not used_b[y]:
                used_a[x] = True
                used_b[y] = True
                out[k] += 1
