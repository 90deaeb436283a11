"""Reading an Apple privacy manifest (``PrivacyInfo.xcprivacy``).

XML or binary property list, read with :mod:`plistlib` (which refuses XML
entity declarations, so no entity expansion), then checked against
``privacy-manifest.schema.json`` by :mod:`flowaudit.shape`, whose messages
name the key, its line and the fix. Keys and value types are Apple's:
https://developer.apple.com/documentation/bundleresources/privacy-manifest-files
(Sentry's manifest once held its purposes as a string, fixed upstream in
getsentry/sentry-cocoa#3276: such a file is refused, with that fix.)
"""

from __future__ import annotations

from typing import Any

from flowaudit import shape
from flowaudit.errors import FlowauditError
from flowaudit.problems import describe
from flowaudit.shape import Shape
from flowaudit.stores.kinds import BINARY_MAGIC
from flowaudit.stores.model import AppleItem, AppleManifest, Place
from flowaudit.stores.plistlines import xml_lines
from flowaudit.stores.reading import read_bounded
from flowaudit.yamlsource import YamlDoc, YamlPath

_LINT = "check it with `plutil -lint`, or open and save it in Xcode"
PRIVACY_MANIFEST = Shape("flowaudit.stores", "privacy-manifest.schema.json", whole="the manifest", syntax="plist")
COLLECTED = "NSPrivacyCollectedDataTypes"
DOMAINS = "NSPrivacyTrackingDomains"
# A privacy manifest nests four levels (dict > array > dict > array); anything far
# deeper is not one, and describing it in an error could cost without bound.
MAX_DEPTH = 16


def read_manifest(path: str) -> AppleManifest:
    """Read, check and keep every item with its place; any problem is a :class:`FlowauditError`."""
    import plistlib  # here, not at the top: an audit without a manifest does not load it
    from xml.parsers.expat import ExpatError

    raw, sha256 = read_bounded(path, "a privacy manifest")
    binary = raw.startswith(BINARY_MAGIC)
    try:
        value: Any = plistlib.loads(raw, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML)
        if _depth(value) > MAX_DEPTH:
            raise FlowauditError(
                f"nested deeper than {MAX_DEPTH} levels: not a privacy manifest", path=path, hint=_LINT
            )
        lines = {} if binary else xml_lines(raw)
    except ExpatError as err:
        raise FlowauditError(
            f"not a valid XML property list: {err}",
            path=path,
            line=err.lineno,
            hint=_LINT,
        ) from None
    except RecursionError:
        raise FlowauditError(
            f"nested deeper than {MAX_DEPTH} levels: not a privacy manifest", path=path, hint=_LINT
        ) from None
    except (plistlib.InvalidFileException, ValueError, OverflowError, IndexError, KeyError) as err:
        raise FlowauditError(
            f"not a valid {'binary' if binary else 'XML'} property list: {err or type(err).__name__}",
            path=path,
            hint=_LINT,
        ) from None
    doc = YamlDoc(path, value, lines)
    shape.check(doc, PRIVACY_MANIFEST)
    return _manifest(doc, binary, sha256)


def _depth(value: Any) -> int:
    """How deep containers nest in ``value``, counted without recursion (hostile input)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            children = current.values() if isinstance(current, dict) else current
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _manifest(doc: YamlDoc, binary: bool, sha256: str) -> AppleManifest:
    def place(*where: object) -> Place:
        return Place(doc.path, None if binary else doc.line_of(where), key_path(where))

    value: dict[str, Any] = doc.value
    items = tuple(
        AppleItem(
            type_id=entry["NSPrivacyCollectedDataType"],
            linked=entry["NSPrivacyCollectedDataTypeLinked"],
            tracking=entry["NSPrivacyCollectedDataTypeTracking"],
            purposes=tuple(entry["NSPrivacyCollectedDataTypePurposes"]),
            place=place(COLLECTED, index),
            tracking_place=place(COLLECTED, index, "NSPrivacyCollectedDataTypeTracking"),
        )
        for index, entry in enumerate(value.get(COLLECTED, []))
    )
    domains = tuple((domain, place(DOMAINS, index)) for index, domain in enumerate(value.get(DOMAINS, [])))
    return AppleManifest(
        path=doc.path,
        tracking=value.get("NSPrivacyTracking"),
        tracking_domains=domains,
        items=items,
        collected_place=place(COLLECTED) if COLLECTED in value else place(),
        domains_place=place(DOMAINS) if DOMAINS in value else place(),
        sha256=sha256,
    )


def key_path(where: YamlPath) -> str:
    """``NSPrivacyCollectedDataTypes[2].NSPrivacyCollectedDataTypeTracking``: a place as messages write it."""
    return describe(where, "(root)").strip("`")
