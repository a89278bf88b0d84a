"""Look at the sample HTML briefing in a real browser (headless Chromium)."""

from __future__ import annotations

import html
import json
import re
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
    for section in ('class="who"', 'class="stand"', 'class="next"', 'class="summary"', 'class="detail"'):
        assert dom.count(section) >= 6, section
    for section in ('class="glance"', 'class="agenda"', 'class="timeline"'):
        assert section in dom
    shot = tmp_path / "shot.png"
    _run(chromium, tmp_path, f"--screenshot={shot}", "--window-size=412,1600")  # a phone-sized viewport
    width, height, raw = _png_pixels(shot)
    assert (width, height) == (412, 1600)
    # Not blank: many distinct byte values (text, rules, tags), not one flat colour.
    assert len(set(raw)) > 50
    assert raw.count(raw[1]) / len(raw) < 0.98


# A trusted, test-only probe (the page's CSP removed so it can run): it reads the detail
# blocks and the timeline as laid out, clicks the first block's summary, and reports in the title.
PROBE = """<script>addEventListener("load", function () {
  var blocks = Array.prototype.slice.call(document.querySelectorAll("details.detail"));
  var first = blocks[0], inside = first.querySelector("section.positions");
  var report = {blocks: blocks.length, closed: blocks.filter(function (d) { return !d.open; }).length,
                hiddenBefore: !inside.checkVisibility()};
  first.querySelector("summary").click();
  report.openAfterClick = first.open;
  report.shownAfterClick = inside.checkVisibility() && inside.getBoundingClientRect().height > 0;
  var svg = document.querySelector("svg.timeline"), box = svg.getBoundingClientRect();
  var marks = Array.prototype.slice.call(svg.querySelectorAll("circle.mark"));
  report.timeline = {width: box.width, height: box.height, marks: marks.length,
                     drawn: marks.filter(function (m) { var r = m.getBoundingClientRect(); return r.width > 4 && r.left >= box.left && r.right <= box.right; }).length,
                     links: svg.querySelectorAll("a").length};
  document.title = "probe:" + JSON.stringify(report);
});</script>"""
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?')


def test_detail_is_folded_until_clicked_and_the_timeline_is_drawn(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "probed.html"
    page.write_text(CSP.sub("", PAGE.read_text(encoding="utf-8")).replace("</body>", PROBE + "</body>", 1))
    command = [
        chromium,
        *FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=2000",
        "--dump-dom",
        page.as_uri(),
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    title = html.unescape(re.search(r"<title>probe:(.*?)</title>", dom, re.DOTALL).group(1))  # type: ignore[union-attr]
    report = json.loads(title)
    assert report["blocks"] >= 6 and report["closed"] == report["blocks"]  # every detail block starts folded
    assert report["hiddenBefore"] and report["openAfterClick"] and report["shownAfterClick"], report
    timeline = report["timeline"]
    assert timeline["width"] > 300 and timeline["height"] > 30
    assert timeline["marks"] >= 3 and timeline["drawn"] == timeline["marks"] == timeline["links"]
