"""The app maker's declaration (``flowaudit.yml``): who may receive what.

Use :func:`load_declaration`; the format is in docs/contract.md ("Declaration
file") and, key by key, in ``schema.json`` beside this module.
"""

from flowaudit.declaration.loader import EntityCatalog, load_declaration
from flowaudit.declaration.model import (
    DEFAULT_CONSENT_CATEGORIES,
    Canaries,
    CustomCanary,
    Declaration,
    DeclaredRecipient,
)

__all__ = [
    "DEFAULT_CONSENT_CATEGORIES",
    "Canaries",
    "CustomCanary",
    "Declaration",
    "DeclaredRecipient",
    "EntityCatalog",
    "load_declaration",
]
