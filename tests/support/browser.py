"""The real browser of the e2e lane: headless Debian Chromium driven by Playwright (never
`playwright install`). Missing chromium: skipped with the reason, a failure in CI."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.services import unavailable

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # screenshots and app logs (git-ignored)


# one browser per module, not per session: Playwright's sync API keeps its event loop marked as
# running in this thread while it is open, and any later test that runs a loop of its own
# (anyio.run, asyncio.run) would fail with "another loop is running"
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        unavailable("Chromium", f"no {CHROMIUM} (apt-get install chromium fonts-nanum fonts-noto-color-emoji)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()
