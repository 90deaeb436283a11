"""US Privacy strings: the four examples of the IAB spec, and malformed ones.
Source: https://github.com/InteractiveAdvertisingBureau/USPrivacy/blob/master/CCPA/US%20Privacy%20String.md"""

from __future__ import annotations

import pytest

from flowaudit.consent.signals.undecodable import Undecodable
from flowaudit.consent.signals.usprivacy import UsPrivacy, decode_us_privacy


@pytest.mark.parametrize(
    ("text", "notice", "opted_out", "lspa", "applies"),
    [
        ("1YNN", "yes", "no", "no", True),  # spec: notice given, no opt-out, no LSPA
        ("1NYY", "no", "yes", "yes", True),  # spec: opted out, LSPA covered
        ("1---", "n/a", "n/a", "n/a", False),  # spec: CCPA does not apply
        ("1-Y-", "n/a", "yes", "n/a", True),  # spec: opted out, rest unknown
        ("1YNY", "yes", "no", "yes", True),  # real OpenRTB regs.us_privacy (ESPN bid request)
        ("1yyn", "yes", "yes", "no", True),  # lower case tolerated
    ],
)
def test_spec_examples(text: str, notice: str, opted_out: str, lspa: str, applies: bool) -> None:
    usp = decode_us_privacy(text)
    assert isinstance(usp, UsPrivacy)
    assert (usp.notice, usp.opted_out, usp.lspa, usp.applies) == (notice, opted_out, lspa, applies)


def test_summary_says_opt_out() -> None:
    usp = decode_us_privacy("1NYY")
    assert isinstance(usp, UsPrivacy)
    assert "opted out of the sale" in usp.summary()


@pytest.mark.parametrize(
    ("text", "reason"),
    [("1YN", "4 characters"), ("2YNN", "version"), ("1YXN", "character 3"), ("${US_PRIVACY}", "macro"), ("", "4")],
)
def test_malformed(text: str, reason: str) -> None:
    result = decode_us_privacy(text)
    assert isinstance(result, Undecodable)
    assert reason in result.reason
