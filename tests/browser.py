"""Headless Chromium for the tests that look at pages in a real browser."""

from __future__ import annotations

import os
import shutil

import pytest

# As root, in a sandbox with no network: no sandboxing, no GPU, no background traffic.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> str:
    """Chromium's path; skips the test where it is missing, fails where it is required (CI)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if path is None:
        if os.environ.get("BRIEFING_REQUIRE_BROWSER"):
            pytest.fail("chromium is required here (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium); CI installs it")
    return path
