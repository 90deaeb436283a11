"""Stable finding ids: the same rule, entity, host and data types give the
same id on every run, so baselines and SARIF fingerprints survive re-runs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def finding_id(rule: str, entity_id: str, scope: str = "", data_types: Iterable[str] = ()) -> str:
    """``scope`` is the host, or the category for findings about a whole recipient row."""
    key = "\x1f".join((rule, entity_id, scope, ",".join(sorted(data_types))))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
