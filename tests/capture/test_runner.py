"""record's proxy: which of mitmproxy's default addons it sends events to."""

from __future__ import annotations

from typing import Any

import pytest
from mitmproxy import flow as mflow
from mitmproxy.addons import default_addons
from mitmproxy.test import taddons, tflow

from flowaudit.capture.runner import IDLE_ADDONS, _proxy_addons

# The hooks a flow goes through, by kind of flow (mitmproxy.hooks: those with the flow as argument).
HTTP_HOOKS = ("requestheaders", "request", "responseheaders", "response", "http_connect", "websocket_end")
FAILED_HTTP_HOOKS = ("requestheaders", "request", "error")  # no response
TCP_HOOKS = ("tcp_start", "tcp_message", "tcp_end", "tcp_error")
DNS_HOOKS = ("dns_request", "dns_response", "dns_error")


def _flows() -> list[tuple[mflow.Flow, tuple[str, ...]]]:
    return [
        (tflow.tflow(resp=True), HTTP_HOOKS),
        (tflow.tflow(err=True), FAILED_HTTP_HOOKS),
        (tflow.tflow(resp=True, ws=True), HTTP_HOOKS),
        (tflow.ttcpflow(), TCP_HOOKS),
        (tflow.tdnsflow(resp=True), DNS_HOOKS),
    ]


def _idle() -> list[Any]:
    return [a for a in default_addons() if type(a).__name__ in IDLE_ADDONS]  # type: ignore[no-untyped-call]


def test_every_idle_addon_is_one_of_this_mitmproxys() -> None:
    """A renamed addon would silently stay in the chain: the names must all be found."""
    assert {type(a).__name__ for a in _idle()} == IDLE_ADDONS


@pytest.mark.parametrize("addon", _idle(), ids=lambda a: type(a).__name__)
def test_an_idle_addon_does_nothing_to_any_flow_under_mitmproxys_default_options(addon: Any) -> None:
    """What `record` leaves out of the chain must not act under the options it runs with
    (mitmproxy's defaults for all of theirs): every flow hook leaves every kind of flow as it was."""
    with taddons.context(addon) as tctx:
        tctx.configure(addon)
        called = 0
        for f, names in _flows():
            before = f.get_state()
            for name in names:
                hook = getattr(addon, name, None)
                if callable(hook):
                    assert hook(f) is None  # no coroutine left unrun
                    called += 1
            assert f.get_state() == before, type(f).__name__
            assert not f.killable or f.error is None or f.error.msg != mflow.Error.KILLED_MESSAGE


def test_the_chain_keeps_the_acting_addons_in_order_with_ours_where_scripts_run() -> None:
    ours = [object(), object()]
    defaults = default_addons()  # type: ignore[no-untyped-call]
    chain, idle = _proxy_addons(defaults, ours)
    names = [type(a).__name__ for a in defaults]
    assert [a for a in chain if a not in ours] == [a for a in defaults if type(a).__name__ not in IDLE_ADDONS]
    assert idle == _idle_of(defaults)
    at = chain.index(ours[0])
    assert chain[at + 1] is ours[1]
    before = [type(a).__name__ for a in chain[:at]]
    # before the DNS resolver, after everything the script loader followed
    assert "DnsResolver" not in before
    assert {"Core", "Block", "Onboarding", "Proxyserver"} <= set(before)
    assert {"NextLayer", "TlsConfig"} <= {type(a).__name__ for a in chain[at:]}
    assert "ScriptLoader" in names


def _idle_of(defaults: list[Any]) -> list[Any]:
    return [a for a in defaults if type(a).__name__ in IDLE_ADDONS]
