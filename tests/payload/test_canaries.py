"""Canary matching: every form a planted value travels in is found, and near misses are not."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote, quote_plus

import pytest

from flowaudit.declaration.model import Canaries, CustomCanary
from flowaudit.payload.canaries import CanaryMatcher
from flowaudit.payload.canaries.types import infer_custom_type
from flowaudit.payload.model import DecodedRequest, Detection, Layer, Leaf

EMAIL = "jane.doe@example.com"
MATCHER = CanaryMatcher(
    Canaries(
        email=EMAIL,
        phone="+33 6 12 34 56 78",
        name="Jane Doe",
        location=(48.8566, 2.3522),
        advertising_id="38400000-8cf0-11bd-b23e-10b96e40000d",
        custom=(CustomCanary("condition", "type 2 diabetes", None, 1),),
    )
)


def request(*values: str, layers: tuple[str, ...] = ()) -> DecodedRequest:
    """Leaves at ``body > json:v0``, ``v1``, ...; layers at ``blob > n``."""
    return DecodedRequest(
        tuple(Leaf("body", f"body > json:v{i}", ("json",), f"v{i}", v) for i, v in enumerate(values)),
        tuple(Layer("body", f"blob > {i}", ("gzip",), t) for i, t in enumerate(layers)),
    )


def found(*values: str, matcher: CanaryMatcher = MATCHER, layers: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(d.data_type, d.how) for d in matcher.scan(request(*values, layers=layers))]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# -- every form is found -------------------------------------------------------------


def test_email_plain_and_in_another_case() -> None:
    assert found(EMAIL) == [("contact.email", "the email canary")]
    assert found("Jane.Doe@Example.COM") == [("contact.email", "the email canary, in another letter case")]
    assert found(f'{{"user":"{EMAIL}"}}') == [("contact.email", "the email canary")]


def test_email_url_encoded() -> None:
    assert found(quote(EMAIL)) == [("contact.email", "the email canary, url-encoded")]
    assert found("%22" + quote(EMAIL).lower() + "%22") == [("contact.email", "the email canary, url-encoded")]
    assert found(quote(quote(EMAIL))) == [("contact.email", "the email canary, url-encoded twice")]


@pytest.mark.parametrize("prefix", [b"", b"x", b"xy", b'{"email":"', b"abcd"])
def test_email_base64_inside_a_longer_base64_string_at_every_alignment(prefix: bytes) -> None:
    raw = prefix + EMAIL.encode() + b'","n":1}'
    assert found(_b64(raw)) == [("contact.email", "the email canary, base64-encoded")]
    urlsafe = base64.urlsafe_b64encode(raw).decode()
    assert found(urlsafe)[0][0] == "contact.email"


def test_email_hex() -> None:
    assert found(EMAIL.encode().hex()) == [("contact.email", "the email canary, hex-encoded")]
    assert found(EMAIL.encode().hex().upper()) == [("contact.email", "the email canary, hex-encoded")]


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha256"])
def test_email_hashes_hex_either_case_and_base64(algorithm: str) -> None:
    digest = hashlib.new(algorithm, EMAIL.encode()).digest()
    what = f"{algorithm} of the email canary (normalised: trimmed, lowercased)"
    assert found(digest.hex()) == [("contact.email", f"{what}, hex")]
    assert found(digest.hex().upper()) == [("contact.email", f"{what}, hex")]
    assert found(_b64(digest)) == [("contact.email", f"{what}, base64")]
    assert found("em=" + _b64(digest).rstrip("=")) == [("contact.email", f"{what}, base64")]


def test_email_hash_of_the_normalised_form_when_written_otherwise() -> None:
    matcher = CanaryMatcher(Canaries(email="  Jane.Doe@Example.com "))
    sha = hashlib.sha256(EMAIL.encode()).hexdigest()
    assert found(sha, matcher=matcher) == [
        ("contact.email", "sha256 of the email canary (normalised: trimmed, lowercased), hex")
    ]


def test_gmail_form() -> None:
    matcher = CanaryMatcher(Canaries(email="Jane.Doe+test@googlemail.com"))
    assert found("janedoe@gmail.com", matcher=matcher) == [
        ("contact.email", "the email canary in gmail form (dots and +tag removed)")
    ]
    sha = hashlib.sha256(b"janedoe@gmail.com").hexdigest()
    assert found(sha, matcher=matcher) == [
        ("contact.email", "sha256 of the email canary (gmail form: dots and +tag removed), hex")
    ]


@pytest.mark.parametrize(
    ("wire", "how"),
    [
        ("+33612345678", "the phone canary (E.164)"),
        ("tel=%2B33612345678", "the phone canary (E.164), url-encoded"),
        ("33612345678", "the phone canary (digits with country code)"),
        ("0612345678", "the phone canary (national number with trunk 0)"),
        ("612345678", "the phone canary (national number)"),
        (hashlib.sha256(b"33612345678").hexdigest(), "sha256 of the phone canary (digits with country code), hex"),
        (hashlib.sha256(b"+33612345678").hexdigest(), "sha256 of the phone canary (E.164), hex"),
    ],
)
def test_phone_forms(wire: str, how: str) -> None:
    assert found(wire) == [("contact.phone", how)]


def test_name_whole_and_parts() -> None:
    assert found("Jane Doe") == [("contact.name", "the name canary")]
    assert found("name=Jane+Doe") == [("contact.name", "the name canary, url-encoded")]
    assert found("JANE DOE") == [("contact.name", "the name canary, in another letter case")]
    assert found("Dear Jane,") == [("contact.name", "the first name of the name canary (whole word)")]
    assert found(hashlib.sha256(b"doe").hexdigest()) == [
        ("contact.name", "sha256 of the last name of the name canary (lowercased), hex")
    ]


def test_advertising_id_forms() -> None:
    adid = "38400000-8cf0-11bd-b23e-10b96e40000d"
    data_type = "identifiers.advertising_id"
    assert found(adid.upper()) == [(data_type, "the advertising-id canary")]
    assert found(adid.replace("-", "")) == [(data_type, "the advertising-id canary without dashes")]
    raw = bytes.fromhex(adid.replace("-", ""))
    binary = (b"\x0a\x10" + raw + b"\x12\x03abc").decode("latin-1")
    assert found(layers=(binary,)) == [(data_type, "the advertising-id canary as 16 raw bytes")]
    assert found(hashlib.md5(adid.upper().encode()).hexdigest()) == [
        (data_type, "md5 of the advertising-id canary (upper-case), hex")
    ]


def test_custom_canary_with_inferred_type() -> None:
    assert found("type 2 diabetes") == [("health.health", "the custom canary 'condition'")]
    assert found("Type+2+Diabetes") == [("health.health", "the custom canary 'condition', url-encoded")]


@pytest.mark.parametrize(
    ("pair", "data_type", "how"),
    [
        ("48.8566,2.3522", "location.precise", "the location canary"),
        ("ll=48.857%2C2.352", "location.precise", "the location canary (rounded to 3 decimals), url-encoded"),
        ("48.856, 2.352", "location.precise", "the location canary (truncated to 3 decimals)"),
        ("@48.86,2.35,15z", "location.coarse", "the location canary (rounded to 2 decimals)"),
        ("48.856600;2.352200", "location.precise", "the location canary (rounded to 6 decimals)"),
    ],
)
def test_coordinates_as_one_text(pair: str, data_type: str, how: str) -> None:
    assert found(pair) == [(data_type, how)]


def test_coordinates_as_two_values() -> None:
    detections = MATCHER.scan(request("48.857", "other", "2.3522"))
    assert [(d.data_type, d.location, d.how) for d in detections] == [
        (
            "location.precise",
            "body > json:v0",
            "latitude of the location canary (rounded to 3 decimals), its longitude in the same request",
        ),
        ("location.precise", "body > json:v2", "longitude of the location canary, its latitude in the same request"),
    ]
    assert {d.data_type for d in MATCHER.scan(request("48.86", "2.35"))} == {"location.coarse"}
    assert {d.data_type for d in MATCHER.scan(request("48.85660000000001", "2.3522"))} == {"location.precise"}


# -- near misses are not found -------------------------------------------------------


@pytest.mark.parametrize(
    "near_miss",
    [
        "jane.doe@example.co",  # another domain
        "xjane.doe@example.com",  # a longer local part
        "mary.jane.doe@example.com",
        "jane.doe@example.com.au",  # a longer domain
        "jane.doe2@example.com",
        hashlib.sha256(b"jane.doe@example.org").hexdigest(),
        _b64(b"jane.doe@example.org and more text"),
    ],
)
def test_other_emails_are_not_the_canary(near_miss: str) -> None:
    assert [t for t, _ in found(near_miss) if t == "contact.email"] == []


@pytest.mark.parametrize(
    "near_miss",
    [
        "+33612345679",  # a digit off
        "1336123456789",  # inside a longer number
        "06123456780",
        "7612345678",
    ],
)
def test_other_numbers_are_not_the_phone(near_miss: str) -> None:
    assert found(near_miss) == []


@pytest.mark.parametrize(
    "near_miss",
    [
        "48.8576,2.3522",  # off by more than rounding
        "48.85,2.36",
        "-48.8566,2.3522",  # another hemisphere
        "148.8566,2.3522",
        "48.85661,2.35221",  # more precise and different
    ],
)
def test_other_coordinates_are_not_the_location(near_miss: str) -> None:
    assert found(near_miss) == []
    lat, lon = near_miss.split(",")
    assert MATCHER.scan(request(lat, lon)) == []


def test_other_words_are_not_the_name() -> None:
    assert found("Janet Doerr") == []
    assert found("Captain Janeway") == []  # a name part counts only as a whole word ...
    assert found("Mary Jane,")[0][0] == "contact.name"  # ... which it is here


def test_short_canaries_are_noted_not_searched() -> None:
    matcher = CanaryMatcher(Canaries(phone="123", custom=(CustomCanary("glucose", "182", None, 1),)))
    assert matcher.notes == (
        "phone canary '123' has too few digits to be searched",
        "custom canary 'glucose' ('182') is shorter than 4 characters: not searched (it would match by chance)",
    )
    assert matcher.empty and matcher.scan(request("182", "123")) == []


# -- placing and counting ------------------------------------------------------------


def test_a_leaf_hit_hides_the_same_occurrence_in_its_layers() -> None:
    decoded = DecodedRequest(
        (Leaf("body", "body > form:data > json:user.email", ("form", "json"), "email", EMAIL),),
        (
            Layer("body", "body", (), "data=" + quote_plus(f'{{"user":{{"email":"{EMAIL}"}}}}')),
            Layer("body", "body > form:data", ("form",), f'{{"user":{{"email":"{EMAIL}"}}}}'),
            Layer("body", "body > form:notes", ("form",), f"write to {EMAIL}"),  # another occurrence: kept
        ),
    )
    assert [(d.location, d.how) for d in MATCHER.scan(decoded)] == [
        ("body > form:data > json:user.email", "the email canary"),
        ("body > form:notes", "the email canary"),
    ]


def test_a_match_inside_a_longer_match_is_dropped() -> None:
    """'jane' (first name) inside the email, the national number inside E.164: one detection each."""
    assert found(EMAIL) == [("contact.email", "the email canary")]
    assert found("+33612345678") == [("contact.phone", "the phone canary (E.164)")]


def test_detection_fields_and_dedup() -> None:
    sha = hashlib.sha256(EMAIL.encode()).hexdigest()
    decoded = DecodedRequest(
        (
            Leaf("body", "body > form:ud[em]", ("form",), "ud[em]", sha),
            Leaf("body", "body > form:ud[em]", ("form",), "ud[em]", sha),  # repeated key: one detection
        ),
        (),
    )
    assert MATCHER.scan(decoded) == [
        Detection(
            data_type="contact.email",
            confidence="certain",
            part="body",
            location="body > form:ud[em]",
            decoding=("form",),
            how="sha256 of the email canary (normalised: trimmed, lowercased), hex",
            excerpt=f"{sha[:32]}…{sha[-12:]}",
            value=sha,
            detector="canary",
        )
    ]


def test_no_canaries() -> None:
    matcher = CanaryMatcher(Canaries())
    assert matcher.empty and matcher.notes == ()
    assert matcher.scan(request(EMAIL)) == []


@pytest.mark.parametrize(
    ("label", "value", "data_type"),
    [
        ("condition", "type 2 diabetes", "health.health"),
        ("diagnosis", "asthma", "health.health"),
        ("weightKg", "72.5", "health.fitness"),
        ("backup", "someone@example.org", "contact.email"),
        ("religion", "quaker", "sensitive.traits"),
        ("user_id", "user-4242", "identifiers.user_id"),
        ("idfa", "38400000-8cf0-11bd-b23e-10b96e40000d", "identifiers.advertising_id"),
        ("install", "38400000-8cf0-11bd-b23e-10b96e40000d", "identifiers.device_id"),
        ("secret", "+15550100", "contact.phone"),
        ("favourite", "blue whale", "sensitive.traits"),  # nothing tells: needs a human look
    ],
)
def test_custom_canary_type_inference(label: str, value: str, data_type: str) -> None:
    assert infer_custom_type(label, value) == data_type


@pytest.mark.parametrize(
    "encoded",
    [
        _b64(EMAIL.encode()),
        _b64(b'{"email":"' + EMAIL.encode() + b'"}'),
        _b64(hashlib.sha256(EMAIL.encode()).digest()),
        _b64(hashlib.md5(EMAIL.encode()).digest()),
    ],
)
def test_base64_forms_match_only_in_their_own_letter_case(encoded: str) -> None:
    """Base64 is case-exact: the letter-swapped string is other bytes, not the canary
    (hex and the plain email are matched in any case; base64 must not be)."""
    assert found(encoded)
    assert found(encoded.swapcase()) == []
