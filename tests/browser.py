"""A small Chrome DevTools Protocol client for the book's browser tests (tests/test_book.py).

Why not ``--dump-dom`` + ``--enable-logging``: the log mixes console output with Chromium's own
noise, says nothing about which URLs a page requested, and cannot click. Over the DevTools
protocol the test sees every console error and uncaught exception, every network request (so a
CDN fetch fails the test even when it would succeed online), can click a plotly slider step and
take a full-page screenshot, all from one browser process.

Usage::

    with Browser() as browser:
        page = browser.open(url)          # waits for load, MathJax and plotly
        page.errors, page.requests        # collected while loading
        page.eval("document.title")
        page.screenshot(path)
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import websocket  # websocket-client

FLAGS = [
    "--headless",
    "--no-sandbox",
    # no GPU here: the GPU process runs ANGLE on SwiftShader (CPU). With --disable-gpu instead,
    # the compositor reads every changed WebGL canvas back ("GPU stall due to ReadPixels" in
    # the console of a page whose 3-D figure moves), which a reader's browser never does
    "--use-angle=swiftshader",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    # and opting in to WebGL on SwiftShader keeps Chromium's "automatic fallback to software
    # WebGL" deprecation warning off every page with a 3-D figure
    "--enable-unsafe-swiftshader",
    "--remote-debugging-port=0",  # a free port, written to DevToolsActivePort
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "devtools:")
# a JavaScript function: focus the element just before ``target`` in Tab order (what the
# keyboard reaches, folded-away elements left out), so one real Tab then reaches ``target``
FOCUS_BEFORE = r"""(target) => {
  const focusable = [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]')]
    .filter(e => e.tabIndex >= 0 && !e.disabled && e.checkVisibility());
  const before = focusable.filter(
    e => e !== target && (e.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING)
      && !target.contains(e));
  before[before.length - 1].focus();
}"""


def _group_alive(group: int) -> bool:
    """Whether any process of the process group ``group`` is still running."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


