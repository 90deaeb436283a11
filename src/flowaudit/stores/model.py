"""What the store declarations say, as frozen values the engine reads.

Every item keeps the place it was written (:class:`Place`): the file, its
line (None in a binary plist, which has none) and the key, so a finding about
it can be shown on the manifest or the CSV itself. Several Apple manifests
(the app's and each SDK's) are kept apart, each item with its own file, and
read merged the way Xcode's privacy report merges them: a type any of them
declares is declared, tracking is on when any says so, the tracking domains
are all of theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    path: str  # the file as the user named it (or as found in a folder)
    line: int | None  # 1-based; None where the file has no lines (a binary plist)
    key: str  # "NSPrivacyCollectedDataTypes[2].NSPrivacyCollectedDataTypeTracking", "PSL_DATA_TYPES_PERSONAL/PSL_EMAIL"

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.key})" if self.line else f"{self.path} ({self.key})"


@dataclass(frozen=True, slots=True)
class AppleItem:
    """One entry of ``NSPrivacyCollectedDataTypes``."""

    type_id: str  # as written: NSPrivacyCollectedDataTypeEmailAddress (or anything else an SDK wrote)
    linked: bool
    tracking: bool
    purposes: tuple[str, ...]
    place: Place  # the entry
    tracking_place: Place  # its NSPrivacyCollectedDataTypeTracking key


@dataclass(frozen=True, slots=True)
class AppleManifest:
    path: str
    tracking: bool | None  # NSPrivacyTracking; None when absent
    tracking_domains: tuple[tuple[str, Place], ...]  # as written, each with its place
    items: tuple[AppleItem, ...]
    collected_place: Place  # the NSPrivacyCollectedDataTypes key (or the file's root when absent)
    domains_place: Place  # the NSPrivacyTrackingDomains key (or the root)
    sha256: str


@dataclass(frozen=True, slots=True)
class PlayType:
    """One data type a Data safety CSV ticks."""

    type_id: str  # PSL_EMAIL
    collected: bool
    shared: bool
    place: Place  # its PSL_DATA_TYPES_* row
    sharing_place: Place  # its PSL_DATA_USAGE_COLLECTION_AND_SHARING answer (or its type row)
    purposes: tuple[str, ...] = ()  # collection and sharing purposes ticked


@dataclass(frozen=True, slots=True)
class PlayAnswers:
    path: str
    collects: bool | None  # PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA; None when blank
    types: tuple[PlayType, ...]  # the ticked ones
    collects_place: Place
    type_rows: tuple[tuple[str, Place], ...]  # every data-type row, ticked or not: where each would be ticked
    sha256: str

    def row_of(self, type_id: str) -> Place:
        """Where ``type_id`` is (or would be) ticked."""
        return next((place for found, place in self.type_rows if found == type_id), self.collects_place)


@dataclass(frozen=True, slots=True)
class StoreDeclaration:
    """Every store file given, in the order read (the app's manifest first)."""

    apple: tuple[AppleManifest, ...] = ()
    play: tuple[PlayAnswers, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.apple or self.play)

    def apple_items(self) -> Iterator[AppleItem]:
        for manifest in self.apple:
            yield from manifest.items

    def play_types(self) -> Iterator[PlayType]:
        for answers in self.play:
            yield from answers.types

    def tracking_domains(self) -> Iterator[tuple[str, Place]]:
        for manifest in self.apple:
            yield from manifest.tracking_domains
