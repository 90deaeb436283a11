"""How Python's cyclic garbage collector is set for an audit, in every process that audits.

An audit allocates millions of short-lived containers (a request's leaves,
locations, detections) and frees nearly all of them by reference counting;
few form cycles. At Python's default thresholds the collector still runs a
young-generation pass every 700 net allocations and, every 100 of those, a
pass over everything long-lived: the rules, the catalog and the speed caches
(bounded, but tens of thousands of objects each). Measured on the
benchmark's 20,000-flow capture (``bench/run.py``) with ``gc.callbacks``:
0.87 s of collections at the defaults, 0.05 s with the settings below.

* What was built before the first request (modules, rules, catalog,
  declaration) lives until the process ends: :func:`settle` freezes it out
  of the collector's reach (``gc.freeze``).
* The young generation is collected every :data:`YOUNG` net allocations,
  not 700: at most that many objects of cyclic garbage wait, a few MiB,
  against the per-flow bound the audit keeps. Where a record's decoding
  does leave cycles behind (flows rebuilt by mitmproxy), that reader
  collects them itself (:mod:`flowaudit.inputs.mitm`).
"""

from __future__ import annotations

import gc

YOUNG = 20_000
"""Net allocations of tracked objects between young-generation collections (Python's default: 700)."""

OLDER = 20
"""Young collections per middle one, and middle ones per full one (Python's default: 10)."""


def settle() -> None:
    """Freeze what is alive now and set the thresholds for an audit's steady state."""
    gc.freeze()
    gc.set_threshold(YOUNG, OLDER, OLDER)
