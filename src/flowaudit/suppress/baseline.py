"""Reading a baseline: the finding ids of an earlier ``--format json`` result.

Only ids are needed, so only ids are read: a baseline written by an older
flowaudit with fewer fields still works. The ids a result lists as
suppressed *by its own baseline* are known too, so a baseline made from a
baselined run still covers everything the first one did. Findings that
result hid with an ignore-file entry are not carried over: they stand on
that entry, and must lapse when it expires.
"""

from __future__ import annotations

import json
from os import PathLike
from typing import Any

from flowaudit.errors import FlowauditError
from flowaudit.suppress.model import Baseline

_HOW = "write one with `flowaudit check INPUT... --format json -o result.json`"


def read_baseline(path: str | PathLike[str]) -> Baseline:
    name = str(path)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise FlowauditError("baseline not found", path=name, hint=_HOW) from None
    except IsADirectoryError:
        raise FlowauditError("is a folder, not a JSON result", path=name, hint=_HOW) from None
    except UnicodeDecodeError:
        raise FlowauditError("not a JSON result: not UTF-8 text", path=name, hint=_HOW) from None
    except json.JSONDecodeError as err:
        raise FlowauditError(f"not valid JSON: {err.msg}", path=name, line=err.lineno, hint=_HOW) from None
    except OSError as err:
        raise FlowauditError(f"cannot be read: {err.strerror or err}", path=name) from None
    if not isinstance(data, dict) or "schema_version" not in data or not isinstance(data.get("findings"), list):
        raise FlowauditError("not a flowaudit JSON result (no schema_version and findings)", path=name, hint=_HOW)
    if data["schema_version"] != 1:
        raise FlowauditError(
            f"JSON result schema_version {data['schema_version']!r} is not supported (this flowaudit reads 1)",
            path=name,
            hint="use the flowaudit version that wrote it, or write the baseline again with this one",
        )
    suppressed = data.get("suppressed", [])
    carried = [s for s in suppressed if isinstance(s, dict) and _reason(s) == "baseline"]
    ids = [_id(f, name) for f in (*data["findings"], *carried)]
    return Baseline(name, frozenset(ids))


def _reason(suppressed: dict[str, Any]) -> object:
    suppression = suppressed.get("suppression")
    return suppression.get("reason") if isinstance(suppression, dict) else None


def _id(finding: object, path: str) -> str:
    found = finding.get("id") if isinstance(finding, dict) else None
    if isinstance(found, str) and found:
        return found
    raise FlowauditError("a finding without an `id`: not a flowaudit JSON result", path=path, hint=_HOW)
