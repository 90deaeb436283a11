"""The C allocator's thresholds held fixed while captures are audited (glibc only).

glibc's malloc serves a block of :data:`THRESHOLD` bytes or more by a mapping of its own,
given back to the system when freed, and gives back the free top of its heap once it exceeds
the trim threshold. Both thresholds move by default: each time a mapped block is freed, the
mapping threshold rises to that block's size (up to 32 MiB) and the trim threshold to twice
that. An audit frees large buffers now and then (a big record, a decoded body, a batch of
results); after one, blocks of that size come from the heap and their freed room stays in the
process among the small blocks that outlive them, so the process kept growing with the
capture. Fixing both at glibc's starting values (which also turns the moving off) took the
peak RSS of ``check --jobs 0`` on the benchmark's 100,000-flow capture from 63.8 to 62.7 MiB
while its first 10,000 flows stayed at 60.4 (100k/10k 1.054 -> 1.038; with workers, of the
main process, 1.069 -> 1.053; two runs each). A threshold of 64 KiB did worse (1.055). The
trim threshold was then raised to :data:`TRIM_THRESHOLD`, which costs no peak and saves the
page faults of giving the heap's top back and taking it again.

Python's own small objects are not served by malloc (pymalloc maps its arenas itself) and are
not affected. Elsewhere (musl, macOS, Windows) nothing is changed: ``mallopt`` and its parameter
numbers are glibc's, found through ``confstr`` before anything is called.
"""

from __future__ import annotations

import os
import sys

THRESHOLD = 128 * 1024
"""Mapping threshold, bytes: glibc's own starting value."""

TRIM_THRESHOLD = 4 * 1024 * 1024
"""Trim threshold, bytes: free room the heap's top may keep.

At glibc's 128 KiB the heap's top was given back and taken again, page by page, as an audit
reads (64 KiB at a time) and frees: 74,000 page faults in ``check --jobs 0`` of the benchmark's
20,000-flow capture and 411,000 with one worker at 100,000 flows, against 11,000 and 22,000 with
glibc's moving thresholds. On a host where a fault is dear (a virtual machine: about 15 us each)
that was a second of a 6-second audit. At 4 MiB: 24,000 faults at 20,000 flows, and the same
peaks (the top is kept, not grown: a peak is reached once either way)."""

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def fix_malloc_thresholds() -> bool:
    """Fix glibc's mapping and trim thresholds (:data:`THRESHOLD`, :data:`TRIM_THRESHOLD`); whether that was done."""
    if not sys.platform.startswith("linux") or not _is_glibc():
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def _is_glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (ValueError, OSError):  # no such name here: not glibc
        return False
