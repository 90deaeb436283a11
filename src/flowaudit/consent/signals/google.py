"""Google consent mode, as Google tags put it on every hit.

- ``gcs=G1xy``: x is ad_storage, y analytics_storage; ``1`` granted, ``0``
  denied, ``-`` not set. ``G100`` means both denied.
- ``gcd=11p1p1p1p5``: one letter for each of ad_storage, analytics_storage,
  ad_user_data and ad_personalization (characters 3, 5, 7 and 9), saying
  both the default state and the update the site sent after the user chose.
- ``npa=1``: non-personalised ads requested.
- ``dma=1``: the request falls under the EU Digital Markets Act;
  ``dma_cps`` lists the Google core platform services consented to
  (``-`` for none).

Google's pages describe the consent types but do not publish the wire
grammar of ``gcs`` and ``gcd``; the reading below is the one documented by
practitioners who decoded it, and only the letters they agree on are
decoded (others are reported as unknown, not guessed):
https://www.perspection.app/library/google-consent-mode-v2-gcs-gcd-parameters-decoded
https://pietromingotti.com/consent-mode-parameters
Each letter's position in the base64url alphabet ``0-9a-zA-Z-_`` carries the
default in bits 2-3 and the update in bits 0-1 (1 not set, 2 denied,
3 granted), as the Analytics Debugger "Google Consent Parser" README
explains; the table below is that rule written out for the nine letters seen
in practice. Consent types: https://support.google.com/analytics/answer/12334711
"""

from __future__ import annotations

from dataclasses import dataclass

from flowaudit.consent.signals.undecodable import Undecodable

GCD_TYPES = ("ad_storage", "analytics_storage", "ad_user_data", "ad_personalization")
# letter -> (default, update); None: not set.
_GCD_LETTERS: dict[str, tuple[str | None, str | None]] = {
    "l": (None, None),
    "p": ("denied", None),
    "q": ("denied", "denied"),
    "t": ("granted", None),
    "r": ("denied", "granted"),
    "m": (None, "denied"),
    "n": (None, "granted"),
    "u": ("granted", "denied"),
    "v": ("granted", "granted"),
}
_GCS_STATE = {"1": "granted", "0": "denied", "-": None}


@dataclass(frozen=True, slots=True)
class ConsentType:
    name: str  # "ad_storage", ...
    default: str | None  # "granted", "denied", None (not set)
    update: str | None  # the state the site set after the user chose; None: no update
    known: bool = True  # False: a gcd letter outside the documented nine

    @property
    def state(self) -> str | None:
        """What is in force: the update when there was one, else the default."""
        return self.update if self.update is not None else self.default


@dataclass(frozen=True, slots=True)
class GoogleConsent:
    """A decoded ``gcs`` or ``gcd`` value: the state of each consent type."""

    parameter: str  # "gcs" or "gcd"
    raw: str
    types: tuple[ConsentType, ...]

    @property
    def updated(self) -> bool:
        """An update was sent: the site passed on a choice the user made."""
        return any(t.update is not None for t in self.types)

    @property
    def choice(self) -> str:
        """ "granted", "refused", "partial" or "not-set", over the types that are set."""
        states = {t.state for t in self.types if t.known and t.state is not None}
        if not states:
            return "not-set"
        if states == {"granted"}:
            return "granted"
        return "refused" if states == {"denied"} else "partial"

    def summary(self) -> str:
        parts = []
        for t in self.types:
            if not t.known:
                parts.append(f"{t.name} unknown")
            elif t.update is not None and t.default is not None:
                parts.append(f"{t.name} {t.default} by default, {t.update} by update")
            else:
                parts.append(f"{t.name} {t.state or 'not set'}")
        return f"Google consent mode {self.parameter}={self.raw}: " + ", ".join(parts)


def decode_gcs(text: str) -> GoogleConsent | Undecodable:
    raw = text.strip()
    if len(raw) != 4 or not raw.startswith("G1") or any(c not in _GCS_STATE for c in raw[2:]):
        return Undecodable("Google gcs", text, "expected G1 followed by two of 0, 1 or - (e.g. G100)")
    types = (
        ConsentType("ad_storage", _GCS_STATE[raw[2]], None),
        ConsentType("analytics_storage", _GCS_STATE[raw[3]], None),
    )
    return GoogleConsent("gcs", raw, types)


def decode_gcd(text: str) -> GoogleConsent | Undecodable:
    raw = text.strip()
    if len(raw) < 10 or not raw[0].isdigit() or not all(raw[i].isdigit() for i in (1, 3, 5, 7, 9)):
        return Undecodable("Google gcd", text, "expected digits and letters alternating, e.g. 11p1p1p1p5")
    types = []
    for name, letter in zip(GCD_TYPES, (raw[2], raw[4], raw[6], raw[8]), strict=True):
        known = _GCD_LETTERS.get(letter)
        if known is None and not letter.isalpha():
            return Undecodable("Google gcd", text, f"{letter!r} where a consent letter belongs")
        default, update = known if known else (None, None)
        types.append(ConsentType(name, default, update, known=known is not None))
    return GoogleConsent("gcd", raw, tuple(types))


@dataclass(frozen=True, slots=True)
class DmaConsent:
    raw: str
    applies: bool | None  # dma=1 / dma=0; None when only dma_cps was seen
    services: str | None  # dma_cps letters; "" for "-" (no service consented)

    def summary(self) -> str:
        if self.services is not None:
            given = self.services or "none"
            return f"Google DMA consent for core platform services: {given}"
        return "request subject to the EU Digital Markets Act" if self.applies else "request not subject to the DMA"


def decode_dma(text: str) -> DmaConsent | Undecodable:
    raw = text.strip()
    if raw not in ("0", "1"):
        return Undecodable("Google dma", text, "expected 0 or 1")
    return DmaConsent(raw, raw == "1", None)


def decode_dma_cps(text: str) -> DmaConsent | Undecodable:
    raw = text.strip()
    if raw == "-":
        return DmaConsent(raw, None, "")
    if not raw or not raw.isalpha() or not raw.islower():
        return Undecodable("Google dma_cps", text, "expected lower-case service letters or -")
    return DmaConsent(raw, None, raw)
