"""Valid declarations become resolved, normalised values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowaudit.catalog.loader import load_catalog
from flowaudit.declaration import (
    DEFAULT_CONSENT_CATEGORIES,
    Canaries,
    CustomCanary,
    DeclaredRecipient,
    EntityCatalog,
    load_declaration,
)
from flowaudit.errors import FlowauditError

Write = Callable[[str], Path]


def test_contract_example(catalog: EntityCatalog, declarations: Path) -> None:
    path = declarations / "contract-example.yml"
    declaration = load_declaration(str(path), catalog)
    assert declaration.path == str(path)
    assert declaration.app == "Acme Health"
    assert declaration.first_party == ("acmehealth.example",)
    assert declaration.audience == "general"
    assert declaration.recipients == (
        DeclaredRecipient(
            name="Stripe",
            entity_id="stripe",
            kind="company",
            domains=(),
            role="processor",
            purposes=("payments",),
            data=("contact.email", "financial.payment"),
            line=6,
            data_as_written=("contact.email", "financial.payment"),
        ),
        DeclaredRecipient(
            name="Example Metrics",
            entity_id=None,
            kind="custom",
            domains=("metrics.example.net",),
            role=None,
            purposes=(),
            data=("usage.interactions", "usage.search", "usage.advertising"),  # the "usage" group
            line=10,
            data_as_written=("usage",),
        ),
    )
    assert declaration.canaries == Canaries(
        email="jane.doe@example.com",
        phone="+15550100",
        name="Jane Doe",
        location=(48.8566, 2.3522),
        advertising_id="38400000-8cf0-11bd-b23e-10b96e40000d",
        custom=(CustomCanary("condition", "type 2 diabetes", None, 19),),
    )
    assert declaration.consent_required_for == ("advertising", "analytics", "attribution", "social")
    assert declaration.redact == ()
    assert declaration.line_of("recipients") == 5
    assert declaration.line_of("consent", "required_for") == 21


def test_cli_fixtures_resolve(catalog: EntityCatalog, declarations: Path) -> None:
    stripe = load_declaration(declarations / "stripe-only.yml", catalog)
    assert [(r.entity_id, r.kind) for r in stripe.recipients] == [("stripe", "company")]
    assert stripe.canaries.custom == (CustomCanary("condition", "type 2 diabetes", "health.health", 14),)
    mixpanel = load_declaration(declarations / "mixpanel.yml", catalog)
    (recipient,) = mixpanel.recipients
    assert recipient.entity_id == "mixpanel"
    assert recipient.data == ("usage.interactions", "usage.search", "usage.advertising")
    assert mixpanel.canaries.email == "jane.doe@example.com"


def test_service_entity_and_extra_domains(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file(
        """\
        recipients:
          - entity: firebase
            domains: [Collector.Example.COM]
            data: [identifiers.device_id, diagnostics]
        """
    )
    (recipient,) = load_declaration(path, catalog).recipients
    assert (recipient.name, recipient.entity_id, recipient.kind) == ("firebase", "google-firebase", "service")
    assert recipient.domains == ("collector.example.com",)
    assert recipient.data == ("identifiers.device_id", "diagnostics.crash", "diagnostics.performance")


def test_domains_only_recipient_is_named_by_its_first_domain(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file(
        """\
        app: x
        recipients:
          - domains: [Metrics.Example.net, cdn.example.org, metrics.example.net]
        """
    )
    (recipient,) = load_declaration(path, catalog).recipients
    assert recipient.name == "metrics.example.net"
    assert (recipient.entity_id, recipient.kind) == (None, "custom")
    assert recipient.domains == ("metrics.example.net", "cdn.example.org")  # lower-cased, repeats dropped
    assert recipient.data == ()
    assert recipient.line == 3


def test_repeated_data_types_collapse_in_order(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file("recipients: [{entity: Stripe, data: [contact.phone, contact, contact.email]}]\n")
    (recipient,) = load_declaration(path, catalog).recipients
    assert recipient.data == (
        "contact.phone",
        "contact.email",
        "contact.name",
        "contact.address",
        "contact.other",
    )


def test_defaults(catalog: EntityCatalog, declaration_file: Write) -> None:
    declaration = load_declaration(declaration_file("app: Only a name\n"), catalog)
    assert declaration.app == "Only a name"
    assert declaration.audience == "general"
    assert declaration.recipients == ()
    assert declaration.first_party == ()
    assert declaration.canaries == Canaries()
    assert declaration.consent_required_for == DEFAULT_CONSENT_CATEGORIES
    assert declaration.redact == ()


def test_no_recipients_at_all_is_a_valid_statement(catalog: EntityCatalog, declaration_file: Write) -> None:
    declaration = load_declaration(declaration_file("recipients: []\n"), catalog)
    assert declaration.recipients == ()
    assert declaration.app is None


def test_consent_can_be_required_for_nothing(catalog: EntityCatalog, declaration_file: Write) -> None:
    declaration = load_declaration(declaration_file("consent: {required_for: []}\n"), catalog)
    assert declaration.consent_required_for == ()


def test_children_audience_redact_and_custom_canaries(catalog: EntityCatalog, declaration_file: Write) -> None:
    path = declaration_file(
        """\
        audience: children
        redact: [X-Session, device_token]
        canaries:
          location: [-33, 151.2093]
          custom:
            glucose: 182
            condition:
              value: type 2 diabetes
              type: health.health
        """
    )
    declaration = load_declaration(path, catalog)
    assert declaration.audience == "children"
    assert declaration.redact == ("X-Session", "device_token")
    assert declaration.canaries.location == (-33.0, 151.2093)
    assert declaration.canaries.custom == (
        CustomCanary("glucose", "182", None, 6),
        CustomCanary("condition", "type 2 diabetes", "health.health", 7),
    )


def test_real_catalog_resolves_the_fixtures(declarations: Path) -> None:
    catalog = load_catalog()
    example = load_declaration(declarations / "contract-example.yml", catalog)
    stripe, custom = example.recipients
    assert (stripe.entity_id, stripe.kind) == ("stripe", "company")
    assert (custom.entity_id, custom.kind) == (None, "custom")
    (mixpanel,) = load_declaration(declarations / "mixpanel.yml", catalog).recipients
    assert (mixpanel.entity_id, mixpanel.kind) == ("mixpanel", "company")
    (only,) = load_declaration(declarations / "stripe-only.yml", catalog).recipients
    assert only.entity_id == "stripe"


def test_real_catalog_suggests_for_a_typo(declarations: Path, tmp_path: Path) -> None:
    catalog = load_catalog()
    path = tmp_path / "flowaudit.yml"
    path.write_text("recipients:\n  - entity: Mixpannel\n", encoding="utf-8")
    with pytest.raises(FlowauditError) as caught:
        load_declaration(path, catalog)
    assert caught.value.line == 2
    assert "Did you mean: Mixpanel" in caught.value.message
