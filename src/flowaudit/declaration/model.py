"""What a declaration says, as frozen values the engine and reporters read.

Everything is already resolved and normalised here (catalog ids looked up,
data-type groups expanded, domains lower-cased) so that no later stage has to
know the file's spelling rules; ``line`` fields remain so that findings can
point back into ``flowaudit.yml`` (SARIF, editors).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowaudit.model import DeclarationFile
from flowaudit.stores.model import StoreDeclaration
from flowaudit.yamlsource import YamlDoc

# When a declaration does not mention consent: the categories that docs/contract.md
# names as having to wait for the user's consent.
DEFAULT_CONSENT_CATEGORIES: tuple[str, ...] = ("advertising", "analytics", "attribution", "social")


@dataclass(frozen=True, slots=True)
class DeclaredRecipient:
    name: str  # as written (the first domain for a recipient given by domains only)
    entity_id: str | None  # catalog company or service id; None for an entity the catalog lacks
    kind: str  # "company", "service" or "custom"
    domains: tuple[str, ...]  # as declared, lower-case; adds to the catalog's domains for a known entity
    role: str | None  # "processor", "third_party", or None when not stated
    purposes: tuple[str, ...]
    data: tuple[str, ...]  # data-type ids, groups expanded, in declaration order
    line: int  # line of this recipient's list item
    data_as_written: tuple[str, ...] = ()  # ids and group names as declared, for "declared but not seen"


@dataclass(frozen=True, slots=True)
class CustomCanary:
    label: str
    value: str  # numbers are kept as their text, which is how they appear on the wire
    data_type: str | None  # as given; None leaves it to the detector to infer
    line: int


@dataclass(frozen=True, slots=True)
class Canaries:
    """Values planted in the test account or device, to be recognised in traffic."""

    email: str | None = None
    phone: str | None = None
    name: str | None = None
    location: tuple[float, float] | None = None  # latitude, longitude
    advertising_id: str | None = None
    custom: tuple[CustomCanary, ...] = ()


@dataclass(frozen=True, slots=True)
class Declaration:
    path: str  # as the user named it: the flowaudit.yml, else the first store file
    app: str | None
    first_party: tuple[str, ...]  # lower-case domains; subdomains are included
    audience: str  # "general" or "children"
    recipients: tuple[DeclaredRecipient, ...]
    canaries: Canaries
    consent_required_for: tuple[str, ...]  # catalog categories
    redact: tuple[str, ...]  # extra header/parameter/key names to mask, as written
    source: YamlDoc | None = field(repr=False, compare=False)  # None: only store files were given
    # What the app's store declarations say (privacy manifests, Data safety answers).
    store: StoreDeclaration = field(default_factory=StoreDeclaration)
    files: tuple[DeclarationFile, ...] = ()  # every file read, in order

    @property
    def names_recipients(self) -> bool:
        """False when only store files were given: they declare data types, never who receives them."""
        return self.source is not None

    def line_of(self, *where: object) -> int | None:
        """Line of any entry, e.g. ``line_of("recipients")`` for where to add one (None without a flowaudit.yml)."""
        return self.source.line_of(where) if self.source is not None else None
