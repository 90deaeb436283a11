"""Write a mitmproxy flow file whose every flow goes to a different host.

Why: issue 15 (item 10) found that what an audit holds per destination
(recipient rows, hosts, evidence, findings) and what a report lists grow
with the number of distinct destinations, not with the length of the
capture: 100,000 flows to 100,000 domains took 1.25 GB and wrote a 201 MB
HTML report. ``bench/make_capture.py`` reaches a few dozen hosts however
long its capture is, so it cannot show this; this file can.

Every flow goes to a host of its own:

- half to a host under one of the catalog's domains, taken in turn
  (``n17.mixpanel.com``, then the next domain): companies the catalog
  knows, each reached through many hosts;
- half to a host of a domain no catalog knows (``w18.site18.example``):
  each one its own unknown recipient, with its own finding.

A third of the flows carry the documented test user's e-mail address, a
fifth Google's documented sample advertising id (the values of
``bench/make_capture.py``), so recipients have data types, evidence and
findings, as a tracker-heavy capture would.

Output is deterministic for a given ``--flows``. A declaration
(``flowaudit.yml``) is written beside the capture, declaring a few of the
catalog's companies, so the audit walks declared and undeclared paths.

Usage: python bench/many_destinations.py OUT.mitm --flows 100000
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mitmproxy import connection, http
from mitmproxy.io import FlowWriter

from flowaudit.catalog import load_catalog

EMAIL = "jane.doe@example.com"
ADVERTISING_ID = "38400000-8cf0-11bd-b23e-10b96e40000d"
START_TIME = 1_795_000_000.0

DECLARATION = """\
# Written by bench/many_destinations.py: a few of the catalog's companies
# are declared, every other recipient is not.
app: Many destinations (benchmark)
first_party: [app.example]
audience: general
recipients:
  - entity: Google
    role: processor
    data: [identifiers.advertising_id]
  - entity: Mixpanel
    role: processor
"""


def catalog_domains() -> list[str]:
    """Every host-wide catalog domain, sorted: stable across runs of one catalog."""
    found = {d for s in load_catalog().services() for d in s.domains if "/" not in d}
    return sorted(found)


def host_for(n: int, domains: list[str]) -> str:
    """Flow ``n``'s host: under a catalog domain when ``n`` is even, else unknown."""
    if n % 2 == 0:
        return f"n{n}.{domains[(n // 2) % len(domains)]}"
    return f"w{n}.site{n}.example"


def make_flow(n: int, host: str) -> http.HTTPFlow:
    query = [("i", str(n))]
    if n % 3 == 0:
        query.append(("email", EMAIL))
    if n % 5 == 0:
        query.append(("adid", ADVERTISING_ID))
    body = json.dumps({"event": "open", "n": n}).encode()
    request = http.Request.make("POST", f"https://{host}/collect", body, {"Content-Type": "application/json"})
    request.query.update(query)
    request.timestamp_start = request.timestamp_end = START_TIME + n / 1000
    client = connection.Client(
        peername=("10.0.2.15", 40000 + n % 20000),
        sockname=("10.0.2.2", 8080),
        timestamp_start=START_TIME + n / 1000,
    )
    server = connection.Server(address=(host, 443))
    f = http.HTTPFlow(client, server)
    f.request = request
    f.response = http.Response.make(204, b"", {})
    f.response.timestamp_start = f.response.timestamp_end = START_TIME + n / 1000
    return f


def write(path: Path, flows: int) -> Path:
    """Write the capture and ``flowaudit.yml`` beside it; return the capture."""
    domains = catalog_domains()
    with path.open("wb") as out:
        writer = FlowWriter(out)
        for n in range(flows):
            writer.add(make_flow(n, host_for(n, domains)))
    (path.parent / "flowaudit.yml").write_text(DECLARATION, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--flows", type=int, default=100_000)
    args = parser.parse_args()
    write(args.out, args.flows)


if __name__ == "__main__":
    main()
