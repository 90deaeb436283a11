"""The data type of a custom canary declared without one.

A tester plants a custom canary because the app handles something specific
to it: a condition, a diary entry, a loyalty number. When the declaration
does not say what it is, the value's format and the label's words decide
(``condition: "type 2 diabetes"`` is health data); a canary neither tells
about is taken as ``sensitive.traits``, the type that data-types.yml marks
as needing human review and always shown with its evidence, so that an
unexplained planted value reaching a third party is looked at rather than
waved through as mere usage data.
"""

from __future__ import annotations

import re

FALLBACK = "sensitive.traits"

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?[0-9][0-9 ().-]{6,}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_WORD = re.compile(r"[a-z0-9]+")

# Label words, in priority order: the first type with a word in the label wins.
_LABEL_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "health.health",
        frozenset(
            "condition diagnosis disease illness symptom symptoms medication medications medicine drug drugs"
            " prescription glucose insulin diabetes pregnancy pregnant ovulation menstrual cycle blood heart"
            " hiv cancer therapy mental depression anxiety allergy allergies health medical patient"
            " doctor".split()
        ),
    ),
    ("health.fitness", frozenset("weight steps workout exercise sleep fitness calories bmi height run".split())),
    ("sensitive.traits", frozenset("religion ethnicity race sexual orientation political union belief".split())),
    ("contact.email", frozenset("email mail".split())),
    ("contact.phone", frozenset("phone mobile tel telephone msisdn".split())),
    ("contact.address", frozenset("address street city zip postcode postal".split())),
    ("contact.name", frozenset("name firstname lastname surname".split())),
    ("contact.other", frozenset("birthday birthdate dob gender age".split())),
    ("identifiers.advertising_id", frozenset("idfa gaid aaid adid advertising".split())),
    ("identifiers.device_id", frozenset("device idfv android".split())),
    ("identifiers.user_id", frozenset("user userid account customer member username login".split())),
    ("financial.payment", frozenset("card iban payment".split())),
    ("financial.purchase", frozenset("purchase order product".split())),
    ("usage.search", frozenset("search query".split())),
    ("user_content.messages", frozenset("message note diary journal comment".split())),
)


def infer_custom_type(label: str, value: str) -> str:
    """A custom canary's data type: an email value, the label's words, an id or phone value, else the fallback."""
    if _EMAIL.fullmatch(value):
        return "contact.email"
    words = set(_WORD.findall(_split_camel(label).lower()))
    words.add("".join(_WORD.findall(label.lower())))
    for data_type, keys in _LABEL_WORDS:
        if words & keys:
            return data_type
    if _UUID.fullmatch(value):
        return "identifiers.device_id"
    if value.startswith("+") and _PHONE.fullmatch(value):
        return "contact.phone"
    return FALLBACK


def _split_camel(label: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label)
