"""The drafted disclosure as a Markdown document: recipients to declare, the
App Store privacy label and Google Play Data safety answers as tables (from
``rules/data-types.yml``), each line with the flows that back it, and the
draft ``flowaudit.yml``."""

from __future__ import annotations

import re

from flowaudit.disclose.model import Disclosure, LabelRow
from flowaudit.disclose.yaml_draft import flow_refs
from flowaudit.display.markdown import md_code, md_text
from flowaudit.display.words import NEVER_REACHED, names, plural, requests_cell


def _refs(refs: tuple[str, ...]) -> str:
    return md_code(flow_refs(refs)) if refs else "—"


def _codes(values: tuple[str, ...]) -> str:
    return ", ".join(md_code(v) for v in values)


def _fenced(text: str, language: str) -> list[str]:
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return [f"{fence}{language}", text.rstrip("\n"), fence]


def _apple_row(row: LabelRow) -> str:
    decide = "linked to the user? used for tracking? purposes?"
    if row.tracking_hint:
        decide = f"**tracking likely**: sent to {md_text(names(list(row.tracking_hint)))} · linked? purposes?"
    cells = [md_text(row.label), _codes(row.data_types), md_text(", ".join(row.recipients)), _refs(row.flows), decide]
    return f"| {' | '.join(cells)} |"


def _google_row(row: LabelRow) -> str:
    shared = f"yes: {md_text(', '.join(row.third_parties))}" if row.third_parties else "no"
    if row.cleartext_flows:
        encrypted = f"**no**: plain HTTP in {_refs(row.cleartext_flows)}"
    else:
        encrypted = "yes (HTTPS in every request seen)"
    cells = [md_text(row.label), _codes(row.data_types), "yes", shared, encrypted, _refs(row.flows)]
    return f"| {' | '.join(cells)} |"


def render_markdown(d: Disclosure, yaml_text: str) -> str:
    r = d.result
    title = md_text(d.app) if d.app else "the app"
    captures = ", ".join(md_code(i.path) for i in r.inputs)
    out = [
        f"# Draft disclosure: {title}",
        "",
        f"Drafted by `flowaudit disclose` from {plural(r.flows, 'request')} in {captures}. It states what these "
        "captures show, nothing more: review every line, and add what the captures did not exercise. "
        "`FILE#N` is the N-th flow of FILE (a request, or a lookup or connection that failed).",
        "",
    ]
    if d.undeclarable:
        out += [
            "## What declaring cannot fix",
            "",
            "These findings stay whatever the declaration says: change what the app sends.",
            "",
        ]
        out += [
            f"- **{f.severity}** {md_code(f.rule)}: {md_text(f.message)} ({_refs(tuple(e.flow for e in f.evidence))})"
            for f in d.undeclarable
        ]
        out.append("")
    out += ["## Recipients to declare", ""]
    if d.recipients:
        out += [
            "| Company | Category | Hosts | Requests | Data types (requests that show them) |",
            "|---|---|---|---:|---|",
        ]
        for rec in d.recipients:
            types = "<br>".join(f"{md_code(t.data_type)} {_refs(t.flows)}" for t in rec.data_types)
            types = types or ("none detected" if rec.reached else NEVER_REACHED)
            where = [md_text(rec.entity), md_text(", ".join(rec.categories)), _codes(rec.hosts)]
            cells = [*where, requests_cell(rec), types]
            out.append(f"| {' | '.join(cells)} |")
    else:
        out.append("No third party in the catalog received requests.")
    out.append("")
    if d.unknown:
        out += [
            "### Hosts the catalog does not know",
            "",
            "Not assumed to be yours: add your own domains to `first_party`, and declare the others by their "
            "`domains` once you know who runs them.",
            "",
        ]
        out += [
            f"- {md_code(u.domain)}: {_codes(u.hosts)}, {plural(u.flows, 'request') if u.reached else requests_cell(u)}"
            f" ({_refs(u.sample_flows)})"
            for u in d.unknown
        ]
        out.append("")
    if d.not_seen:
        out += [f"Declared before but not seen in these captures: {md_text(', '.join(d.not_seen))}.", ""]
    out += ["## App Store privacy label (Apple)", ""]
    if d.apple:
        out += [
            "Data collected: every type below left the device. Answer the rest for each.",
            "",
            "| Data type | flowaudit types | Sent to | Requests | To decide |",
            "|---|---|---|---|---|",
            *(_apple_row(row) for row in d.apple),
        ]
    else:
        out.append("No personal data types were detected in these captures.")
    out += ["", "## Data safety (Google Play)", ""]
    if d.google:
        out += [
            "Shared: sent to a third party (a service provider acting for you does not count: declare it "
            "`role: processor`).",
            "",
            "| Data type | flowaudit types | Collected | Shared | Encrypted in transit | Requests |",
            "|---|---|---|---|---|---|",
            *(_google_row(row) for row in d.google),
        ]
    else:
        out.append("No personal data types were detected in these captures.")
    out += ["", "## Draft `flowaudit.yml`", "", *_fenced(yaml_text, "yaml"), ""]
    return "\n".join(out)
