"""What the audit found, in plain words, for the human formats (text, HTML,
Markdown).

A reader who stops after the first lines must still know what happened:
what was found (the headline: findings by severity, or that there was
nothing to audit), who received requests and which of them were not
declared, and, on a line of its own, whether the ``--fail-on`` gate passed.
The gate is never the headline: a green "PASS" above critical findings, or
under ``--fail-on never``, would tell the reader the opposite of the data.
Every number comes from :func:`~flowaudit.reporters.summary.summarize`, so
no format can disagree with another; the sentences are plain text, and each
format escapes them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowaudit.display.words import ended, names, plural
from flowaudit.model import AuditResult
from flowaudit.reporters.summary import Summary, summarize


@dataclass(frozen=True, slots=True)
class Verdict:
    summary: Summary
    headline: str  # what the data shows: "12 findings: 2 critical, 7 high, ..." or "Nothing to audit: ..."
    story: str  # who received requests, who was not declared, where sensitive data went
    gate: str  # the --fail-on gate's verdict, shown apart from the headline
    warnings: tuple[str, ...]  # what limits the audit or the report

    @property
    def tone(self) -> str:
        """How loud the headline is: "alarm" (critical or high findings),
        "warn" (medium or low), "calm" (info or none), "empty" (nothing to audit)."""
        worst = self.summary.worst
        if self.summary.nothing_to_audit:
            return "empty"
        if worst in ("critical", "high"):
            return "alarm"
        return "warn" if worst in ("medium", "low") else "calm"


def _story(s: Summary, app: str) -> str:
    if s.nothing_to_audit:
        return f"No request from {app} was seen, so no recipient and no data type could be checked."
    tried = f"{app} tried to contact {names(s.tried_only)}, never reached" if s.tried_only else ""
    third = tuple(t for t in s.third_parties if t not in s.tried_only)
    if not third:
        alone = f"No third party received requests from {app}"
        return ended(f"{alone}; {tried}") if tried else f"{alone}; only its own servers did."
    clauses = [f"{plural(len(third), 'third party', 'third parties')} received requests from {app}"]
    with_data = len(s.with_personal_data)
    if with_data:
        clauses[0] += f", and {with_data} of them received personal data" if len(third) > 1 else ", with personal data"
    if not s.declared:
        clauses.append("no declaration was given, so none of them counts as declared")
    elif s.undeclared:
        verb = "was" if len(s.undeclared) == 1 else "were"
        clauses.append(f"{len(s.undeclared)} {verb} not declared: {names(s.undeclared)}")
    else:
        clauses.append("all of them were declared")
    clauses += [f"{label.lower()} reached {names(reached)}" for label, reached in s.sensitive]
    clauses += [tried] if tried else []
    return ended("; ".join(clauses))


def verdict(result: AuditResult) -> Verdict:
    s = summarize(result)
    headline = s.headline
    if s.suppressed:
        headline += f" ({s.suppressed} more suppressed, not counted)"
    gate = s.gate.sentence
    if s.nothing_to_audit and s.gate.asked and not s.gate.failed:
        gate = f"Gate --fail-on {s.gate.fail_on}: not failed, but there was nothing to audit."
    elif s.undecoded and s.gate.asked and not s.gate.failed:
        # Never a clean pass on what was not read.
        gate = (
            f"Gate --fail-on {s.gate.fail_on}: not failed in what could be read, but"
            f" {plural(s.undecoded, 'request')} could not be fully decoded (see above)."
        )
    return Verdict(s, headline, _story(s, result.app_name or "the app"), gate, tuple(warnings(result)))


def undecoded_notice(result: AuditResult) -> str | None:
    """The one line every format shows when requests could not be fully decoded, with example refs.

    Kept in one place so a shared summary can take it over whole.
    """
    if not result.undecoded:
        return None
    reasons = "; ".join(
        f"{g.requests}{_to(g.recipients)} with {g.label}" + (f" (e.g. {g.examples[0].flow})" if g.examples else "")
        for g in result.decode_gaps
    )
    return (
        f"{plural(result.undecoded, 'request')} could not be fully decoded, so data they carry may be"
        f" missing from this report: {reasons}."
    )


def _to(recipients: tuple[str, ...], shown: int = 3) -> str:
    """ " to Mixpanel and Segment", " to A, B, C and 4 more" ("" when unknown, as in an older result)."""
    if not recipients:
        return ""
    named = list(recipients[:shown])
    if len(recipients) > shown:
        named.append(f"{len(recipients) - shown} more")
    return " to " + (named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1])


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
        out += [f"The capture {i.path}: {warning}." for warning in i.warnings]
    undecoded = undecoded_notice(result)
    if undecoded:
        out.append(undecoded)
    if result.declaration is None:
        out.append("No declaration (flowaudit.yml) was given: every third party counts as undeclared.")
    return out
