"""Masking secrets before anything reaches an output.

Captured requests carry API keys, session cookies and bearer tokens; reports
get forwarded and published. Every string an output shows that came from a
request passes through a :class:`Redactor` first: the engine masks request
lines as it samples them, and :func:`redact_result` sweeps the finished
result once more (evidence, excerpts, messages) before any format renders
it, so a secret that a detector quoted is caught too.

Canary values (the tester's own planted email, name, ...) are never masked:
they are the evidence. ``--no-redact`` turns masking off for private use;
the result then says so (``AuditResult.redacted``) and every report shows it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from flowaudit.model import AuditResult, Evidence, Finding, Recipient

if TYPE_CHECKING:
    from flowaudit.declaration import Declaration

MASK = "(redacted)"

# Name parts that mark a header, parameter, cookie or JSON key as carrying a
# credential. Matched on the lower-cased name with separators removed, so
# "access-token", "accessToken" and "access_token" are all caught. A name is
# secret when it starts or ends with one of _WORDS; the short, ambiguous
# parts of _SUFFIXES only count at the end ("sentry_key", not "keyword";
# "sid", not "side").
_WORDS = (
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "apitoken",
    "writekey",
    "accesskey",
    "privatekey",
    "clientsecret",
    "credential",
    "credentials",
    "session",
    "sessionid",
    "signature",
    "bearer",
    "passphrase",
    "clientassertion",  # OAuth client authentication (RFC 7523 2.2)
    "oauthverifier",  # OAuth 1.0a (RFC 5849 2.2)
    "csrf",
)
_SUFFIXES = ("key", "sig", "sid", "auth", "jwt", "pwd", "otp")
_PREFIXES = ("auth",)
_ALWAYS = frozenset({"cookie", "setcookie", "authorization", "proxyauthorization"})
_NOT_SECRET = frozenset({"author", "authority", "authors", "monkey", "turkey", "hotkey"})
# Whole names that are credentials wherever they appear ...
_EXACT = frozenset({"pass", "pw"})
# ... and whole names that are credentials only as a URL's parameters: an OAuth
# authorization code (RFC 6749 4.1.2), a CAS service ticket, a PIN in a link. As a
# JSON key or a form field, "code" is as often a country, currency or error code
# and "pin" an Indian postcode, which are evidence, not secrets.
_IN_URL = frozenset({"code", "pin", "ticket"})
_SEPARATORS = re.compile(r"[-_.\s\[\]$]")


def _fold(name: str) -> str:
    return _SEPARATORS.sub("", name.lower())


# Redacting a result asks about the same few names (of headers, parameters,
# fields) again for every piece of evidence: tens of thousands of times in a
# large capture. Bounded, so hostile names cannot grow it without end.
@lru_cache(maxsize=1 << 14)
def is_secret_name(name: str, extra: tuple[str, ...] = (), *, in_url: bool = False) -> bool:
    """Whether a header, parameter, cookie or field name holds a credential.

    ``extra`` holds the declaration's ``redact:`` names, matched in any
    spelling like the built-in ones. ``in_url``: the name is a parameter of
    a URL (which may sit at any depth inside a payload), where a few more
    names are credentials (:data:`_IN_URL`).
    """
    folded = _fold(name)
    if not folded or folded in _NOT_SECRET:
        return False
    if folded in {_fold(e) for e in extra} or folded in _ALWAYS or folded in _EXACT:
        return True
    if in_url and folded in _IN_URL:
        return True
    if folded.startswith(_WORDS) or folded.endswith(_WORDS):
        return True
    return folded.endswith(_SUFFIXES) or folded.startswith(_PREFIXES)


# A query or form pair, in a URL or anywhere in text: name=value up to the
# next separator. The name may not follow a word character, so "xkey=" inside
# a longer token is read whole. A URL inside a parameter (dl=, redirect=, a
# Referer inside a form) is percent-encoded once or more, or JSON-escaped:
# its "?", "&", ";", "#" and "=" then read %3F, %253F, \u0026, ..., and its
# pairs are found all the same (a value then ends at an encoded separator).
# After a word character (most positions of a URL) only an encoded separator can come
# before a name, and every one ends in 3, 6, b or f: one look at that character spares
# the eighteen look-behinds at most positions (the regular expression's time on the
# request lines of the bench HAR's result: 29 ms -> 17 ms).
_ENCODED_BEFORE = [f"%{'25' * depth}{code}" for depth in range(3) for code in ("3F", "3f", "26", "3B", "3b", "23")] + [
    "\\u0026",
    "\\u003f",
    "\\u003F",
]
_ENCODED_EQUALS = r"%(?:25)*3[dD]|\\u003[dD]"
_ENCODED_STOP = r"%(?:25)*(?:2[26cC]|3[bB]|23)|\\u0026"
_PAIR = re.compile(
    r"(?:(?<![\w\-.\[\]\\%])|(?<=[36bBfF])(?:" + "|".join(f"(?<={re.escape(b)})" for b in _ENCODED_BEFORE) + "))"
    rf"([\w.\-\[\]$]{{1,80}})(=|{_ENCODED_EQUALS})((?:(?!{_ENCODED_STOP})[^&\s;,\"'<>#])*)"
)
# A URL's user-info ("user:password@") wherever a URL sits: first in a request line or
# a Referer, inside a parameter (dl=, redirect=) or a payload, also when the URL is
# percent-encoded once or more ("http%3A%2F%2Fu%3Ap%40h") or JSON-escaped ("http:\/\/u:p@h").
# A scheme starts after a character that cannot be part of it, or after an encoded "="
# (a parameter of a URL encoded in turn); its user-info is read possessively: linear time.
_USERINFO = re.compile(
    r"((?:(?<![a-zA-Z0-9+.\-])|(?<=%3[dD])|(?<=%253[dD])|(?<=%25253[dD])|(?<=\\u003[dD]))"
    r"[a-zA-Z][a-zA-Z0-9+.\-]*(?::|%(?:25)*3[aA])(?:/|\\/|%(?:25)*2[fF]){2})"
    r"((?:[^/?#@\s&\"'<>\\%]|%(?!(?:25)*(?:2[fF]|3[fF]|23|40|26)))++)"
    r"(@|%(?:25)*40)"
)


def _may_hold_pair(text: str) -> bool:
    """Whether :data:`_PAIR` can match: its "=" is plain or ends in "3d" (``%3D``,
    ``%253D``, ``\\u003d``). The value of every pair is swept again for pairs of
    its own, and most values (ids, numbers, words) hold none."""
    return "=" in text or "3d" in text or "3D" in text


_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s\"'<>]+")
# "name": "value" in JSON-like text, also when the JSON sits escaped inside
# another JSON string (\"name\":\"value\").
_JSON_PAIR = re.compile(r'(\\*")([^"\\]{1,80})(\\*"\s*:\s*\\*")((?:[^"\\]|\\(?!\\*"))*)(\\*")')
# "Name: value" header lines.
_HEADER_LINE = re.compile(r"(?m)^([\w\-]{1,80})([ \t]*:[ \t]*)(\S.*)$")
# An authorization scheme and its credential.
_SCHEME_TOKEN = re.compile(r"(?i)\b(Bearer|Basic|Digest|Negotiate|Token)(\s+)([A-Za-z0-9._~+/=\-]{6,})")
# Credentials recognisable by their shape wherever they appear.
_SHAPES = re.compile(
    "|".join(
        (
            r"\beyJ[A-Za-z0-9_\-]{4,}\.eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*",  # JSON Web Token
            r"\bAKIA[0-9A-Z]{16}\b",  # AWS access key id
            r"\bAIza[0-9A-Za-z_\-]{35}",  # Google API key
            r"\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{10,}",  # Stripe keys
            r"\bgh[pousr]_[A-Za-z0-9]{36,}",  # GitHub tokens
            r"\bgithub_pat_[A-Za-z0-9_]{20,}",
            r"\bglpat-[A-Za-z0-9_\-]{20,}",  # GitLab token
            r"\bxox[abposr]-[A-Za-z0-9\-]{10,}",  # Slack tokens
            r"\bsk-[A-Za-z0-9_\-]{20,}",  # "sk-" API keys
        )
    )
)
_SECRET_PART = re.compile(r"^\s*(cookie|set-cookie)\b", re.IGNORECASE)
_LAST_NAME = re.compile(r"([\w\-$]+)[^\w\-$]*$")


@dataclass(frozen=True)
class Redactor:
    """What to mask: the built-in credential names and shapes, the
    declaration's ``redact:`` names; what never to mask: canary values."""

    enabled: bool = True
    names: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()

    @classmethod
    def for_declaration(cls, declaration: Declaration | None, *, enabled: bool = True) -> Redactor:
        if declaration is None:
            return cls(enabled=enabled)
        c = declaration.canaries
        keep = [v for v in (c.email, c.phone, c.name, c.advertising_id) if v]
        keep += [canary.value for canary in c.custom if canary.value]
        return cls(enabled=enabled, names=declaration.redact, keep=tuple(keep))

    def is_secret(self, name: str, *, in_url: bool = False) -> bool:
        return is_secret_name(name, self.names, in_url=in_url)

    def _mask(self, value: str) -> str:
        return value if not value or value == MASK or value in self.keep else MASK

    def _pairs(self, text: str, *, in_url: bool = False) -> str:
        """Secret ``name=value`` pairs masked; an encoded separator says the pair sits in a URL.
        The value of any other pair is swept in turn: it may be a URL encoded once more."""

        def masked(m: re.Match[str]) -> str:
            inner = in_url or m[2] != "="
            value = self._mask(m[3]) if self.is_secret(m[1], in_url=inner) else self._pairs(m[3], in_url=inner)
            return f"{m[1]}{m[2]}{value}"

        return _PAIR.sub(masked, text) if _may_hold_pair(text) else text

    def url(self, url: str) -> str:
        """The URL with credentials masked: the user-info part, and every parameter
        (query, fragment, ``;jsessionid=``), also of URLs encoded inside it."""
        if not self.enabled:
            return url
        return self._pairs(self._userinfo(url), in_url=True)

    def _userinfo(self, text: str) -> str:
        if "@" not in text and "40" not in text:  # no "@", encoded or not: no user-info
            return text
        return _USERINFO.sub(lambda m: f"{m[1]}{self._mask(m[2])}{m[3]}", text)

    def header(self, name: str, value: str) -> str:
        if not self.enabled:
            return value
        return self._mask(value) if self.is_secret(name) else self.text(value)

    def text(self, text: str) -> str:
        """Free text (an excerpt, a message, a location): every credential
        recognisable by its name or its shape masked. A result cites the same
        excerpts, hows and locations many times (one per request it lists), so
        short texts are swept once each."""
        if not self.enabled or not text:
            return text
        return _swept_cached(self, text) if len(text) <= _CACHED_TEXT else self._sweep(text)

    def _sweep(self, text: str) -> str:
        # Each pattern runs only where the text holds what every match of it needs (a
        # URL's "://", a header line's ":", a JSON pair's quote): most texts are URLs
        # or plain words, and a pattern tried at every position of them finds nothing.
        #
        # A text that is one URL (a request line's, a Referer, a page) goes without the
        # whole-text passes for user-info and pairs: :meth:`url` masks both in it, and
        # each pass masks what is masked already to the same mask (a value ends at the
        # same separator masked or not, and a pair read outside a URL is secret only if
        # it is within one). It has no quote, so no JSON pair. The pair pass took most of
        # the time of redacting a result (its request lines), and ran twice over each.
        if _URL.fullmatch(text) is not None:
            return self._tokens(self._header_lines(self.url(text)))
        return self._swept_text(text)

    def _swept_text(self, text: str) -> str:
        """:meth:`_sweep` by every pass (what a URL's shortcut is tested against)."""
        text = self._userinfo(text)
        if "://" in text:
            text = _URL.sub(lambda m: self.url(m[0]), text)
        text = self._header_lines(text)
        if '"' in text:
            text = _JSON_PAIR.sub(
                lambda m: f"{m[1]}{m[2]}{m[3]}{self._mask(m[4])}{m[5]}" if self.is_secret(m[2]) else m[0],
                text,
            )
        return self._tokens(self._pairs(text))

    def _header_lines(self, text: str) -> str:
        if ":" not in text:
            return text
        return _HEADER_LINE.sub(lambda m: f"{m[1]}{m[2]}{self._mask(m[3])}" if self.is_secret(m[1]) else m[0], text)

    def _tokens(self, text: str) -> str:
        """Authorization schemes' credentials and credential shapes masked (the last of :meth:`_sweep`)."""
        text = _SCHEME_TOKEN.sub(
            lambda m: f"{m[1]}{m[2]}{self._mask(m[3])}" if _is_credential(m[1], m[3]) else m[0], text
        )
        return _SHAPES.sub(lambda m: self._mask(m[0]), text)

    def location(self, location: str) -> str:
        """An evidence location (``cookie:c_user``, ``body > form:data > json:email``): each step's
        path swept as text, its kind kept. Swept whole, ``cookie:c_user`` would read as a
        ``Cookie:`` header line and lose the name that says which cookie carried the value."""
        if not self.enabled:
            return location
        steps = []
        for step in location.split(" > "):
            kind, colon, path = step.partition(":")
            steps.append(f"{kind}{colon}{self.text(path)}" if colon else self.text(step))
        return " > ".join(steps)

    def excerpt(self, location: str, excerpt: str) -> str:
        """An evidence excerpt: masked whole when it sat in a cookie or under
        a credential name (its location says so), else swept as text."""
        if not self.enabled:
            return excerpt
        last = _LAST_NAME.search(location)
        in_url = location.rpartition(" > ")[2].startswith(("query:", "url:"))
        if _SECRET_PART.match(location) or (last and self.is_secret(last[1], in_url=in_url)):
            return self._mask(excerpt)
        return self.text(excerpt)


