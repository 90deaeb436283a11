"""Sanitize published HAR captures into tests/corpus/external/.

The external corpus holds real captures recorded by other people. Before they
go into the repository, every cookie value, device/user/advertising id, auth
token and public IP address of a client is replaced by a fake value OF THE
SAME SHAPE: a UUID stays a UUID (version and variant kept), digits stay
digits, hex stays hex, letters keep their case, separators and lengths are
kept. The same original value always gets the same fake value within one
capture, so identifiers shared between requests stay shared and detection
behaves as on the original. Hostnames, request methods, keys and everything
else in the requests stay as recorded: they are the evidence.

Response bodies are dropped (the audit reads what was sent, and bodies are
where most bulk and stray personal data sit); every entry is kept, in order,
so flow numbers in labels match the original file.

Usage:
    python scripts/sanitize_har.py RAW_DIR [NAME ...]

RAW_DIR holds the raw files named in tests/corpus/external/sources.json
(`raw`); see tests/corpus/external/README.md for where each one comes from.
The run fails if any replaced original value is still present in the output.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlsplit

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = ROOT / "tests" / "corpus" / "external"

UUID_RE = re.compile(
    r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f])"
)
# A percent escape (also a twice-encoded one, "%252F") is a separator, not part of a value: "%2Fabc123"
# holds the run "abc123".
TOKEN_RE = re.compile(r"(%(?:25)*[0-9A-Fa-f]{2})|([A-Za-z0-9]+)")
RUN_RE = re.compile(r"[A-Za-z0-9]+")
# Base64 (standard or URL-safe) long enough to hide an id: ids inside it are faked too, and it is
# encoded again, so a cookie id and its base64 copy in an ad-tech "eids" parameter stay the same value.
B64_RE = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
IPV4_RE = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
ID_WHOLE_RE = re.compile(r"(?=.*[A-Za-z])(?=.*[0-9])[A-Za-z0-9_-]{16,}")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.(?!(?:png|jpe?g|gif|svg|webp)$)[A-Za-z]{2,}$", re.IGNORECASE)

# Keys (last part of a JSON path, query or form key) whose values identify a user, device, browser or session.
ID_KEY_RE = re.compile(
    r"(^|[_.\[-])("
    r"anon_?id|advertiser_?id|advertising_?id|app_user_id|adid|gps_adid|aaid|idfa|idfv|android_?id|"
    r"device_?id|did|hardware_id|device_fingerprint_id|identity_id|session_?id|sid|randomized_device_token|"
    r"user_?id|uid|uuid|cid|client_?id|gid|fbp|fbc|external_id|vid|puid|tuid|dpuuid|buyeruid|fid|"
    r"installation_?id|install_?id|visitor_?id|pubcid|tdid|ttp|ttclid|gclid|fbclid|msclkid|"
    r"(user|device|visitor|customer|member|profile|person|install|installation)\.id"
    r")($|[_.\]-])",
    re.IGNORECASE,
)
# Keys and header names whose values are credentials.
SECRET_KEY_RE = re.compile(r"access_token|api_?key|branch_key|token|secret|authorization|auth$", re.IGNORECASE)
KNOWN_PREFIXES = ("AIza", "EAA", "XZ")  # Google API key, Meta access token, Meta SDK anon_id
SAFE_EMAILS = frozenset({"test@gmail.com", "test@test.com"})  # the researchers' own made-up form inputs


def _digest(salt: str, value: str) -> bytes:
    out = b""
    counter = 0
    while len(out) < len(value) + 8:
        out += hashlib.sha256(f"{salt}\0{counter}\0{value}".encode()).digest()
        counter += 1
    return out


def fake_like(salt: str, value: str) -> str:
    """Return a deterministic fake of `value` with the same length and character classes."""
    alnum = [c for c in value if c.isalnum()]
    is_hex = bool(alnum) and all(c in "0123456789abcdefABCDEF" for c in alnum) and any(c.isdigit() for c in alnum)
    rnd = _digest(salt, value)
    keep = 2 if value.isdigit() and len(value) >= 10 else 0  # long numbers keep their era (timestamps)
    chars: list[str] = []
    for i, c in enumerate(value):
        b = rnd[i]
        if i < keep:
            chars.append(c)
        elif c.isdigit():
            chars.append(str(1 + b % 9) if i == 0 and c != "0" else str(b % 10))
        elif is_hex and c in "abcdef":
            chars.append("abcdef"[b % 6])
        elif is_hex and c in "ABCDEF":
            chars.append("ABCDEF"[b % 6])
        elif "a" <= c <= "z":
            chars.append(chr(ord("a") + b % 26))
        elif "A" <= c <= "Z":
            chars.append(chr(ord("A") + b % 26))
        else:
            chars.append(c)
    fake = "".join(chars)
    return fake if fake != value else fake_like(salt + "'", value)


def fake_uuid(salt: str, value: str) -> str:
    """A fake UUID: same case, same version nibble and variant character as `value`."""
    if set(value.replace("-", "")) <= {"0"}:
        return value  # the all-zero id is the opt-out value, not anybody's id
    fake = list(fake_like(salt, value.lower()))
    fake[14] = value[14].lower()
    fake[19] = value[19].lower()
    out = "".join(fake)
    return out.upper() if value.isupper() else out


def decode_base64_text(blob: str) -> tuple[str, bool] | None:
    """The printable text a base64 blob holds and whether it is URL-safe base64, or None."""
    core = blob.rstrip("=")
    urlsafe = "-" in core or "_" in core
    if len(core) < 16 or len(core) % 4 == 1 or (urlsafe and ("+" in core or "/" in core)):
        return None
    try:
        raw = (base64.urlsafe_b64decode if urlsafe else base64.b64decode)(core + "=" * (-len(core) % 4))
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not all(c.isprintable() or c in "\r\n\t" for c in text):
        return None
    return text, urlsafe


def fake_ipv4(salt: str, value: str) -> str:
    """Keep the first octet (the region of the address space) and zero octets; fake the others."""
    octets = value.split(".")
    rnd = _digest(salt, value)
    return ".".join([octets[0]] + [o if o == "0" else str(1 + rnd[i] % 254) for i, o in enumerate(octets[1:])])


class Pseudonymizer:
    """Collects the secret values of one capture and replaces them consistently."""

    def __init__(self, salt: str, hosts: set[str]) -> None:
        self.salt = salt
        self.hosts = hosts  # hostnames are evidence: nothing inside them is replaced
        self.tokens: dict[str, str] = {}
        self.whole: dict[str, str] = {}
        self.substrings: dict[str, str] = {}  # long random ids: replaced wherever they occur, even glued to a prefix
        self.original_uuids: set[str] = set()

    def _in_host(self, text: str) -> bool:
        return any(text in host for host in self.hosts)

    def add_token(self, token: str) -> None:
        if token in self.tokens or self._in_host(token):
            return
        for prefix in KNOWN_PREFIXES:
            if token.startswith(prefix) and len(token) > len(prefix):
                self.tokens[token] = prefix + fake_like(self.salt, token[len(prefix) :])
                return
        self.tokens[token] = fake_like(self.salt, token)

    def add_runs(self, value: str, min_len: int, need_digit: bool, min_number: int = 0) -> None:
        """Register the alphanumeric runs of `value` that look like identifiers.

        need_digit: a run without digits counts only from 24 characters on, so words ("interactionCount") stay.
        min_number: all-digit runs shorter than this stay (an app id next to a client token).
        """
        for _ in range(3):
            value = unquote_plus(value)
        for run in RUN_RE.findall(value):
            if len(run) < min_len:
                continue
            if need_digit and not any(c.isdigit() for c in run) and len(run) < 24:
                continue
            if run.isdigit() and len(run) < min_number:
                continue
            self.add_token(run)

    def add_substring(self, value: str, fake: str) -> None:
        if not self._in_host(value):
            self.substrings[value] = fake

    def add_whole(self, value: str, fake: str) -> None:
        if not self._in_host(value):
            self.whole[value] = fake

    def apply(self, text: str) -> str:
        for original, fake in self.substrings.items():
            text = text.replace(original, fake)
        for original, fake in self.whole.items():
            text = re.sub(r"(?<![\w.@])" + re.escape(original) + r"(?![\w@]|\.\w)", fake, text)
        text = B64_RE.sub(lambda m: self._apply_base64(m.group(0)), text)

        def swap_uuid(m: re.Match[str]) -> str:
            if self._in_host(m.group(0)):
                return m.group(0)
            self.original_uuids.add(m.group(0))
            return fake_uuid(self.salt, m.group(0))

        def swap(m: re.Match[str]) -> str:
            return self.tokens.get(m.group(2), m.group(0)) if m.group(2) else m.group(0)

        return TOKEN_RE.sub(swap, UUID_RE.sub(swap_uuid, text))

    def _apply_base64(self, blob: str) -> str:
        """Fake the ids inside a base64 text and encode it again; anything else is returned as it was."""
        decoded = decode_base64_text(blob)
        if decoded is None:
            # a path ("users/eyJ...") is several blobs
            return "/".join(self._apply_base64(part) if len(part) >= 16 else part for part in blob.split("/")) \
                if "/" in blob else blob
        text, urlsafe = decoded
        faked = self.apply(text)
        if faked == text:
            return blob
        encoded = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(faked.encode()).decode()
        return encoded if blob.endswith("=") else encoded.rstrip("=")

    def originals(self) -> Iterator[str]:
        yield from self.tokens
        yield from self.whole
        yield from self.substrings


def _pairs_from_body(text: str) -> Iterator[tuple[str, Any]]:
    """Key/value pairs of a form or JSON body, including JSON inside form values and JSON strings."""
    text = text.strip()
    if text[:1] in "[{":
        try:
            yield from _walk_json(json.loads(text), "")
        except ValueError:
            pass
        return
    if "=" in text:
        for key, value in parse_qsl(text, keep_blank_values=True):
            yield key, value
            if value[:1] in "[{":
                yield from _pairs_from_body(value)


def _walk_json(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk_json(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk_json(v, path)
    else:
        yield path, obj
        if isinstance(obj, str) and obj[:1] in "[{":
            yield from _pairs_from_body(obj)


def _cookie_values(header: str) -> Iterator[str]:
    for part in header.split(";"):
        if "=" in part:
            yield part.split("=", 1)[1].strip()


def _register_value(p: Pseudonymizer, key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return
    text = str(value)
    if ID_KEY_RE.search(key):
        p.add_runs(text, 6, need_digit=True)
        if ID_WHOLE_RE.fullmatch(text) and not UUID_RE.fullmatch(text):
            # a base64url id ("e5MKLJp8QGi6-NUMLkUOMm", a Firebase installation id): its first
            # character carries the format, so it stays
            marker = next((m for m in KNOWN_PREFIXES if text.startswith(m)), text[0])
            rest = text[len(marker) :]
            p.add_substring(text, marker + (fake_uuid if UUID_RE.fullmatch(rest) else fake_like)(p.salt, rest))
    if SECRET_KEY_RE.search(key):
        p.add_runs(text, 8, need_digit=False, min_number=20)
    if _looks_like_client_ip(key, text):
        p.add_whole(text, fake_ipv4(p.salt, text))
    if EMAIL_RE.match(text) and text.lower() not in SAFE_EMAILS:
        local, domain = text.split("@", 1)
        p.add_whole(text, f"{fake_like(p.salt, local)}@{domain}")


def _looks_like_client_ip(key: str, text: str) -> bool:
    """A public IPv4 address as a whole value; "1.0.6.2" under a non-ip key is a version number."""
    if not IPV4_RE.match(text) or any(int(o) > 255 for o in text.split(".")):
        return False
    if not ipaddress.ip_address(text).is_global:
        return False
    return "ip" in key.lower() or max(int(o) for o in text.split(".")[1:]) >= 10


def _decode_basic(value: str) -> str | None:
    try:
        return base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def register(p: Pseudonymizer, entry: dict[str, Any]) -> None:
    """Find the secret values in one HAR entry."""
    req = entry.get("request", {})
    resp = entry.get("response", {})
    for cookie in req.get("cookies", []) + resp.get("cookies", []):
        p.add_runs(str(cookie.get("value", "")), 6, need_digit=True)
    for header in req.get("headers", []) + resp.get("headers", []):
        name = str(header.get("name", "")).lower()
        value = str(header.get("value", ""))
        if name == "cookie":
            for v in _cookie_values(value):
                p.add_runs(v, 6, need_digit=True)
        elif name == "set-cookie":
            for line in value.split("\n"):
                p.add_runs(line.split(";", 1)[0].split("=", 1)[-1], 6, need_digit=True)
        elif name == "authorization" and value.lower().startswith("basic "):
            decoded = _decode_basic(value[6:].strip())
            if decoded is None:
                p.add_runs(value[6:], 8, need_digit=False)
            else:  # user and password are faked in the decoded text, then encoded again (see _reencode_basic)
                p.add_runs(decoded, 6, need_digit=True)
        elif SECRET_KEY_RE.search(name):
            p.add_runs(value.split(" ", 1)[-1], 8, need_digit=False, min_number=20)
    url = str(req.get("url", ""))
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        _register_value(p, key, value)
        if value[:1] in "[{":
            for k, v in _pairs_from_body(value):
                _register_value(p, k, v)
    post = req.get("postData") or {}
    for key, value in _pairs_from_body(str(post.get("text") or "")):
        _register_value(p, key, value)
    for param in post.get("params") or []:
        _register_value(p, str(param.get("name", "")), unquote_plus(str(param.get("value", ""))))


def _map_strings(obj: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, list):
        return [_map_strings(v, fn) for v in obj]
    if isinstance(obj, dict):
        return {k: (v if k in ("serverIPAddress", "startedDateTime") else _map_strings(v, fn)) for k, v in obj.items()}
    return obj


def _reencode_basic(p: Pseudonymizer, original: dict[str, Any], out: dict[str, Any]) -> None:
    """Basic credentials are base64: fake the decoded text with the capture's mapping and encode it again."""
    for before, after in zip(original["request"].get("headers", []), out["request"].get("headers", []), strict=True):
        value = str(before.get("value", ""))
        if str(before.get("name", "")).lower() == "authorization" and value.lower().startswith("basic "):
            decoded = _decode_basic(value[6:].strip())
            if decoded is not None:
                after["value"] = value[:6] + base64.b64encode(p.apply(decoded).encode()).decode()


