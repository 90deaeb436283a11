"""Every mistake in a declaration is one FlowauditError at the right line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowaudit.declaration import EntityCatalog, load_declaration
from flowaudit.errors import FlowauditError

Write = Callable[[str], Path]


def fails(path: Path, catalog: EntityCatalog) -> FlowauditError:
    with pytest.raises(FlowauditError) as caught:
        load_declaration(str(path), catalog)
    assert caught.value.path == str(path)
    return caught.value


def test_typo_in_a_top_level_key(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("app: Acme\n\nrecipents:\n  - entity: Stripe\n"), catalog)
    assert error.line == 3
    assert error.message == "unknown key 'recipents' (did you mean 'recipients'?)"
    assert error.hint is not None and "first_party" in error.hint
    assert str(error).startswith(f"{error.path}:3: unknown key 'recipents'")


def test_typo_in_a_recipient_key(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file(
        """\
        recipients:
          - entity: Stripe
            data: [contact.email]
          - entity: Mixpanel
            purpose: [analytics]
        """
    )
    error = fails(path, catalog)
    assert error.line == 5
    assert error.message == "unknown key 'purpose' (did you mean 'purposes'?) in `recipients[1]`"


def test_unknown_key_without_a_close_match(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("canaries:\n  email: a@b.example\n  shoe_size: 44\n"), catalog)
    assert error.line == 3
    assert error.message == "unknown key 'shoe_size' in `canaries`"


def test_unknown_entity_suggests_and_explains_domains(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file(
        """\
        app: Acme
        recipients:
          - role: third_party
            entity: Mixpannel
            data: [usage]
        """
    )
    error = fails(path, catalog)
    assert error.line == 4
    assert error.message == "unknown entity 'Mixpannel': not in the catalog. Did you mean: Mixpanel?"
    assert error.hint is not None and "`domains: [api.example.com]`" in error.hint


def test_unknown_entity_with_domains_is_a_custom_entity(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file("recipients: [{entity: Mixpannel, domains: [api.mixpannel.example]}]\n")
    (recipient,) = load_declaration(path, catalog).recipients
    assert (recipient.name, recipient.kind, recipient.entity_id) == ("Mixpannel", "custom", None)


def test_invalid_yaml(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file(
        """\
        app: Acme
        recipients:
          - entity: Stripe
            data: [contact.email
          - entity: Mixpanel
        """
    )
    error = fails(path, catalog)
    assert error.line == 5
    assert error.message == "invalid YAML (column 11): expected ',' or ']', but got ':'"
    assert error.hint is not None and "while parsing a flow sequence that starts at line 4" in error.hint


def test_duplicate_key(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("app: Acme\nrecipients: []\napp: Other\n"), catalog)
    assert error.line == 3
    assert error.message == "duplicate key 'app' (first at line 1)"


def test_recipients_given_as_a_name(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("app: Acme\nrecipients: Stripe\n"), catalog)
    assert error.line == 2
    assert error.message == "`recipients` must be a list, not 'Stripe'"
    assert error.hint == "write one list item per recipient: `recipients: [{entity: Stripe}]`"


def test_recipient_given_as_a_bare_name(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("recipients:\n  - entity: Mixpanel\n  - Stripe\n"), catalog)
    assert error.line == 3
    assert error.message == "`recipients[1]` must be a mapping (`key: value` lines), not 'Stripe'"


def test_unknown_data_type(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file(
        """\
        recipients:
          - entity: Stripe
            data:
              - contact.email
              - contact.emial
        """
    )
    error = fails(path, catalog)
    assert error.line == 5
    assert error.message.startswith(
        "unknown data type 'contact.emial' in `recipients[0].data`. Did you mean: contact.email"
    )
    assert error.hint is not None and "usage" in error.hint


def test_bare_member_name_as_data_type(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("recipients: [{entity: Stripe, data: [email]}]\n"), catalog)
    assert error.message == "unknown data type 'email' in `recipients[0].data`. Did you mean: contact.email?"


def test_bad_audience(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("app: Acme\naudience: childrens\n"), catalog)
    assert error.line == 2
    assert error.message == "`audience` must be one of: general, children; not 'childrens'"
    assert error.hint == "did you mean 'children'?"


def test_missing_file(catalog: EntityCatalog, tmp_path: Path) -> None:
    error = fails(tmp_path / "flowaudit.yml", catalog)
    assert error.message == "file not found"
    assert error.line is None


@pytest.mark.parametrize("text", ["", "\n", "# to do\n", "{}\n"])
def test_empty_file(catalog: EntityCatalog, declaration_file: Write, text: str) -> None:
    error = fails(declaration_file(text), catalog)
    assert error.message == "the declaration is empty"
    assert error.hint is not None and "recipients: []" in error.hint


def test_not_utf8(catalog: EntityCatalog, tmp_path: Path) -> None:
    path = tmp_path / "flowaudit.yml"
    path.write_bytes("app: Acme\ncanaries:\n  name: Ren\xe9e Doe\n".encode("cp1252"))
    error = fails(path, catalog)
    assert error.line == 3
    assert error.message == "not UTF-8 text: byte 0xe9 cannot be decoded"


def test_not_a_mapping(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("- entity: Stripe\n"), catalog)
    assert error.line == 1
    assert error.message == "the declaration must be a mapping (`key: value` lines), not [{entity: Stripe}]"


def test_recipient_without_entity_or_domains(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file("recipients:\n  - entity: Stripe\n  - role: processor\n    data: [usage]\n")
    error = fails(path, catalog)
    assert error.line == 3
    assert error.message.startswith("`recipients[1]` must be a recipient with `entity:`")


def test_blank_entity(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("recipients:\n  - entity: '  '\n"), catalog)
    assert error.line == 2
    assert error.message.startswith("`recipients[0].entity` must be a catalog company or service")


def test_same_entity_twice(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file("recipients:\n  - entity: Stripe\n    data: [contact]\n  - entity: stripe\n")
    error = fails(path, catalog)
    assert error.line == 4
    assert error.message == "'stripe' is declared twice (first at line 2)"


@pytest.mark.parametrize(
    "bad", ["https://metrics.example.net", "metrics.example.net/track", "*.example.net", "localhost", "a b.example"]
)
def test_domain_must_be_a_host_name(catalog: EntityCatalog, declaration_file: Write, bad: str) -> None:
    error = fails(declaration_file(f"app: Acme\nfirst_party:\n  - acme.example\n  - '{bad}'\n"), catalog)
    assert error.line == 4
    assert error.message.startswith("`first_party[1]` must be a domain name such as api.example.com")


def test_unquoted_phone_becomes_a_number(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("canaries:\n  phone: +15550100\n"), catalog)
    assert error.line == 2
    assert error.message == "`canaries.phone` must be text, not the number 15550100"
    assert error.hint == "put the value in quotes to keep it as text"


@pytest.mark.parametrize(
    ("location", "what"),
    [("[91, 2.35]", "a latitude"), ("[48.85, -181]", "a longitude"), ("[48.85]", "[latitude, longitude]")],
)
def test_location_ranges(catalog: EntityCatalog, declaration_file: Write, location: str, what: str) -> None:
    error = fails(declaration_file(f"canaries:\n  email: jane@example.com\n  location: {location}\n"), catalog)
    assert error.line == 3
    assert f"must be {what}" in error.message


def test_short_canary_is_refused(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("canaries:\n  custom:\n    initials: JD\n"), catalog)
    assert error.line == 3
    assert error.message.startswith("`canaries.custom.initials` must be a planted value of at least 3 characters")


def test_custom_canary_type_must_be_one_data_type(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file("canaries:\n  custom:\n    condition:\n      value: type 2 diabetes\n      type: health\n")
    error = fails(path, catalog)
    assert error.line == 5
    assert error.message == "canary type 'health' is a group: name one data type (health.health, health.fitness)"
    path = declaration_file("canaries:\n  custom:\n    condition: {value: type 2 diabetes, type: health.helth}\n")
    error = fails(path, catalog)
    assert error.line == 3
    assert error.message == "unknown data type 'health.helth'. Did you mean: health.health, health.fitness?"


def test_consent_category_typo(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("consent:\n  required_for: [advertising, analytic]\n"), catalog)
    assert error.line == 2
    assert error.message.startswith("`consent.required_for[1]` must be one of: advertising, analytics,")
    assert error.hint == "did you mean 'analytics'?"


def test_yes_no_value_where_text_belongs(catalog: EntityCatalog, declaration_file: Write) -> None:
    error = fails(declaration_file("app: yes\n"), catalog)
    assert error.message == "`app` must be text, not true (a yes/no value)"


def test_first_problem_by_line_is_reported_and_the_rest_counted(
    catalog: EntityCatalog, declaration_file: Write
) -> None:
    path = declaration_file(
        """\
        app: Acme
        recipients:
          - entity: Stripe
            data: [contact.emial]
          - entity: Mixpannel
        audience: kids
        """
    )
    error = fails(path, catalog)  # the schema problem at line 6 comes before catalog and vocabulary checks
    assert error.line == 6
    assert error.message.startswith("`audience` must be one of")
    path = declaration_file(
        """\
        recipients:
          - entity: Mixpannel
          - entity: Stripe
            data: [contact.emial, financial.paymnt]
        """
    )
    error = fails(path, catalog)
    assert error.line == 2
    assert error.message.startswith("unknown entity 'Mixpannel'")
    assert error.hint is not None and error.hint.endswith("; 2 more problems in this file after this one")
