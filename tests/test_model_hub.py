"""The default model on a machine that cannot reach the Hugging Face hub.

huggingface_hub retries an unreachable hub for about 30 s before giving up. A model
that is not in the local cache gets one short probe of the hub instead, and the
one-line error comes at once. These run `python -m briefing` in a child process with
an empty cache, HF_HUB_OFFLINE unset and HF_ENDPOINT pointing at a local socket, as a
new user would meet it. No timing is asserted; the subprocess timeout only keeps a
regression from hanging the suite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpserver import TestServer, unused_port

from briefing.options import DEFAULT_MODEL

pytest_plugins = ["httpserver"]  # the http_server fixture

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "samples" / "articles" / "bus-strike.md"
NOT_CACHED = f"Error: model {DEFAULT_MODEL!r} is not in the local Hugging Face cache and could not be downloaded ("
SAFETY_NET_SECONDS = 120  # the old behaviour took 25-80 s; the probe takes about 3


def brief_with_the_default_model(tmp_path: Path, endpoint: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env.update(HF_ENDPOINT=endpoint, HF_HOME=str(tmp_path / "hf"), BRIEFING_HOME=str(tmp_path / "home"))
    env.pop("BRIEFING_MODEL", None)
    return subprocess.run(
        [sys.executable, "-m", "briefing", "daily", str(ARTICLE), "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=SAFETY_NET_SECONDS,
        cwd=tmp_path,
    )


@pytest.fixture
def silent_hub() -> Iterator[str]:
    """A hub that accepts connections and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_hub_that_never_answers_gives_the_line_at_once(tmp_path: Path, silent_hub: str) -> None:
    result = brief_with_the_default_model(tmp_path, silent_hub)
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{NOT_CACHED}no answer from {silent_hub} within 3 s). On a connected machine run")
    assert "--fallback extractive" in line


def test_a_closed_port_gives_the_line_at_once(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{unused_port()}"
    result = brief_with_the_default_model(tmp_path, endpoint)
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{NOT_CACHED}cannot reach {endpoint}: ")
    assert "Connection refused" in line
    assert "Retrying" not in result.stderr


def test_a_hub_that_answers_is_asked_for_the_model(tmp_path: Path, http_server: TestServer) -> None:
    # The probe passes, so the real download path runs: it asks for the model's config
    # (this hub has no models, so the run still ends with the same line).
    endpoint = http_server.url("").rstrip("/")
    result = brief_with_the_default_model(tmp_path, endpoint)
    assert result.returncode == 1, result.stderr
    assert "HEAD /" in http_server.requests
    assert any(f"/{DEFAULT_MODEL}/resolve/main/config.json" in request for request in http_server.requests)
    [line] = result.stderr.splitlines()
    assert line.startswith(NOT_CACHED)
    assert "no answer from" not in line and "cannot reach" not in line
