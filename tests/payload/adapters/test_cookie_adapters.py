"""Cookies and cookie-sync ids, named by the vendor adapters, on real browser requests
(tests/corpus/external: fb-pixel-inspector, ISC; tweasel ReportHAR, MIT; values sanitized)."""

from __future__ import annotations

from flowaudit.payload.analyze import analyze
from flowaudit.payload.model import Detection


def found(detections: list[Detection]) -> dict[str, tuple[str, str, str]]:
    return {d.location: (d.data_type, d.confidence, d.detector) for d in detections}


def test_facebook_cookies_listed_only_in_the_har_cookie_list(external) -> None:
    """chrome-har wrote these cookies in request.cookies[] only: no Cookie header in the capture."""
    obs = external("pixelinspector-oraquick", 12)
    hits = found(analyze(obs))
    assert hits["cookie:c_user"] == ("identifiers.user_id", "certain", "adapter:facebook_cookies")
    for browser_id in ("cookie:datr", "cookie:sb", "cookie:fr"):
        assert hits[browser_id] == ("identifiers.device_id", "certain", "adapter:facebook_cookies")
    assert not any(location.startswith("cookie:xs") for location in hits)  # the login session: a secret


def test_adobe_id_sync_in_the_path_and_in_the_query(external) -> None:
    """9gag: dpm.demdex.net/ibs:dpid=<partner>&dpuuid=<its id> (parameters in the path), then
    /demconf.jpg?et:ibs|data:dpid=…&dpuuid=… with the demdex cookie."""
    in_path = found(analyze(external("reporthar-9gag-interaction", 85)))
    assert in_path["url:path[0] > form:dpuuid"] == (
        "identifiers.device_id",
        "certain",
        "adapter:adobe_audience_manager",
    )
    assert "url:path[0] > form:ibs:dpid" not in in_path  # the partner's own id is no user's
    in_query = found(analyze(external("reporthar-9gag-interaction", 117)))
    assert in_query["query:dpuuid"][0] == "identifiers.device_id"
    assert in_query["cookie:demdex"] == ("identifiers.device_id", "certain", "adapter:adobe_audience_manager")