_CACHED_TEXT = 1024
_swept_cached = lru_cache(maxsize=1 << 12)(Redactor._sweep)


def _is_credential(scheme: str, word: str) -> bool:
    """Whether the word after an authorization scheme is its credential, not
    prose ("Basic information"): a bearer token always; otherwise base64 of
    "user:password", or a word with a digit or symbol, or a long one."""
    if scheme.lower() == "bearer":
        return True
    if scheme.lower() == "basic":
        try:
            if b":" in base64.b64decode(word + "=" * (-len(word) % 4), validate=True):
                return True
        except (binascii.Error, ValueError):
            pass
    return len(word) >= 20 or any(not c.isalpha() for c in word)


def fingerprint(value: str) -> str:
    """ "sha256:1a2b3c4d": the first 8 hex digits of the value's SHA-256. The
    same value gives the same print in every request, and a reader holding
    the capture can recompute it; 32 bits cannot be turned back into the value."""
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]


def masked_value(value: str) -> str:
    """An identifier as reports show it: its first and last characters only
    when it is long enough that they give nothing away (never more than a
    sixth of it), its length and its :func:`fingerprint`:
    ``"a1b…5f6 (36 chars) sha256:1a2b3c4d"``, ``"… (9 chars) sha256:…"``."""
    n = len(value)
    keep = min(n // 12, 4)
    ends = f"{value[:keep]}…{value[-keep:]}" if keep else "…"
    return f"{ends} ({n} chars) {fingerprint(value)}"


def full_value(value: str) -> str:
    """What :func:`masked_value` becomes under ``--no-redact``: the value itself, with its print."""
    return f"{value} {fingerprint(value)}"


def _unmasked(f: Finding, keep: tuple[str, ...] | None) -> Finding:
    """A finding whose quoted values (``Evidence.value``) are shown in full
    where ``keep`` allows (None: all of them, under ``--no-redact``; else the
    canaries, the tester's own values). ``Evidence.value`` itself stays only
    under ``--no-redact``: so the full value only leaves the engine when asked for."""
    if not any(e.value for e in f.evidence):
        return f
    message, title = f.message, f.title
    evidence = []
    for e in f.evidence:
        if e.value and (keep is None or e.value in keep):
            shown, full = masked_value(e.value), full_value(e.value)
            message, title = message.replace(shown, full), title.replace(shown, full)
            evidence.append(replace(e, excerpt=e.excerpt.replace(shown, full), value=e.value if keep is None else None))
        else:
            evidence.append(replace(e, value=None))
    return replace(f, message=message, title=title, evidence=tuple(evidence))


def redact_url(url: str, extra: tuple[str, ...] = ()) -> str:
    """The URL with the values of credential-carrying query parameters masked."""
    return Redactor(names=extra).url(url)


@dataclass(frozen=True, slots=True)
class Seen:
    """What one result's redaction has masked so far. Both live only while one
    result is redacted and hold nothing its redacted copy does not hold anyway."""

    # By identity: id -> (the evidence, as masked).
    evidence: dict[int, tuple[Evidence, Evidence]] = field(default_factory=dict)
    # Request lines, as cited -> as masked: a request is cited by a piece of evidence per
    # data type and row it shows, and its line (up to a few kilobytes) is swept once.
    requests: dict[str, str] = field(default_factory=dict)


def _evidence(e: Evidence, r: Redactor, seen: Seen) -> Evidence:
    """``e`` as outputs show it. The engine shares one piece of evidence between
    a recipient row and its findings (``seen``, by identity, masks each once, so
    the redacted result shares it too), and one with nothing to mask is kept as it is."""
    known = seen.evidence.get(id(e))
    if known is not None:
        return known[1]
    request = seen.requests.get(e.request)
    if request is None:
        method, sep, rest = e.request.partition(" ")
        request = seen.requests[e.request] = method + sep + r.text(rest) if sep else r.text(e.request)
    location, how, excerpt = r.location(e.location), r.text(e.how), r.excerpt(e.location, e.excerpt)
    done = e
    if (request, location, how, excerpt) != (e.request, e.location, e.how, e.excerpt):
        done = replace(e, request=request, location=location, how=how, excerpt=excerpt)
    seen.evidence[id(e)] = (e, done)  # e kept with its id, so no other evidence can take that id meanwhile
    return done


def _finding(f: Finding, r: Redactor, seen: Seen) -> Finding:
    f = _unmasked(f, r.keep)
    return replace(
        f,
        title=r.text(f.title),
        message=r.text(f.message),
        evidence=tuple(_evidence(e, r, seen) for e in f.evidence),
    )


def _recipient(row: Recipient, r: Redactor, seen: Seen) -> Recipient:
    return replace(row, evidence=tuple(_evidence(e, r, seen) for e in row.evidence))


def redact_result(result: AuditResult, redactor: Redactor) -> AuditResult:
    """The result as every output may show it.

    With redaction off nothing is masked and the result is marked
    ``redacted=False``. Masking a result that was made unredacted (``flowaudit
    report`` of a ``--no-redact`` JSON) keeps that mark: the declaration's own
    ``redact:`` names are no longer known then, so the report still warns.
    """
    if not redactor.enabled:
        return replace(
            result,
            redacted=False,
            findings=tuple(_unmasked(f, None) for f in result.findings),
            suppressed=tuple(replace(s, finding=_unmasked(s.finding, None)) for s in result.suppressed),
        )
    r = redactor
    seen = Seen()
    return replace(
        result,
        recipients=tuple(_recipient(row, r, seen) for row in result.recipients),
        platform=tuple(_recipient(row, r, seen) for row in result.platform),
        findings=tuple(_finding(f, r, seen) for f in result.findings),
        suppressed=tuple(replace(s, finding=_finding(s.finding, r, seen)) for s in result.suppressed),
        phase_changes=tuple(
            replace(c, evidence=_evidence(c.evidence, r, seen) if c.evidence else None) for c in result.phase_changes
        ),
        consent_signals=tuple(
            replace(s, summary=r.text(s.summary), first=_evidence(s.first, r, seen)) for s in result.consent_signals
        ),
        decode_gaps=tuple(
            replace(g, examples=tuple(_evidence(e, r, seen) for e in g.examples)) for g in result.decode_gaps
        ),
    )
