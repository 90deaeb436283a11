"""Taking accepted findings out of a result, keeping a record of each.

Runs between the engine and the reporters: the engine always reports
everything it finds; what a CI run has accepted moves from ``findings`` to
``suppressed`` (with the reason), so the verdict and exit status count only
what is new or unjustified while every output can still show the rest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flowaudit.datatypes import Vocabulary, load_vocabulary
from flowaudit.model import AuditResult, Finding, SuppressedFinding

if TYPE_CHECKING:  # only given when a run has an ignore file or a baseline, which load them
    from flowaudit.suppress.model import Baseline, IgnoreFile, Suppression


@dataclass(frozen=True, slots=True)
class Applied:
    result: AuditResult
    unused: tuple[Suppression, ...]  # ignore-file entries that matched no finding: stale, or a typo


def apply_suppressions(
    result: AuditResult,
    ignore: IgnoreFile | None,
    baseline: Baseline | None,
    *,
    show: bool = False,
) -> Applied:
    """Move findings covered by an ignore-file entry, else by the baseline, to ``suppressed``.

    An ignore-file entry wins over the baseline for a finding both cover,
    since its statement says more than "it was there before".
    """
    vocabulary = load_vocabulary()
    entries = ignore.entries if ignore else ()
    used: set[Suppression] = set()
    kept: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    for finding in result.findings:
        entry = next((e for e in entries if covers(e, finding, vocabulary)), None)
        if entry is not None:
            used.add(entry)
            suppressed.append(
                SuppressedFinding(
                    finding=finding,
                    reason="ignore-file",
                    statement=entry.statement,
                    source=entry.source,
                    expires=entry.expires.isoformat(),
                )
            )
        elif baseline is not None and finding.id in baseline.ids:
            suppressed.append(
                SuppressedFinding(
                    finding=finding,
                    reason="baseline",
                    statement=f"already in the baseline {baseline.path}",
                    source=baseline.path,
                )
            )
        else:
            kept.append(finding)
    updated = dataclasses.replace(
        result,
        findings=tuple(kept),
        suppressed=(*result.suppressed, *suppressed),
        show_suppressed=show,
    )
    return Applied(updated, tuple(e for e in entries if e not in used))


def covers(entry: Suppression, finding: Finding, vocabulary: Vocabulary) -> bool:
    """Whether ``entry`` describes ``finding``.

    With ``data_types``, the entry covers a finding only if every data type
    the finding names is among them: when the same company starts receiving
    something new, the finding comes back.
    """
    if finding.rule != entry.rule:
        return False
    if entry.entity_names and (finding.entity or "").lower() not in entry.entity_names:
        return False
    if entry.host is not None and not _under(finding.host or "", entry.host):
        return False
    return entry.data_types is None or _expand(finding.data_types, vocabulary) <= entry.data_types


def _under(host: str, domain: str) -> bool:
    host = host.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


def _expand(names: Iterable[str], vocabulary: Vocabulary) -> frozenset[str]:
    """Ids for the names a finding carries (a declared group name stands for its members)."""
    return frozenset(i for name in names for i in (vocabulary.expand(name) if name in vocabulary else (name,)))
