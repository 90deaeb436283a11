"""IAB US Privacy strings (CCPA): ``us_privacy=1YNN``.

Four characters: specification version, explicit notice given, user opted
out of sale, transaction covered by the LSPA; each of the last three is
``Y``, ``N`` or ``-`` (not applicable). ``1---`` says US privacy law does
not apply. Source: IAB Tech Lab, "U.S. Privacy String", version 1,
https://github.com/InteractiveAdvertisingBureau/USPrivacy/blob/master/CCPA/US%20Privacy%20String.md
(deprecated since January 2024 in favour of GPP, still common on the wire).
"""

from __future__ import annotations

from dataclasses import dataclass

from flowaudit.consent.signals.undecodable import Undecodable, unfilled_macro

FORMAT = "US Privacy"
_ANSWER = {"Y": "yes", "N": "no", "-": "n/a"}


@dataclass(frozen=True, slots=True)
class UsPrivacy:
    raw: str
    version: int
    notice: str  # "yes", "no", "n/a"
    opted_out: str  # "yes", "no", "n/a"
    lspa: str  # "yes", "no", "n/a"

    @property
    def applies(self) -> bool:
        return (self.notice, self.opted_out, self.lspa) != ("n/a", "n/a", "n/a")

    def summary(self) -> str:
        if not self.applies:
            return f"US Privacy string {self.raw}: US privacy law does not apply"
        said = "opted out of the sale of personal data" if self.opted_out == "yes" else "did not opt out of sale"
        return f"US Privacy string {self.raw}: user {said} (notice given: {self.notice})"


def decode_us_privacy(text: str) -> UsPrivacy | Undecodable:
    raw = text.strip()
    if unfilled_macro(raw):
        return Undecodable(FORMAT, text, "an unfilled macro placeholder, not a US Privacy string")
    if len(raw) != 4:
        return Undecodable(FORMAT, text, f"expected 4 characters, got {len(raw)}")
    if raw[0] != "1":
        return Undecodable(FORMAT, text, f"version {raw[0]!r} is not 1, the only version defined")
    letters = raw[1:].upper()
    for position, char in enumerate(letters, start=2):
        if char not in _ANSWER:
            return Undecodable(FORMAT, text, f"character {position} is {char!r}, not Y, N or -")
    return UsPrivacy(
        raw=raw,
        version=1,
        notice=_ANSWER[letters[0]],
        opted_out=_ANSWER[letters[1]],
        lspa=_ANSWER[letters[2]],
    )
