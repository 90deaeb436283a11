"""The diff in plain words, shared by every format so they never disagree.

Built from the diff alone (no markup): each format escapes these its own way.
"""

from __future__ import annotations

from flowaudit.diff.model import RecipientChange, ResultDiff, Side
from flowaudit.display.words import ended, names, plural
from flowaudit.engine.rules.data_types import is_sensitive


def side_line(side: Side) -> str:
    """ "capture.mitm (capture audited now, 10 requests, declaration flowaudit.yml, rules 2026.11.22+...)" """
    r = side.result
    how = "capture audited now" if side.kind == "capture" else "saved result"
    declaration = f"declaration {r.declaration}" if r.declaration else "no declaration"
    return f"{side.label} ({how}, {plural(r.flows, 'request')}, {declaration}, rules {r.rules_version})"


def declared_word(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


def sensitive_types(change: RecipientChange) -> tuple[str, ...]:
    return tuple(t for t in change.data_types_added if is_sensitive(t))


def gate_verdict(diff: ResultDiff) -> str:
    """ "fail", "pass", or "none" under --fail-on never: no gate is not a pass
    (the same three values as a check's summary.verdict)."""
    if diff.fail_on == "never":
        return "none"
    return "fail" if diff.failed() else "pass"


def verdict_word(diff: ResultDiff) -> str:
    return {"fail": "FAIL", "pass": "PASS", "none": "NO GATE"}[gate_verdict(diff)]


def headline(diff: ResultDiff) -> str:
    """Why the verdict (and exit status) is what it is, without the word itself."""
    if diff.failed():
        return f"new findings at or above {diff.fail_on}"
    if diff.fail_on == "never":
        return "run with --fail-on never, so new findings do not change the exit status"
    return f"no new finding at or above {diff.fail_on}"


def sentences(diff: ResultDiff) -> tuple[str, ...]:
    """What changed, most important first; one sentence when nothing did."""
    if not diff.changed:
        return ("No change: the same recipients received the same data types, and the findings are the same.",)
    out: list[str] = []
    for change, one, many in (
        ("appeared", "started receiving requests", "started receiving requests"),
        ("disappeared", "no longer receives requests", "no longer receive requests"),
    ):
        rows = diff.with_change(change)
        if rows:
            who = names([r.entity for r in rows])
            verb = one if len(rows) == 1 else many
            out.append(ended(f"{plural(len(rows), 'company', 'companies')} {verb}: {who}"))
    changed = diff.with_change("changed")
    gained = [r.entity for r in changed if r.data_types_added]
    lost = [r.entity for r in changed if r.data_types_removed]
    if gained:
        out.append(ended(f"Receiving new data types: {names(gained)}"))
    if lost:
        out.append(ended(f"No longer receiving some data types: {names(lost)}"))
    sensitive = [r.entity for r in diff.recipients if sensitive_types(r)]
    if sensitive:
        out.append(ended(f"Sensitive data newly reaches: {names(sensitive)}"))
    out.append(
        f"Findings: {len(diff.new_findings)} new, {len(diff.fixed_findings)} fixed, "
        f"{diff.unchanged_findings} unchanged."
    )
    return tuple(out)
