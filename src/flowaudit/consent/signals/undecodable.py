"""What a decoder returns for input it cannot read: the reason, never an exception.

Consent strings come from captured traffic, so they may be cut, mangled,
macro placeholders nobody filled in (``${GDPR_CONSENT_755}``), or simply
not what their parameter name promises. A report must say so plainly
("undecodable TCF string: ...") instead of crashing or staying silent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Undecodable:
    format: str  # "TCF v2", "US Privacy", "GPP", "Google gcs", ...
    raw: str
    reason: str

    def describe(self) -> str:
        return f"undecodable {self.format} value: {self.reason}"


def unfilled_macro(value: str) -> bool:
    """``${GDPR_CONSENT_123}``, ``%%GDPR%%``, ``{gdpr_consent}``: a template
    placeholder sent as is, so the recipient got no consent string at all."""
    v = value.strip()
    return (
        (v.startswith("${") and v.endswith("}"))
        or (v.startswith("%%") and v.endswith("%%"))
        or (v.startswith("{") and v.endswith("}") and v[1:-1].replace("_", "").isalnum())
    )