class Browser:
    """One headless Chromium, driven over the DevTools protocol."""

    def __init__(self, executable: str | None = None, timeout: float = 60.0):
        self.executable = executable or shutil.which("chromium")
        if self.executable is None:
            raise FileNotFoundError("chromium is not installed (bash scripts/ensure-chromium.sh)")
        self.timeout = timeout
        self._ids = itertools.count(1)

    def __enter__(self) -> Browser:
        self._profile = tempfile.TemporaryDirectory()
        self._proc = subprocess.Popen(
            [self.executable, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its helper processes too can be stopped as one group
        )
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if time.monotonic() > deadline or self._proc.poll() is not None:
                self.__exit__(None, None, None)
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.05)
        port, path = port_file.read_text().split()[:2]
        self._ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", timeout=self.timeout, suppress_origin=True
        )
        return self

    def __exit__(self, *exc) -> None:
        if getattr(self, "_ws", None) is not None:
            self._ws.close()
        # the whole process group: a helper (crash handler, utility process) that outlives the
        # browser can still write into the profile while it is being removed
        group = self._proc.pid  # start_new_session: the group's id is the browser's pid
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                continue
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and _group_alive(group):
                time.sleep(0.05)
            if not _group_alive(group):
                break
        self._profile.cleanup()

    # --- protocol ------------------------------------------------------------------------------
    def send(
        self, method: str, params: dict | None = None, session: str | None = None, on_event=None
    ):
        """Send one command and return its result; events that arrive meanwhile go to on_event."""
        msg_id = next(self._ids)
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self._ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self._ws.recv())
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if on_event is not None and "method" in reply:
                on_event(reply)

    def open(
        self,
        url: str,
        width: int = 1280,
        height: int = 900,
        *,
        scale: float = 1,
        mobile: bool = False,
    ) -> Page:
        """A new tab showing ``url``. ``scale`` is the device pixel ratio; ``mobile`` emulates
        a phone (mobile viewport and touch events)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session, target)
        page.scale, page.mobile = scale, mobile
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile},
        )
        if mobile:
            page.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
        page.navigate(url)
        return page


class Page:
    """One tab: what it logged and requested, and helpers to query and drive it."""

    def __init__(self, browser: Browser, session: str, target: str):
        self.browser, self.session, self.target = browser, session, target
        self.errors: list[str] = []  # console errors and uncaught exceptions
        self.messages: list[str] = []  # every console message and log entry, of any level
        self.scale, self.mobile = 1.0, False  # device pixel ratio, phone emulation (open())
        self.requests: list[str] = []  # every URL the page asked for
        self.failed: list[str] = []  # requests that failed or were answered with an HTTP error
        self._loaded = False
        self._urls: dict[str, str] = {}

    def _on_event(self, event: dict) -> None:
        if event.get("sessionId") != self.session:
            return
        method, p = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text", "")
            self.errors.append(f"uncaught: {text} ({d.get('url', '')}:{d.get('lineNumber')})")
        elif method == "Runtime.consoleAPICalled":
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
            self.messages.append(f"console.{p['type']}: {args}")
            if p["type"] in ("error", "assert"):
                self.errors.append(f"console.{p['type']}: {args}")
        elif method == "Log.entryAdded":
            e = p["entry"]
            text = f"({e['source']}): {e['text']} {e.get('url', '')}"
            self.messages.append(f"log {e['level']} {text}")
            if e["level"] == "error":
                self.errors.append(f"log {text}")
        elif method == "Network.requestWillBeSent":
            self.requests.append(p["request"]["url"])
            self._urls[p["requestId"]] = p["request"]["url"]
        elif method == "Network.responseReceived":
            status = p["response"].get("status", 200)
            if status >= 400:  # an HTTP error (a 404) is a response, not a failed load
                self.failed.append(f"{p['response']['url']}: HTTP {status}")
        elif method == "Network.loadingFailed":
            url = self._urls.get(p["requestId"], "?")
            self.failed.append(f"{url}: {p.get('errorText')}")
        elif method == "Page.loadEventFired":
            self._loaded = True

    def send(self, method: str, params: dict | None = None):
        return self.browser.send(method, params, self.session, self._on_event)

    def pump(self, seconds: float) -> None:
        """Let the page run for a while, collecting its events."""
        self.eval(f"new Promise(r => setTimeout(r, {int(seconds * 1000)}))")

    def navigate(self, url: str) -> None:
        self._loaded = False
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + self.browser.timeout
        while not self._loaded:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not finish loading")
            self.pump(0.1)
        # MathJax typesets asynchronously after load; the book's figure script draws its plotly
        # figures one per task after load (window.dqlFigures.ready), plain plotly on execution
        self.eval(
            "(window.MathJax && MathJax.startup && MathJax.startup.promise)"
            " ? MathJax.startup.promise.then(() => true) : true"
        )
        self.eval("window.dqlFigures ? window.dqlFigures.ready.then(() => true) : true")
        self.pump(0.3)

    def eval(self, expression: str):
        """Evaluate a JavaScript expression (promises awaited) and return its JSON value."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, x: float, y: float) -> None:
        """A real mouse click at page (CSS pixel) coordinates of the current viewport."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )

    def key(self, key: str, code: str | None = None, key_code: int | None = None) -> None:
        """A real key press (down, up) on the focused element, e.g. ``key("ArrowRight")``."""
        codes = {"ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40,
                 "Enter": 13, "Tab": 9, " ": 32, "Home": 36, "End": 35}  # fmt: skip
        vk = key_code if key_code is not None else codes.get(key, 0)
        for kind in ("rawKeyDown", "keyUp"):
            self.send(
                "Input.dispatchKeyEvent",
                {"type": kind, "key": key, "code": code or key, "windowsVirtualKeyCode": vk,
                 "nativeVirtualKeyCode": vk},
            )  # fmt: skip

    def swipe(self, x: float, y: float, dy: float, steps: int = 8) -> None:
        """A one-finger vertical swipe by ``dy`` CSS pixels starting at (x, y), with real
        touch events (a page on ``mobile=True``), as a reader scrolls on a phone."""
        points = [(x, y + dy * i / steps) for i in range(steps + 1)]
        self.send("Input.dispatchTouchEvent",
                  {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})  # fmt: skip
        for px, py in points[1:]:
            self.send("Input.dispatchTouchEvent",
                      {"type": "touchMove", "touchPoints": [{"x": px, "y": py}]})  # fmt: skip
            self.pump(0.016)
        self.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    def screenshot(self, path: Path, full_page: bool = True, width: int = 1280) -> None:
        """A PNG of the page; full_page grows the viewport to the document's height first
        (a clip beyond the viewport shifts fixed-position layouts)."""
        if full_page:
            height = self.eval("document.documentElement.scrollHeight")
            self.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": min(height, 16000),
                 "deviceScaleFactor": self.scale, "mobile": self.mobile},
            )  # fmt: skip
            self.pump(0.5)  # let plotly's resize handlers redraw
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def nonlocal_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})
