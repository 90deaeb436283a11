"""Decoders for consent signals: each a pure function from the text found on
the wire to a frozen value, or to :class:`Undecodable` with the reason.
None of them raises on bad input."""

from flowaudit.consent.signals.flags import (
    decode_att_status,
    decode_data_processing_options,
    decode_switch,
    is_zero_id,
)
from flowaudit.consent.signals.google import decode_dma, decode_dma_cps, decode_gcd, decode_gcs
from flowaudit.consent.signals.gpp import decode_gpp, decode_usnat
from flowaudit.consent.signals.tcf import decode_tcf
from flowaudit.consent.signals.undecodable import Undecodable
from flowaudit.consent.signals.usprivacy import decode_us_privacy

__all__ = [
    "Undecodable",
    "decode_att_status",
    "decode_data_processing_options",
    "decode_dma",
    "decode_dma_cps",
    "decode_gcd",
    "decode_gcs",
    "decode_gpp",
    "decode_switch",
    "decode_tcf",
    "decode_us_privacy",
    "decode_usnat",
    "is_zero_id",
]
