"""Shared fixtures: headless Chromium with the network blocked, for opening our offline maps.

Chromium is the Debian package (``make browser``), driven by Playwright. Without it the browser
tests are skipped on a developer machine, but they FAIL when ``CI`` is set: a CI run that
silently skipped every browser test would prove nothing about the maps.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Every way out is closed: unknown host names, a proxy nobody listens on, no QUIC, no
# background fetches (component updates, sync, safe browsing lists).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
VIEWPORT = {"width": 1280, "height": 800}


def _is_local(url: str) -> bool:
    return url.startswith(LOCAL_SCHEMES)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """A headless Chromium shared by the session (each test gets its own context and page).

    Playwright's ``launch`` starts Chromium with a fresh temporary ``--user-data-dir`` (a new
    profile, deleted on close), so no cache, cookie or service worker survives between runs.
    """
    if shutil.which(str(CHROMIUM)) is None:
        reason = f"{CHROMIUM} not found; install it with `make browser`"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set: browser tests must run, not skip)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_context(chromium_browser: Any) -> Iterator[Any]:
    """A fresh browser context (own storage) for one test."""
    context = chromium_browser.new_context(viewport=VIEWPORT, locale="vi-VN", service_workers="block")
    try:
        yield context
    finally:
        context.close()


OpenedMap = tuple[Any, list[str], list[str], list[str]]


@pytest.fixture
def open_map(browser_context: Any) -> Callable[[str | os.PathLike[str]], OpenedMap]:
    """Open an HTML file in the browser: ``open_map(path) -> (page, requests, console_errors, page_errors)``.

    - ``requests``: URL of every request that is not ``file:``/``data:``/``blob:``/``about:``
      (each is also aborted, so a map that needs the network fails visibly);
    - ``console_errors``: text of console messages of type ``error`` (a CSP violation is one);
    - ``page_errors``: uncaught exceptions, plus ``dialog(<type>): <message>`` for every
      alert/confirm/prompt the page opens (dismissed). The dialog listener is registered before
      the page loads, so a dialog fired during load is not missed.

    The lists keep growing while the test interacts with the page.
    """

    def _open(path: str | os.PathLike[str]) -> OpenedMap:
        page = browser_context.new_page()
        page.set_default_timeout(10_000)  # a map is one local file: fail fast, not after 30 s
        requests: list[str] = []
        console_errors: list[str] = []
        page_errors: list[str] = []

        def on_request(request: Any) -> None:
            if not _is_local(request.url):
                requests.append(request.url)

        def on_dialog(dialog: Any) -> None:
            page_errors.append(f"dialog({dialog.type}): {dialog.message}")
            dialog.dismiss()

        page.route(lambda url: not _is_local(url), lambda route: route.abort())
        page.on("request", on_request)
        page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: page_errors.append(str(exc)))
        page.on("dialog", on_dialog)
        # Loading parses megabytes of inline script (a province page, a folium page): on a shared
        # 2-core machine that took over 10 s once, so the load alone gets more time.
        page.goto(Path(path).resolve().as_uri(), wait_until="load", timeout=45_000)
        return page, requests, console_errors, page_errors

    return _open


@pytest.fixture
def png_stats(browser_context: Any) -> Callable[[bytes], dict[str, float]]:
    """Decode a PNG in the browser (no Pillow needed): ``png_stats(png) -> stats``.

    The stats are ``width``, ``height``, ``colours`` (distinct RGB values on a sampling grid) and
    ``dominant_share`` (share of sampled pixels that have the most common colour).
    """

    def _stats(png: bytes) -> dict[str, float]:
        page = browser_context.new_page()
        try:
            return page.evaluate(
                """async (b64) => {
                    const img = new Image();
                    img.src = "data:image/png;base64," + b64;
                    await img.decode();
                    const canvas = document.createElement("canvas");
                    canvas.width = img.naturalWidth;
                    canvas.height = img.naturalHeight;
                    const ctx = canvas.getContext("2d");
                    ctx.drawImage(img, 0, 0);
                    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
                    const counts = new Map();
                    let sampled = 0;
                    for (let y = 0; y < canvas.height; y += 4) {
                        for (let x = 0; x < canvas.width; x += 4) {
                            const i = (y * canvas.width + x) * 4;
                            const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
                            counts.set(key, (counts.get(key) || 0) + 1);
                            sampled += 1;
                        }
                    }
                    return {width: canvas.width, height: canvas.height, colours: counts.size,
                            dominant_share: Math.max(...counts.values()) / sampled};
                }""",
                base64.b64encode(png).decode("ascii"),
            )
        finally:
            page.close()

    return _stats


@pytest.fixture(scope="session")
def sample_workspace() -> Any:
    """The embedded illustrative sample, loaded once (a Workspace is immutable)."""
    from ntmgis.workspace import load_workspace

    return load_workspace()


@pytest.fixture(scope="session")
def sample_assessment(sample_workspace: Any) -> Any:
    """``assess()`` of the sample, computed once; tests read it and must not modify its frames."""
    from ntmgis.assessment import assess

    return assess(sample_workspace)
