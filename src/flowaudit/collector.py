"""How Python's cyclic garbage collector is set while captures are audited.

An audit allocates millions of short-lived containers (a request's leaves,
locations, detections) and frees nearly all of them by reference counting;
few form cycles. At Python's default thresholds the collector still runs a
young-generation pass every 700 net allocations and, every 100 of those, a
pass over everything long-lived: the rules, the catalog and the speed caches
(bounded, but tens of thousands of objects each). Measured on the
benchmark's 20,000-flow capture (``bench/run.py``) with ``gc.callbacks``:
0.87 s of collections at the defaults, 0.03 s with the settings below.

* The young generation is collected every :data:`YOUNG` net allocations
  of tracked objects, not 700. The count is *net*: an object freed from
  the older generations takes one off. The detectors' bounded caches
  (:mod:`flowaudit.payload.detectors.generic`: verdicts and places, a new
  entry for each old one dropped) keep it low while the young generation
  fills with their new entries, which each collection scans and finds
  alive: on a real 20,000-entry HAR every collection scanned about 100,000
  objects, 0.50 s CPU in all at 20,000, 0.13 s at 100,000. The audit's own
  code makes no reference cycles (a multipart body's header classes did:
  :mod:`flowaudit.payload.decode.mime`); the collections stay as the bound
  on what a library's cycle on hostile input leaves waiting: at most
  :data:`YOUNG` objects plus as many as the audit frees of what it held
  (its bounded caches), tens of MiB of small objects. Where a record's
  decoding leaves large objects in cycles (flows rebuilt by mitmproxy),
  that reader collects them itself (:mod:`flowaudit.inputs.mitm`).
* Every :data:`FULL_EVERY` requests an audit's process runs a full collection
  (:func:`audited`). With the young generation so rarely collected none came by
  itself: the counts that lead to one are net allocations, and once the caches
  are full an audit allocates as much as it frees (the benchmark's
  100,000-flow capture: 59 young collections in all, the same as in its first
  10,000 flows). A full collection is also what empties the interpreter's free
  lists (freed tuples of each length below 21, up to 2,000 of each; lists,
  dicts, floats), which only the same type and size can reuse. A cache
  generation dropped at once fills them, and without full collections they
  filled for the whole audit: in the main process with one worker, 0.4 MB of
  freed tuples at 10,000 flows, 1.4 MB at 100,000 (``sys._debugmallocstats``).
  Peak RSS of that process, 10,000 / 100,000 / 300,000 flows (three captures
  of 100,000 in one audit): 57.5-57.9 /
  61.3-61.4 / 63.0 MiB before, 57.7-57.9 / 60.2-60.4 / 60.7 MiB with these
  collections (and the worker's 49.3 MiB at 300,000 flows, 47.2). One costs
  5-25 ms there (about 41,000 objects tracked and not frozen, and what the
  free lists held): about 0.1 s in a 100,000-flow audit, under 1% of it.
  On the bench's real 20,000-entry HAR, 70-100 ms in the main process, once:
  the audit's state is tracked and never collected young (net allocations
  stay under :data:`YOUNG`), so any collection passes over it; about 3% of
  those 16,384 requests' time. Collecting the young generations, setting
  every object aside (``gc.freeze``) and collecting in full would traverse
  the same objects (55 ms).
* A worker process also freezes what it built before its first request
  (rules, catalog, declaration: alive as long as it is) out of the
  collector's reach; the command's own process froze its imports at start
  (:mod:`flowaudit.__main__`).

Only an audit is set so (:func:`flowaudit.pipeline.audit_captures` and its
workers): ``record`` runs a proxy for hours, whose flows, of any size, can
sit in reference cycles, and keeps Python's prompt defaults.
"""

from __future__ import annotations

import gc

YOUNG = 100_000
"""Net allocations of tracked objects between young-generation collections (Python's default: 700)."""

OLDER = 20
"""Young collections per middle one, and middle ones per full one (Python's default: 10)."""


FULL_EVERY = 16384
"""Requests audited between full collections (:func:`audited`)."""

_left = FULL_EVERY  # requests before the next full collection


def tune_for_audit() -> None:
    """Set the collector's thresholds for an audit's steady state."""
    global _left
    gc.set_threshold(YOUNG, OLDER, OLDER)
    _left = FULL_EVERY


def audited(requests: int = 1) -> None:
    """Count ``requests`` audited by this process; a full collection once :data:`FULL_EVERY`
    more have been."""
    global _left
    _left -= requests
    if _left <= 0:
        _left = FULL_EVERY
        gc.collect()
