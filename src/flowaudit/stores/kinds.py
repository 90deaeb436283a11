"""What a store declaration file is, by its first bytes.

Every ``--declared`` path is sniffed, store file or not, so this module
imports none of the readers (:mod:`plistlib`, the CSV reader, the Play
template): an audit with only a ``flowaudit.yml`` loads none of them.
"""

from __future__ import annotations

BINARY_MAGIC = b"bplist00"  # a binary property list
PLAY_FIRST_COLUMN = "Question ID (machine readable)"  # of the Data safety CSV's header


def looks_like_manifest(head: bytes) -> bool:
    """A property list, by its first bytes (binary magic, or an XML plist's doctype/root)."""
    if head.startswith(BINARY_MAGIC):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"<?xml") and b"<plist" in head or text.startswith(b"<plist")


def looks_like_data_safety(head: bytes) -> bool:
    """The first line is the template's header."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip()
    return first.startswith(PLAY_FIRST_COLUMN.encode()) or first.startswith(f'"{PLAY_FIRST_COLUMN}"'.encode())
