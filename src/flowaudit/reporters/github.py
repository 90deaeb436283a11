"""GitHub Actions: the job summary and annotations.

Under GitHub Actions (``GITHUB_ACTIONS=true``) one notice states what was
found and the gate's verdict (the same words as every report), and each finding becomes a
workflow-command annotation on the declaration line it is about, written to
standard error (the runner reads commands there too) so standard output
stays the report. When ``GITHUB_STEP_SUMMARY`` names a file, the Markdown
summary is appended to it. Values are escaped the way the runner decodes
them (``%25``, ``%0D``, ``%0A``; in properties also ``%3A``, ``%2C``), after
control characters are made visible, so a crafted capture cannot end an
annotation early or issue a command of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from flowaudit.display import MAX_LISTED
from flowaudit.display.words import plural
from flowaudit.errors import FlowauditError
from flowaudit.inert import visible
from flowaudit.model import AuditResult, Finding
from flowaudit.reporters.anchor import anchor
from flowaudit.reporters.markdown import render_markdown
from flowaudit.reporters.verdict import undecoded_notice, verdict

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(result: AuditResult, f: Finding) -> str:
    path, line = anchor(result, f)
    props = f"file={escape_property(path)},line={line},title={escape_property(f'{f.title} [{f.rule}]')}"
    body = f.message
    if f.evidence and f.evidence[0].request:
        body += f"\nEvidence: {f.evidence[0].flow} {f.evidence[0].request}"
    return f"::{_LEVEL[f.severity]} {props}::{escape_data(body)}"


def summary_annotation(result: AuditResult) -> str:
    """One notice with what was found and the gate, worded as every other format words it."""
    v = verdict(result)
    return f"::notice title={escape_property('flowaudit: ' + v.headline)}::{escape_data(f'{v.story} {v.gate}')}"


def annotation_lines(result: AuditResult) -> list[str]:
    """The summary notice, then an annotation per finding, most severe first: at most
    :data:`MAX_LISTED` of them (GitHub shows ten of each level per step; a capture to
    a hundred thousand domains has as many findings), then a notice of how many more."""
    lines = [summary_annotation(result), *(annotation(result, f) for f in result.findings[:MAX_LISTED])]
    rest = len(result.findings) - MAX_LISTED
    if rest > 0:
        more = f"and {plural(rest, 'more finding')} not annotated (all in the JSON, SARIF and CSV reports)"
        lines.append(f"::notice title={escape_property('flowaudit: more findings')}::{escape_data(more)}")
    undecoded = undecoded_notice(result)
    if undecoded:
        lines.append(f"::warning title={escape_property('flowaudit: not fully decoded')}::{escape_data(undecoded)}")
    return lines


def publish(result: AuditResult, environ: Mapping[str, str], stream: TextIO) -> None:
    """Annotations and the step summary, when running under GitHub Actions."""
    if environ.get("GITHUB_ACTIONS") == "true":
        for line in annotation_lines(result):
            stream.write(line + "\n")
        stream.flush()
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with Path(summary).open("a", encoding="utf-8") as f:
                f.write(render_markdown(result) + "\n")
        except OSError as e:
            raise FlowauditError(f"cannot append the step summary: {e.strerror}", path=summary) from e
