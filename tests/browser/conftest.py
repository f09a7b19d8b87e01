"""Headless Chromium for the browser tests of the HTML view.

Debian's ``chromium`` (or ``$KG_CHROMIUM``) driven by Playwright's Python
package; Playwright's own browser download is never used. Without either, the
tests skip with the reason, except in CI (``CI=true``), where they fail: CI
must run them.

Every page is opened in a fresh, offline browser context in which any request
that is not for a ``file:`` URL is aborted and recorded, with console errors,
uncaught exceptions and dialogs (``alert``) recorded too.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}


def chromium_path() -> str | None:
    """The Chromium to drive: ``$KG_CHROMIUM`` if set, else ``chromium`` on the PATH or Debian's."""
    chosen = os.environ.get("KG_CHROMIUM")
    candidates = [chosen] if chosen else [shutil.which("chromium"), "/usr/bin/chromium"]
    return next((c for c in candidates if c and Path(c).is_file()), None)


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -e '.[test]' (or pip install playwright)"
    if chromium_path() is None:
        return "no Chromium: apt-get install chromium (or set KG_CHROMIUM to its path)"
    return None


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (Playwright gives it a fresh temporary profile)."""
    why = _missing()
    if why:
        if _in_ci():
            pytest.fail(f"the browser tests must run in CI, but: {why}", pytrace=False)
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Opened:
    """A page opened by :func:`open_page`, with what happened while it ran."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        """Evaluate a JavaScript expression or function in the page."""
        return self.page.evaluate(expression, arg)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Opened]]:
    """Open an HTML file offline and wait until the network is drawn (``window.kgReady``)."""
    contexts: list[Any] = []

    def open_(path: Path, *, bypass_csp: bool = False) -> Opened:
        context = browser.new_context(viewport=VIEWPORT, offline=True, bypass_csp=bypass_csp)
        contexts.append(context)
        opened = Opened(page=None, url=path.resolve().as_uri())

        def route(route: Any) -> None:
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                opened.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        opened.page = page
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on(
            "console",
            lambda msg: opened.errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda err: opened.errors.append(f"uncaught: {err}"))

        def dialog(d: Any) -> None:
            opened.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.goto(opened.url)
        # A selector, not wait_for_function: the page's CSP forbids the eval that would need.
        page.wait_for_selector("html[data-kg-ready]", state="attached", timeout=30_000)
        return opened

    yield open_
    for context in contexts:
        context.close()


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes) into rows.

    Returns ``(width, channels, rows)``; each row holds ``width * channels`` bytes.
    """
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, channels, rows
