"""The rule ids of CONTRACT.md with their default severity and help text.

One table, so the engine, the text output and the machine formats (SARIF
rules, JUnit names) never disagree about what a rule is called or means.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    title: str
    help: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "undeclared-recipient",
            "high",
            "Undeclared recipient",
            "A third party received requests from the app but is not in the declaration. "
            "Declare it under `recipients:` (with the data it receives) or stop sending to it.",
        ),
        Rule(
            "unknown-third-party",
            "low",
            "Unknown third party",
            "A host outside the app's first-party domains that the catalog does not know. "
            "Silence is never reported as compliance: check who runs it, then declare it "
            "(`recipients: - entity: NAME, domains: [HOST]`) or add it to `first_party:`.",
        ),
        Rule(
            "cleartext-transmission",
            "high",
            "Data sent over plain HTTP",
            "A request carrying a payload (query, body, cookies or credentials) travelled "
            "unencrypted, readable by anyone on the network path. Use HTTPS.",
        ),
        Rule(
            "declared-not-observed",
            "info",
            "Declared but not observed",
            "A declared recipient was never contacted in this capture. Either the capture "
            "did not exercise that part of the app, or the declaration is out of date.",
        ),
    )
}