def complete_har12(entry: dict[str, Any]) -> None:
    """Add the HAR 1.2 fields a published capture left out, with "not available" values and a comment.

    Some publishers strip responses to their status line (ReportHAR's fixtures) or omit timings; the
    requests, which are the evidence, are complete.
    """
    response = entry.setdefault("response", {})
    fields = ("cookies", "headers", "content", "redirectURL", "headersSize", "bodySize")
    missing = [k for k in fields if k not in response]
    response.setdefault("status", 0)
    response.setdefault("statusText", "")
    response.setdefault("httpVersion", entry.get("request", {}).get("httpVersion", ""))
    response.setdefault("cookies", [])
    response.setdefault("headers", [])
    content = response.setdefault("content", {})
    content.setdefault("size", -1)
    content.setdefault("mimeType", "")
    response.setdefault("redirectURL", "")
    response.setdefault("headersSize", -1)
    response.setdefault("bodySize", -1)
    if missing:
        response["comment"] = "not in the published capture: " + ", ".join(missing)
    timings = entry.setdefault("timings", {})
    for k in ("send", "wait", "receive"):
        timings.setdefault(k, 0)
    entry.setdefault("cache", {})
    entry.setdefault("time", 0)


def sanitize(har: dict[str, Any], salt: str) -> tuple[dict[str, Any], Pseudonymizer]:
    """Return the sanitized HAR and the pseudonymizer that holds what was replaced."""
    entries: list[dict[str, Any]] = har["log"]["entries"]
    hosts = {urlsplit(str(e["request"].get("url", ""))).hostname or "" for e in entries}
    p = Pseudonymizer(salt, {h for h in hosts if h})
    for entry in entries:
        register(p, entry)
    out_entries = []
    for entry in entries:
        out = _map_strings(entry, p.apply)
        _reencode_basic(p, entry, out)
        complete_har12(out)
        content = out.get("response", {}).get("content")
        if isinstance(content, dict) and "text" in content:
            content.pop("text")
            content.pop("encoding", None)
            content["comment"] = "response body dropped by scripts/sanitize_har.py"
        out_entries.append(out)
    log = dict(har["log"])
    log["entries"] = out_entries
    if "pages" in log:
        log["pages"] = _map_strings(log["pages"], p.apply)
    log["comment"] = (
        "Sanitized by flowaudit scripts/sanitize_har.py: cookie values, ids, tokens and client IPs replaced by "
        "fakes of the same shape; response bodies dropped. Source: tests/corpus/external/README.md."
    )
    return {"log": log}, p


