"""Ids handed on between companies: what a cookie sync proves once the capture is read.

A request to a third party may carry a value under a name that says
nothing (``put``, ``val``, ``UISF``, ``u``): see
:mod:`flowaudit.payload.detectors.relayed`, which proposes the id-shaped
tokens of every such request. Whether a token is an id is not a guess about
its name: the capture shows it. The token is reported when

- the audit recognised the same exact value as an identifier in a request to
  another company (a cookie sync handing ``ttd_tdid=<id>`` to The Trade Desk
  and ``put=<id>`` to Rubicon is one id at both): the same data type as
  there, ``likely``; or
- the browser holds it in a cookie of another site (a tag reading its
  first-party cookie, ``_chartbeat2``, and sending it to its company): a
  device id, ``likely`` (the cookie recognises the browser; Google Play
  counts such ids as device ids,
  https://support.google.com/googleplay/android-developer/answer/10787469).

Only identifiers anchor (never a hashed email: a value equal to one is that
email, a finding of its own), and only tokens of requests that carried no
identifier of their own are kept, so a request is counted once. An id
found this way is judged by the consent rules by the state the request was
made in (kept with the proposal), as if it had been found at once: handed
on after a refusal, it is shared after the refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flowaudit.catalog import registrable_domain
from flowaudit.engine.tally import Proposal, RecipientTally
from flowaudit.model import Observation
from flowaudit.payload.decode.forms import split_cookies
from flowaudit.payload.detectors.cookies import is_session_name, looks_like_browser_id
from flowaudit.payload.detectors.formats import is_epoch_millis
from flowaudit.payload.detectors.keys import fold, is_credential_name
from flowaudit.payload.detectors.relayed import DETECTOR
from flowaudit.payload.model import Detection
from flowaudit.redact import is_secret_name

# How many cookie values the audit remembers: bounds memory on captures with many cookies.
_COOKIE_VALUES = 5000
# Characters of Cookie headers remembered as read (see CookieIds.observe).
_READ_HEADERS = 64 * 1024
# Cookie values are often several fields joined (_chartbeat2 = <id>.<first visit>.<last visit>.<n>).
_COOKIE_FIELDS = re.compile(r"[\s'\"()\[\]{}|:,;!*<>.]+")


@dataclass(slots=True)
class CookieIds:
    """Id-shaped values the browser sent in cookies, with the site that holds each."""

    _sites: dict[str, tuple[str, str]] = field(default_factory=dict)  # value -> (site, cookie name)
    _read: set[str] = field(default_factory=set)  # Cookie headers read whole (bounded: _READ_HEADERS)
    _read_size: int = 0

    def observe(self, obs: Observation) -> None:
        """Note the cookies' id-shaped values. A browser sends the same Cookie header with
        request after request to a site (992 Cookie headers in the 20 real HAR exports of
        tests/corpus/external, 234 of them distinct), and reading one again changes nothing:
        each of its values is noted already, with the site of the request it first came with,
        or was passed over for its name or shape, which do not depend on the request. So a
        header read whole is not read again."""
        for name, value in obs.request_headers:
            if name.lower() == "cookie" and len(self._sites) < _COOKIE_VALUES and value not in self._read:
                self._add(obs.host, value)
                if self._read_size + len(value) > _READ_HEADERS:
                    self._read.clear()
                    self._read_size = 0
                self._read.add(value)
                self._read_size += len(value)

    def _add(self, host: str, header: str) -> None:
        site = ""
        for name, value in split_cookies(header):
            if not name or is_secret_name(name) or is_credential_name(name) or is_session_name(fold(name)):
                continue
            for token in _COOKIE_FIELDS.split(value):
                if token in self._sites or not looks_like_browser_id(token) or is_epoch_millis(token):
                    continue
                site = site or registrable_domain(host)
                self._sites[token] = (site, name)

    def held_by_other_site(self, value: str, host: str) -> tuple[str, str] | None:
        """The site and cookie that hold ``value``, when that site is not ``host``'s."""
        held = self._sites.get(value)
        if held is None or held[0] == registrable_domain(host):
            return None
        return held


def promote_relayed(tallies: Iterable[RecipientTally], cookies: CookieIds) -> None:
    """Report each proposed token that the capture shows to be an id (see the module's docstring)."""
    counted = [t for t in tallies if t.destination.party != "first" and not t.destination.is_platform]
    # value -> the first recipient that kept it as an id, with the data type and host it was sent
    # as and to: all a promotion names (the request kept for it is not read back)
    anchors: dict[str, tuple[RecipientTally, str, str]] = {}
    for t in counted:
        for value, data_type, host in t.identifier_kinds():
            if data_type.startswith("identifiers."):
                anchors.setdefault(value, (t, data_type, host))
    for t in counted:
        for proposal in t.relayed:
            _promote(t, proposal, anchors, cookies)


def _promote(
    t: RecipientTally,
    proposal: Proposal,
    anchors: dict[str, tuple[RecipientTally, str, str]],
    cookies: CookieIds,
) -> None:
    found: dict[str, list[Detection]] = {}
    for token in proposal.tokens:
        value = token.value or ""
        anchor = anchors.get(value)
        if anchor is not None and anchor[0].destination.entity_id != t.destination.entity_id:
            holder, data_type, host = anchor
            how = f"the same value was sent to {holder.destination.entity} ({host}) as {data_type}: an id handed on"
        else:
            held = cookies.held_by_other_site(value, proposal.host)
            if held is None:
                continue
            data_type = "identifiers.device_id"
            how = f"the value of the browser's cookie {held[1]!r} of {held[0]}: a cookie id handed on"
        promoted = Detection(
            data_type=data_type,
            confidence="likely",
            part=token.part,
            location=token.location,
            decoding=token.decoding,
            how=how,
            excerpt=token.excerpt,
            value=value,
            detector=DETECTOR,
        )
        found.setdefault(data_type, []).append(promoted)
    for data_type, detections in found.items():
        t.add_promoted(proposal, data_type, detections)
