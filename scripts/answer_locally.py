"""mitmproxy addon that scripts/record_offline.sh runs to record reference captures.

It answers every request itself (canned JSON, CORS for browsers, 204 for
preflights), so with `--set connection_strategy=lazy` nothing is ever sent
upstream. It is a recording aid for reference data, not part of the product.
"""
import json

from mitmproxy import http


def request(flow: http.HTTPFlow) -> None:
    req = flow.request
    cors = {}
    origin = req.headers.get("origin")
    if origin:
        cors = {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Headers": req.headers.get("access-control-request-headers", "*"),
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        }
    if req.method == "OPTIONS":
        flow.response = http.Response.make(204, b"", cors)
        return
    body = json.dumps({"status": 1, "success": True}).encode()
    flow.response = http.Response.make(200, body, {"Content-Type": "application/json", **cors})