def _strings(obj: Any) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if k not in ("serverIPAddress", "startedDateTime"):
                yield from _strings(v)


def check_clean(har: dict[str, Any], p: Pseudonymizer) -> list[str]:
    """Replaced originals still present in the output's strings (should be none)."""
    left: set[str] = set()
    texts = list(_strings(har))
    for text in list(texts):
        for m in B64_RE.finditer(text):
            for part in [m.group(0)] + m.group(0).split("/"):
                decoded = decode_base64_text(part)
                if decoded is not None:
                    texts.append(decoded[0])
    for text in texts:
        for m in TOKEN_RE.finditer(text):
            if m.group(2) in p.tokens:
                left.add(m.group(2))
        for m in UUID_RE.finditer(text):
            if fake_uuid(p.salt, m.group(0)) != m.group(0) and m.group(0) in p.original_uuids:
                left.add(m.group(0))
        left.update(w for w in list(p.whole) + list(p.substrings) if w in text)
    return sorted(left)


def dump(har: dict[str, Any]) -> str:
    """Compact JSON with one HAR entry per line: entry N is on line N + 1, easy to read and to diff."""
    log = {k: v for k, v in har["log"].items() if k != "entries"}
    head = json.dumps({"log": log}, ensure_ascii=False)[:-2]
    lines = [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in har["log"]["entries"]]
    return head + ',"entries":[\n' + ",\n".join(lines) + "\n]}}\n"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    raw_dir = Path(argv[0])
    wanted = set(argv[1:])
    sources = json.loads((EXTERNAL / "sources.json").read_text())
    status = 0
    for src in sources:
        if wanted and src["name"] not in wanted:
            continue
        har = json.loads((raw_dir / src["raw"]).read_text(encoding="utf-8-sig"))
        clean, p = sanitize(har, src["name"])
        left = check_clean(clean, p)
        if left:
            print(f"{src['name']}: {len(left)} original values left, e.g. {left[:3]}", file=sys.stderr)
            status = 1
            continue
        out = EXTERNAL / src["name"] / "capture.har"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(dump(clean), encoding="utf-8")
        replaced = len(p.tokens) + len(p.whole) + len(p.substrings)
        entries = len(clean["log"]["entries"])
        print(f"{src['name']}: {entries} entries, {replaced} values replaced, {out.stat().st_size // 1024} KiB")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
