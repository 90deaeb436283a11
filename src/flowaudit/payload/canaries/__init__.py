"""Recognising the tester's planted values (docs/contract.md: ``canaries``) in every form they travel in."""

from flowaudit.payload.canaries.matcher import CanaryMatcher

__all__ = ["CanaryMatcher"]
