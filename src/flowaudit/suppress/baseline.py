"""Reading a baseline: the finding ids of an earlier ``--format json`` result.

The file is read and checked like every JSON result flowaudit reads
(:func:`flowaudit.reporters.json_load.read_result`: the published result
schema, the schema version), then only ids are taken. The ids a result
lists as suppressed *by its own baseline* are known too, so a baseline made
from a baselined run still covers everything the first one did. Findings
that result hid with an ignore-file entry are not carried over: they stand
on that entry, and must lapse when it expires.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from flowaudit.errors import FlowauditError
from flowaudit.reporters.json_load import read_result
from flowaudit.suppress.model import Baseline


def read_baseline(path: str | PathLike[str]) -> Baseline:
    name = str(path)
    if not Path(path).exists():
        hint = "write one with `flowaudit check INPUT... --format json -o result.json`"
        raise FlowauditError("baseline not found", path=name, hint=hint)
    data = read_result(name)
    carried = [s for s in data.get("suppressed", []) if s["suppression"]["reason"] == "baseline"]
    return Baseline(name, frozenset(f["id"] for f in (*data["findings"], *carried)))
