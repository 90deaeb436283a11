"""How Python's cyclic garbage collector is set while captures are audited.

An audit allocates millions of short-lived containers (a request's leaves,
locations, detections) and frees nearly all of them by reference counting;
few form cycles. At Python's default thresholds the collector still runs a
young-generation pass every 700 net allocations and, every 100 of those, a
pass over everything long-lived: the rules, the catalog and the speed caches
(bounded, but tens of thousands of objects each). Measured on the
benchmark's 20,000-flow capture (``bench/run.py``) with ``gc.callbacks``:
0.87 s of collections at the defaults, 0.03 s with the settings below.

* The young generation is collected every :data:`YOUNG` net allocations,
  not 700: at most that many objects of cyclic garbage wait, a few MiB,
  against the per-flow bound the audit keeps. Where a record's decoding
  does leave cycles behind (flows rebuilt by mitmproxy), that reader
  collects them itself (:mod:`flowaudit.inputs.mitm`).
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

YOUNG = 20_000
"""Net allocations of tracked objects between young-generation collections (Python's default: 700)."""

OLDER = 20
"""Young collections per middle one, and middle ones per full one (Python's default: 10)."""


def tune_for_audit() -> None:
    """Set the collector's thresholds for an audit's steady state."""
    gc.set_threshold(YOUNG, OLDER, OLDER)
