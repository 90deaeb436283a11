"""The drafted ``flowaudit.yml``, as text with comments a person reviews.

Written by hand rather than dumped so that every entry can carry the flows
behind it as comments, and so that what flowaudit cannot know (who runs an
unknown host, whether a company is a processor) stays visibly TODO.
Captured text (host names, locations) only ever appears in comments, made
one-line and visible, so a crafted capture cannot add keys to the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from flowaudit.disclose.model import DataTypeSeen, Disclosure, DraftRecipient, UnknownParty
from flowaudit.inert import one_line

DRAFT_HEADER = "# Draft declaration written by `flowaudit disclose`"
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._-]*[A-Za-z0-9]|[A-Za-z]")
# Plain YAML scalars that would not read back as text.
_RESERVED = re.compile(r"(?i)(y|n|yes|no|on|off|true|false|null|~)")
# Keys of a given declaration carried over unchanged (recipients are drafted anew).
_CARRIED = ("audience", "canaries", "consent", "redact")


def scalar(value: str) -> str:
    """A YAML scalar that reads back as exactly ``value``."""
    if _PLAIN.fullmatch(value) and not _RESERVED.fullmatch(value) and ": " not in value and " #" not in value:
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def flow_refs(refs: Iterable[str]) -> str:
    """ "flows.mitm#1 #2; other.har#7": each file named once."""
    by_source: dict[str, list[str]] = {}
    for ref in dict.fromkeys(refs):
        source, _, n = ref.rpartition("#")
        by_source.setdefault(source, []).append(f"#{n}")
    return "; ".join(f"{source}{' '.join(ns)}" for source, ns in by_source.items())


def _comment(text: str) -> str:
    """Captured text inside a comment: one line, invisible characters spelled out."""
    return one_line(text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _tried(attempts: int, hosts: str) -> str:
    """A company only tried: the app looked it up or tried to connect, and nothing reached it."""
    return f"tried to contact {hosts} ({_plural(attempts, 'attempt')}), never reached"


def _seen(d: DataTypeSeen) -> str:
    where = f" at {d.where}" if d.where else ""
    return f"{flow_refs(d.flows)}{where}" if d.flows else "(no sample kept)"


def _recipient(r: DraftRecipient) -> Iterator[str]:
    hosts = _comment(", ".join(r.hosts))
    if r.reached:
        yield f"  # {_comment(r.entity)} ({', '.join(r.categories)}): {_plural(r.flows, 'request')} to {hosts}"
    else:
        yield f"  # {_comment(r.entity)} ({', '.join(r.categories)}): {_tried(r.attempts, hosts)}"
    if r.sample_flows:
        yield f"  #   e.g. {_comment(flow_refs(r.sample_flows))}"
    yield f"  - entity: {scalar(r.entity)}"
    if r.domains:
        yield f"    domains: [{', '.join(scalar(d) for d in r.domains)}]"
    if r.role:
        yield f"    role: {r.role}"
    else:
        yield "    # role: processor    # TODO: processor if it only acts for you under contract, else third_party"
    yield f"    purposes: [{', '.join(scalar(p) for p in r.purposes)}]"
    if not r.data_types and not r.reached:
        yield "    data: []    # never reached, so what it receives is unknown: add what you know it receives"
        return
    if not r.data_types:
        yield "    data: []    # no personal data detected in these requests: add what you know it receives"
        return
    yield "    data:"
    width = max(len(d.data_type) for d in r.data_types)
    for d in r.data_types:
        yield f"      - {d.data_type.ljust(width)}  # {_comment(_seen(d))}"


def _unknown(u: UnknownParty) -> Iterator[str]:
    hosts = _comment(", ".join(u.hosts))
    if u.reached:
        yield f"  # TODO unknown host: {_comment(u.domain)}: {_plural(u.flows, 'request')} to {hosts}"
    else:
        yield f"  # TODO unknown host: {_comment(u.domain)}: {_tried(u.attempts, hosts)}"
    if u.sample_flows:
        yield f"  #   e.g. {_comment(flow_refs(u.sample_flows))}"
    yield "  #   The catalog does not know who runs it. If you do, add it to first_party above;"
    yield "  #   otherwise find out who does and declare it:"
    yield "  # - entity: WHO RUNS IT"
    yield f"  #   domains: [{_comment(u.domain)}]"
    types = ", ".join(d.data_type for d in u.data_types)
    yield f"  #   data: [{types}]"


def _carried(source: Any) -> Iterator[str]:
    for key in _CARRIED:
        if isinstance(source, dict) and key in source:
            dumped = yaml.safe_dump({key: source[key]}, sort_keys=False, allow_unicode=True, default_flow_style=False)
            yield from dumped.rstrip("\n").splitlines()


def render_yaml(d: Disclosure, declaration_value: Any = None) -> str:
    """``declaration_value``: the given declaration's parsed YAML, whose other keys are kept."""
    r = d.result
    lines = [
        f"{DRAFT_HEADER} from observed traffic. Review every line:",
        "# it declares what these captures show, and nothing the captures did not exercise.",
        "# FILE#N is the N-th flow of FILE (a request, or a failed lookup or connection); each entry lists its own.",
    ]
    lines += [
        f"# capture: {_comment(i.path)} ({i.format}, {_plural(i.flows, 'flow')}, sha256 {i.sha256})" for i in r.inputs
    ]
    lines.append(f"# flowaudit {r.tool_version}, rules {r.rules_version}")
    for f in d.undeclarable:
        lines.append(f"# NOT FIXED BY DECLARING: {f.severity} {f.rule}: {_comment(f.message)}")
    lines.append(f"app: {scalar(d.app)}" if d.app else "app: TODO app name")
    if d.first_party:
        lines.append(f"first_party: [{', '.join(scalar(x) for x in d.first_party)}]")
    else:
        lines.append("first_party: []    # TODO: the domains you run (api.example.com covers its subdomains)")
    lines += list(_carried(declaration_value))
    if not d.recipients and not d.unknown:
        lines.append("recipients: []    # no third party received requests in these captures")
    else:
        lines.append("recipients:" if d.recipients else "recipients: []")
        for recipient in d.recipients:
            lines += list(_recipient(recipient))
        for unknown in d.unknown:
            lines += list(_unknown(unknown))
    for name in d.not_seen:
        lines.append(f"  # declared before but not seen in these captures: {_comment(name)} (keep it if the")
        lines.append("  #   captures did not exercise the feature that uses it)")
    if r.platform:
        who = ", ".join(f"{p.entity} ({', '.join(p.hosts)})" for p in r.platform)
        lines.append(f"# Not the app's, nothing to declare: platform traffic to {_comment(who)}")
    return "\n".join(lines) + "\n"
