"""The verdict in plain words, shared by the HTML and Markdown reports.

A reader who stops after the first lines must still know what happened:
how many companies received requests, which of them the app maker did not
declare, whether sensitive data reached any of them, and whether the audit
passed. The sentences are built from the result alone (no formatting) so
each format escapes them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowaudit.model import SEVERITIES, AuditResult, Recipient

# Data-type groups worth naming in the first sentence when they reach a third
# party: what a journalist would lead with (docs/contract.md: the WSJ case).
SENSITIVE_GROUPS: tuple[tuple[str, str], ...] = (("health", "Health data"), ("sensitive", "Sensitive data"))
_NAMES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Verdict:
    failed: bool
    reason: str  # "1 finding at or above high"
    sentences: tuple[str, ...]  # what happened, most important first
    warnings: tuple[str, ...]  # what limits the audit or the report

    @property
    def word(self) -> str:
        return "FAIL" if self.failed else "PASS"

    @property
    def headline(self) -> str:
        return f"{self.word}: {self.reason}"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def names(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C", "A, B, C, D, E and 3 more"."""
    shown = items[:_NAMES_SHOWN]
    rest = len(items) - len(shown)
    if rest:
        return f"{', '.join(shown)} and {rest} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _entities(rows: list[Recipient]) -> list[str]:
    return list(dict.fromkeys(r.entity for r in rows))


def third_parties(result: AuditResult) -> list[Recipient]:
    """Recipients that are not the app maker's own (third or unknown party)."""
    return [r for r in result.recipients if r.party != "first"]


def undeclared(result: AuditResult) -> list[Recipient]:
    return [r for r in result.recipients if r.party != "first" and not r.declared]


def _who_received(result: AuditResult) -> str:
    app = result.app_name or "the app"
    third = third_parties(result)
    count = len({r.entity_id for r in third})
    if not count:
        return f"No third party received requests from {app}"
    clause = f"{plural(count, 'third party', 'third parties')} received requests from {app}"
    with_data = {r.entity_id for r in third if r.data_types}
    if with_data:
        clause += f", and {len(with_data)} of them received personal data" if count > 1 else ", with personal data"
    return clause


def _declared_clause(result: AuditResult) -> str | None:
    third = third_parties(result)
    if not third:
        return None
    if result.declaration is None:
        return "no declaration was given, so none of them counts as declared"
    missing = _entities(undeclared(result))
    if not missing:
        return "all of them were declared"
    verb = "was" if len(missing) == 1 else "were"
    return f"{len(missing)} {verb} not declared: {names(missing)}"


def _sensitive_clauses(result: AuditResult) -> list[str]:
    out = []
    for group, label in SENSITIVE_GROUPS:
        reached = _entities(
            [r for r in third_parties(result) if any(t.split(".", 1)[0] == group for t in r.data_types)]
        )
        if reached:
            out.append(f"{label.lower()} reached {names(reached)}")
    return out


def verdict(result: AuditResult) -> Verdict:
    clauses = [_who_received(result)]
    declared = _declared_clause(result)
    if declared:
        clauses.append(declared)
    clauses += _sensitive_clauses(result)
    counts = result.counts()
    found = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s])
    sentences = (
        "; ".join(clauses) + ".",
        f"Findings: {found}." if found else "No findings.",
    )
    if result.failed():
        limit = SEVERITIES.index(result.fail_on)
        at_or_above = sum(1 for f in result.findings if SEVERITIES.index(f.severity) <= limit)
        reason = f"{plural(at_or_above, 'finding')} at or above {result.fail_on}"
    elif result.fail_on == "never":
        reason = "the audit was run with --fail-on never"
    else:
        reason = f"no finding at or above {result.fail_on}"
    if result.suppressed:
        reason += f" ({len(result.suppressed)} suppressed, not counted)"
    return Verdict(result.failed(), reason, sentences, tuple(warnings(result)))


def undecoded_notice(result: AuditResult) -> str | None:
    """The one line every format shows when requests could not be fully decoded, with example refs.

    Kept in one place so a shared summary can take it over whole.
    """
    if not result.undecoded:
        return None
    reasons = "; ".join(
        f"{g.requests} with {g.label}" + (f" (e.g. {g.examples[0].flow})" if g.examples else "")
        for g in result.decode_gaps
    )
    return (
        f"{plural(result.undecoded, 'request')} could not be fully decoded, so data they carry may be"
        f" missing from this report: {reasons}."
    )


def warnings(result: AuditResult) -> list[str]:
    out = []
    if not result.redacted:
        out.append(
            "Redaction is OFF (--no-redact): this report may contain passwords, access tokens, API keys "
            "and cookies from the capture. It is for private use: do not publish or forward it."
        )
    for i in result.inputs:
        if not i.complete:
            out.append(
                f"The capture {i.path} is incomplete ({i.problem or 'reading stopped early'}): "
                f"the {plural(i.flows, 'request')} before the break were audited, anything after it was not."
            )
    undecoded = undecoded_notice(result)
    if undecoded:
        out.append(undecoded)
    if result.declaration is None:
        out.append("No declaration (flowaudit.yml) was given: every third party counts as undeclared.")
    return out
