"""Generic detectors: data types recognised by key names, formats and terms,
for traffic no vendor adapter describes."""

from flowaudit.payload.detectors.generic import detect_generic, strongest

__all__ = ["detect_generic", "strongest"]
