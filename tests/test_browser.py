"""Look at the sample HTML briefing in a real browser (headless Chromium)."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from browser import FLAGS as BROWSER_FLAGS
from browser import require_chromium

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "samples" / "briefing.html"
FLAGS = [*BROWSER_FLAGS, "--hide-scrollbars"]


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


def _run(chromium: str, tmp_path: Path, *args: str) -> str:
    profile = tmp_path / "profile"
    command = [chromium, *FLAGS, f"--user-data-dir={profile}", *args, PAGE.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout


def _png_pixels(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        if data[offset + 4 : offset + 8] == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    return width, height, zlib.decompress(b"".join(chunks))


def test_sample_briefing_renders_with_all_sections(chromium: str, tmp_path: Path) -> None:
    assert PAGE.is_file(), "run `make demo` to regenerate samples/briefing.html"
    dom = _run(chromium, tmp_path, "--dump-dom")
    assert dom.count('class="story"') >= 6
    for section in ('class="actors"', 'class="positions"', 'class="next-steps"', 'class="summary"', 'class="contents"'):
        assert dom.count(section) >= 6 or section == 'class="contents"' and section in dom
    shot = tmp_path / "shot.png"
    _run(chromium, tmp_path, f"--screenshot={shot}", "--window-size=412,1600")  # a phone-sized viewport
    width, height, raw = _png_pixels(shot)
    assert (width, height) == (412, 1600)
    # Not blank: many distinct byte values (text, rules, tags), not one flat colour.
    assert len(set(raw)) > 50
    assert raw.count(raw[1]) / len(raw) < 0.98
