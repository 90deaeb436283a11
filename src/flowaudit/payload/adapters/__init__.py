"""Vendor adapters: what documented fields of known tracking endpoints hold,
read from ``rules/adapters/<vendor>.yml``."""

from flowaudit.payload.adapters.loader import read_adapters
from flowaudit.payload.adapters.matcher import AdapterResult, Adapters, OptOut, load_adapters
from flowaudit.payload.adapters.model import Adapter, Endpoint, Field

__all__ = ["Adapter", "AdapterResult", "Adapters", "Endpoint", "Field", "OptOut", "load_adapters", "read_adapters"]
