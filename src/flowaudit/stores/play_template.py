"""The rows of Google Play's Data safety CSV, as Play Console exports and imports it.

Google publishes no copy of the template under a licence that allows
shipping it, so these rows are built from Google's documentation of the
form (https://support.google.com/googleplay/android-developer/answer/10787469:
its questions, data types and purposes) with the machine-readable ids as
Play Console's export writes them, checked against a real export
(tests/data/stores/play/fairemail, FairEmail's, 2023: same ids, order and
requirements, labels as it writes them; only its deletion question predates
the questions the template has, tests/data/stores/README.md). The data-type rows come from
``rules/data-types.yml`` (``stores.play``), so the ids live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flowaudit.stores.kinds import PLAY_FIRST_COLUMN
from flowaudit.stores.mapping import load_mapping

HEADER = (
    PLAY_FIRST_COLUMN,
    "Response ID (machine readable)",
    "Response value",
    "Answer requirement",
    "Human-friendly question label",
)
COLLECTS = "PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA"
ENCRYPTED = "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT"
USAGE = "PSL_DATA_USAGE_RESPONSES"
SHARING_QUESTION = "PSL_DATA_USAGE_COLLECTION_AND_SHARING"
COLLECTED = "PSL_DATA_USAGE_ONLY_COLLECTED"
SHARED = "PSL_DATA_USAGE_ONLY_SHARED"
EPHEMERAL = "PSL_DATA_USAGE_EPHEMERAL"
USER_CONTROL = "DATA_USAGE_USER_CONTROL"
COLLECTION_PURPOSE = "DATA_USAGE_COLLECTION_PURPOSE"
SHARING_PURPOSE = "DATA_USAGE_SHARING_PURPOSE"
DATA_TYPES_PREFIX = "PSL_DATA_TYPES_"

# Purposes, in the form's order: "App functionality", "Analytics", "Developer
# communications", "Fraud prevention, security, and compliance", "Advertising
# or marketing", "Personalization", "Account management".
PURPOSES: tuple[tuple[str, str], ...] = (
    ("PSL_APP_FUNCTIONALITY", "App functionality"),
    ("PSL_ANALYTICS", "Analytics"),
    ("PSL_DEVELOPER_COMMUNICATIONS", "Developer communications"),
    ("PSL_FRAUD_PREVENTION_SECURITY", "Fraud prevention, security, and compliance"),
    ("PSL_ADVERTISING", "Advertising or marketing"),
    ("PSL_PERSONALIZATION", "Personalization"),
    ("PSL_ACCOUNT_MANAGEMENT", "Account management"),
)

# The questions about the app as a whole, before the data types.
_GENERAL: tuple[tuple[str, str, str, str], ...] = (
    (COLLECTS, "", "REQUIRED", "Does your app collect or share any of the required user data types?"),
    (ENCRYPTED, "", "MAYBE_REQUIRED", "Is all of the user data collected by your app encrypted in transit?"),
    (
        "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS",
        "PSL_ACM_USER_ID_PASSWORD",
        "MULTIPLE_CHOICE",
        "Which of the following methods of account creation does your app support? / Username and password",
    ),
    (
        "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS",
        "PSL_ACM_USER_ID_OTHER_AUTH",
        "MULTIPLE_CHOICE",
        "Which of the following methods of account creation does your app support? / Username and other authentication",
    ),
    (
        "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS",
        "PSL_ACM_USER_ID_PASSWORD_OTHER_AUTH",
        "MULTIPLE_CHOICE",
        "Which of the following methods of account creation does your app support? / "
        "Username, password and other authentication",
    ),
    (
        "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS",
        "PSL_ACM_OAUTH",
        "MULTIPLE_CHOICE",
        "Which of the following methods of account creation does your app support? / OAuth",
    ),
    (
        "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS",
        "PSL_ACM_OTHER",
        "MULTIPLE_CHOICE",
        "Which of the following methods of account creation does your app support? / Other",
    ),
    (
        "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS",
        "PSL_ACM_NONE",
        "MULTIPLE_CHOICE",
        "Which of the following methods of account creation does your app support? / My app does not allow users "
        "to create an account",
    ),
    ("PSL_ACM_SPECIFY", "", "MAYBE_REQUIRED", "Specify the other method of account creation"),
    ("PSL_ACCOUNT_DELETION_URL", "", "MAYBE_REQUIRED", "Account deletion link"),
    (
        "PSL_SUPPORT_DATA_DELETION_BY_USER",
        "DATA_DELETION_YES",
        "SINGLE_CHOICE",
        "Do you provide a way for users to request that their data is deleted? / Yes",
    ),
    (
        "PSL_SUPPORT_DATA_DELETION_BY_USER",
        "DATA_DELETION_NO",
        "SINGLE_CHOICE",
        "Do you provide a way for users to request that their data is deleted? / No",
    ),
    (
        "PSL_SUPPORT_DATA_DELETION_BY_USER",
        "DATA_DELETION_NO_AUTO_DELETED",
        "SINGLE_CHOICE",
        "Do you provide a way for users to request that their data is deleted? / No, data is deleted automatically",
    ),
    ("PSL_DATA_DELETION_URL", "", "MAYBE_REQUIRED", "Data deletion link"),
    # Requirement and label as a real export has them (tests/data/stores/play/fairemail).
    (
        "PSL_DATA_COLLECTION_COMPLIES_FAMILY_POLICY",
        "",
        "OPTIONAL",
        "Only answer this question if you've indicated that your app's target age group includes children, or "
        "you've opted into the Designed for Families program. If either of the above is true, you are required to "
        "follow the Google Play Families Policy (https://support.google.com/googleplay/android-developer/answer/9893335)"
        ". Do you want to let users know about this commitment in the Data safety section on your store listing?",
    ),
    (
        "PSL_INDEPENDENTLY_VALIDATED",
        "",
        "OPTIONAL",
        "Has your app been independently validated against a global security standard?",
    ),
    ("PSL_UPI_BADGE_OPT_IN", "", "OPTIONAL", "Show the UPI badge on your store listing?"),
    (
        "PSL_HAS_OUTSIDE_APP_ACCOUNTS",
        "",
        "OPTIONAL",
        "Can users log in to your app with accounts created outside of the app?",
    ),
    (
        "PSL_OUTSIDE_APP_ACCOUNT_TYPES",
        "PSL_LOGIN_WITH_OUTSIDE_APP_ID",
        "MULTIPLE_CHOICE",
        "Which accounts created outside the app can users log in with? / An account from another app or service",
    ),
    (
        "PSL_OUTSIDE_APP_ACCOUNT_TYPES",
        "PSL_LOGIN_THROUGH_EMPLOYMENT_OR_ENTERPRISE_ACCOUNT",
        "MULTIPLE_CHOICE",
        "Which accounts created outside the app can users log in with? / An employment or enterprise account",
    ),
    (
        "PSL_OUTSIDE_APP_ACCOUNT_TYPES",
        "PSL_OUTSIDE_APP_ACCOUNT_TYPE_OTHER",
        "MULTIPLE_CHOICE",
        "Which accounts created outside the app can users log in with? / Other",
    ),
    ("PSL_OUTSIDE_APP_ACCOUNT_TYPE_SPECIFY", "", "MAYBE_REQUIRED", "Specify the other kind of account"),
)


@dataclass(frozen=True, slots=True)
class TemplateRow:
    question: str
    response: str
    requirement: str
    label: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.question, self.response)


def usage_question(type_id: str, part: str) -> str:
    """``PSL_DATA_USAGE_RESPONSES:PSL_EMAIL:PSL_DATA_USAGE_EPHEMERAL``: a question about one data type."""
    return f"{USAGE}:{type_id}:{part}"


@cache
def template_rows() -> tuple[TemplateRow, ...]:
    """Every row of the template, in the export's order: the general questions,
    the data types, then each data type's usage questions."""
    play = load_mapping().play
    rows = [TemplateRow(*general) for general in _GENERAL]
    # Labels as Play Console's export writes them (tests/data/stores/play/fairemail: a real export).
    rows += [TemplateRow(t.question or "", t.id, "MULTIPLE_CHOICE", _type_label(t.label)) for t in play]
    for t in play:
        name = t.label.rsplit(" / ", 1)[-1]
        usage = f"Data usage and handling ({name}) / "
        both = f"{usage}Is this data collected, shared, or both? / "
        control = f"{usage}Is this data required for your app, or can users choose whether it's collected? / "
        rows += [
            TemplateRow(usage_question(t.id, SHARING_QUESTION), COLLECTED, "MULTIPLE_CHOICE", f"{both}Collected"),
            TemplateRow(usage_question(t.id, SHARING_QUESTION), SHARED, "MULTIPLE_CHOICE", f"{both}Shared"),
            TemplateRow(
                usage_question(t.id, EPHEMERAL), "", "MAYBE_REQUIRED", f"{usage}Is this data processed ephemerally?"
            ),
            TemplateRow(
                usage_question(t.id, USER_CONTROL),
                "PSL_DATA_USAGE_USER_CONTROL_OPTIONAL",
                "SINGLE_CHOICE",
                f"{control}Users can choose whether this data is collected",
            ),
            TemplateRow(
                usage_question(t.id, USER_CONTROL),
                "PSL_DATA_USAGE_USER_CONTROL_REQUIRED",
                "SINGLE_CHOICE",
                f"{control}Data collection is required (users can't turn off this data collection)",
            ),
        ]
        for question, word in ((COLLECTION_PURPOSE, "collected"), (SHARING_PURPOSE, "shared")):
            rows += [
                TemplateRow(
                    usage_question(t.id, question),
                    purpose,
                    "MULTIPLE_CHOICE",
                    f"{usage}Why is this user data {word}? Select all that apply. / {purpose_name}",
                )
                for purpose, purpose_name in PURPOSES
            ]
    return tuple(rows)


def _type_label(label: str) -> str:
    """A data type's row label: "Category / Type"; a type named as its category
    ("Contacts") is written twice, as the export does ("Contacts / Contacts")."""
    return label if " / " in label else f"{label} / {label}"
