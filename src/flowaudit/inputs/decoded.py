"""What one record of a flow file holds for the audit, however and wherever it was decoded.

Its own module, apart from :mod:`flowaudit.inputs.records` (which is
compiled): worker processes send it back pickled by its fields
(:class:`~flowaudit.pickled.PickledByFields`, a plain Python base), and a
slotted dataclass on such a base cannot be made a compiled class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flowaudit.model import Observation
from flowaudit.pickled import PickledByFields

__all__ = ["Decoded"]


@dataclass(frozen=True, slots=True)
class Decoded(PickledByFields):
    """What one record holds for the audit: its metadata (for the capture
    record and phase markers), its observation (None: not the app's traffic),
    and what the decoder read around (a field of the wrong type), for a warning.
    Worker processes send it back (:mod:`flowaudit.parallel`)."""

    metadata: Mapping[str, object]
    observation: Observation | None
    warnings: tuple[str, ...] = ()
