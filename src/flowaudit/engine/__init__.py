"""The audit engine: plain Python, no mitmproxy, testable without a proxy."""

from flowaudit.engine.audit import Auditor

__all__ = ["Auditor"]
