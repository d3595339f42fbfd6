"""The compiled token scanner behind `tokenhash.token_hashes` (imported only when numba is installed).

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
_LETTER = np.uint8(1)
_DIGIT = np.uint8(2)
_COMMA = 44
_POINT = 46


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


@njit(cache=True, nogil=True)
def scan(codes, classes, hashes, starts, ends):
    """Fill hashes/starts/ends with the tokens of the code points `codes`; return how many there are."""
    n = len(codes)
    buf = np.empty(n + 1, dtype=np.uint64)
    count = 0
    i = 0
    while i < n:
        cls = classes[codes[i]]
        m = 0
        j = i
        if cls == _LETTER:
            while j < n and classes[codes[j]] == _LETTER:
                buf[m] = np.uint64(codes[j])
                m += 1
                j += 1
        elif cls == _DIGIT:
            while True:
                while j < n and classes[codes[j]] == _DIGIT:
                    buf[m] = np.uint64(codes[j])
                    m += 1
                    j += 1
                # A point or comma between digits continues the figure; the comma is a separator, dropped.
                if j + 1 < n and (codes[j] == _POINT or codes[j] == _COMMA) and classes[codes[j + 1]] == _DIGIT:
                    if codes[j] == _POINT:
                        buf[m] = np.uint64(_POINT)
                        m += 1
                    j += 1
                else:
                    break
        else:
            i += 1
            continue
        hashes[count] = _xxh64(buf, m)
        starts[count] = i
        ends[count] = j
        count += 1
        i = j
    return count
