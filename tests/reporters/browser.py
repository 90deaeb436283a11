"""Headless Chromium driven over the DevTools protocol, for the HTML report tests.

The protocol runs over a pipe (``--remote-debugging-pipe``: file descriptors 3
and 4 of the browser, messages ended by a NUL byte), so no port is opened and
the browser can run with no network at all: under ``unshare -n`` when the
test runs as root, it sits in a namespace without even loopback. Network
events are still reported for every request a page *tries* to make, which is
what the tests assert on.

Debian's ``chromium`` (installed by ``.ci/run``); tests skip without it.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Painting a whole long page (a screenshot beyond the viewport, a PDF) is Chromium's slowest call: a
# 10,000-flow report's screenshot took over 30 s on a 2-core machine at load 17 (clean-clone CI run).
# These calls make artifacts; what the tests assert is counted, not timed.
PAINT_TIMEOUT = 180.0

FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)


def _can_unshare() -> bool:
    unshare = shutil.which("unshare")
    if not unshare or os.geteuid() != 0:
        return False
    return subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0


class CdpError(RuntimeError):
    pass


@dataclass
class Page:
    """One tab, attached with its own session; events recorded as they come."""

    browser: Browser
    session: str
    target: str
    events: list[dict[str, Any]] = field(default_factory=list)

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        return self.browser.wait_for(method, session=self.session, timeout=timeout)

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page (DevTools runs it even where the page's CSP forbids scripts)."""
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in reply:
            raise CdpError(str(reply["exceptionDetails"]))
        return reply["result"].get("value")

    def navigate(self, url: str, timeout: float = 30) -> float:
        """Open ``url``; seconds from the request until the load event."""
        self.events.clear()
        self.browser.forget_events(self.session)
        start = time.monotonic()
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired", timeout=timeout)
        return time.monotonic() - start

    def of(self, method: str) -> list[dict[str, Any]]:
        return [e["params"] for e in self.events if e["method"] == method]

    def screenshot(self, path: Path) -> Path:
        """A PNG of the whole page, not just the viewport."""
        self.send("Page.bringToFront")  # a tab in the background paints no frame to capture
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]  # works with JavaScript off too
        width, height = size["width"], size["height"]
        shot = self.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
            timeout=PAINT_TIMEOUT,
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def pdf(self, path: Path) -> Path:
        self.send("Page.bringToFront")
        reply = self.send(
            "Page.printToPDF",
            {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True},
            timeout=PAINT_TIMEOUT,
        )
        path.write_bytes(base64.b64decode(reply["data"]))
        return path

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})


class Browser:
    def __init__(self) -> None:
        assert CHROMIUM, "chromium is not installed"
        self.profile = tempfile.mkdtemp(prefix="flowaudit-chromium-")
        self.offline = _can_unshare()
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        args = [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        if self.offline:
            args = ["unshare", "-n", *args]

        def wire_pipes() -> None:
            # In the child: the protocol expects fds 3 and 4. Move both ends
            # out of the way first, so neither is overwritten by the other.
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_r, from_browser_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes,
            pass_fds=(3, 4),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self._pending: list[dict[str, Any]] = []
        self._pages: dict[str, Page] = {}
        self.send("Target.setDiscoverTargets", {"discover": False})

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("timed out waiting for Chromium")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise CdpError(f"Chromium exited (code {self.process.poll()})")
                self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        if "method" in message and message.get("sessionId") in self._pages:
            self._pages[message["sessionId"]].events.append(message)
        return message

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None, timeout: float = 30
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self._pending.append(reply)

    def wait_for(self, method: str, *, session: str | None = None, timeout: float = 30) -> dict[str, Any]:
        for n, event in enumerate(self._pending):
            if event["method"] == method and event.get("sessionId") == session:
                del self._pending[n]
                return event["params"]  # type: ignore[no-any-return]
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_message(deadline)
            if message.get("method") == method and message.get("sessionId") == session:
                return message["params"]  # type: ignore[no-any-return]
            if "method" in message:
                self._pending.append(message)

    def forget_events(self, session: str) -> None:
        self._pending = [e for e in self._pending if e.get("sessionId") != session]

    def new_page(self, width: int = 1200, height: int = 900, *, javascript: bool = True) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session, target)
        self._pages[session] = page
        for domain in ("Page", "Network", "Runtime", "Log"):
            page.send(f"{domain}.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        if not javascript:
            page.send("Emulation.setScriptExecutionDisabled", {"value": True})
        return page

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except CdpError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)
