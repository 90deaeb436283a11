"""The forms a planted phone number takes on the wire.

SDKs normalise phone numbers before sending or hashing them: Meta hashes
digits with the country code and no ``+``; Google's enhanced conversions use
E.164 with the ``+``; an app's own form may send the national number. To
write the national form, the country calling code must be split off, which
needs no table of numbering plans: calling codes form a prefix-free set,
with 1 and 7 the only one-digit codes and the two-digit codes listed below;
every other code has three digits (ITU-T E.164 assignments, see
https://www.itu.int/pub/T-SP-E.164D and
https://en.wikipedia.org/wiki/List_of_telephone_country_codes).
"""

from __future__ import annotations

from dataclasses import dataclass

_ONE_DIGIT = frozenset({"1", "7"})
_TWO_DIGITS = frozenset(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 "
    "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split()
)

# Shorter digit runs occur by chance in ids and timestamps.
MIN_DIGITS = 7


@dataclass(frozen=True, slots=True)
class PhoneForms:
    """Each form with what it is, most specific first: ``(text, description)``."""

    forms: tuple[tuple[str, str], ...]


def country_code(international: str) -> str:
    """The calling code at the start of an international number given as digits."""
    if international[:1] in _ONE_DIGIT:
        return international[:1]
    if international[:2] in _TWO_DIGITS:
        return international[:2]
    return international[:3]


def phone_forms(written: str) -> PhoneForms:
    """E.164, digits with country code, national significant number and the trunk-prefixed national form.

    A number written without ``+`` or ``00`` has no known country code: its
    digits are used as written (and without a leading trunk ``0``).
    """
    digits = "".join(c for c in written if c.isdigit())
    stripped = written.strip()
    forms: list[tuple[str, str]] = []
    if stripped.startswith("+") or digits.startswith("00"):
        international = digits[2:] if not stripped.startswith("+") else digits
        code = country_code(international)
        national = international[len(code) :]
        forms.append(("+" + international, "E.164"))
        forms.append((international, "digits with country code"))
        forms.append((national, "national number"))
        if code != "1":
            forms.append(("0" + national, "national number with trunk 0"))
    else:
        forms.append((digits, "digits"))
        if digits.startswith("0"):
            forms.append((digits[1:], "digits without trunk 0"))
    kept = tuple((text, how) for text, how in forms if sum(c.isdigit() for c in text) >= MIN_DIGITS)
    return PhoneForms(kept)
