"""The endpoint backend against a real OpenAI-compatible server: `transformers serve`
(transformers[serving]) on 127.0.0.1 with SmolLM2-135M-Instruct. The server gets the
safetensors folder the model cache makes from the .gguf (the .gguf itself has no
`architectures` in its config, and the server cannot load it).

What is checked: the same summaries through the server as in-process, with the same
greedy settings; a whole briefing with the same sections; a server killed mid-run
gives a clear error. (429s and slow answers cannot be provoked from a real server;
test_endpoint.py covers them against a scripted one.)"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from briefing.cli import main
from briefing.errors import ModelRunError
from briefing.models import endpoint, load_model
from briefing.models.base import SummaryRequest
from briefing.options import GenerationSettings, ModelSpec

pytestmark = pytest.mark.model
REPO = Path(__file__).resolve().parent.parent
GGUF = Path(os.environ.get("BRIEFING_TEST_GGUF", REPO / ".models" / "SmolLM2-135M-Instruct.Q4_1.gguf"))
ARTICLES = REPO / "samples" / "articles"
SERVER_START_SECONDS = 180


@pytest.fixture(scope="module")
def served_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dequantised SmolLM2 folder, made by loading the .gguf once through the chat backend."""
    if not GGUF.is_file():
        pytest.fail(f"{GGUF} is missing: run `make model` (README) to fetch SmolLM2-135M-Instruct")
    from briefing.models import hf

    home = tmp_path_factory.mktemp("serve-home")
    previous = os.environ.get("BRIEFING_HOME")
    os.environ["BRIEFING_HOME"] = str(home)
    try:
        load_model(ModelSpec(name=str(GGUF), device="cpu"))
        folder = hf.converted_gguf_folder(GGUF)
    finally:
        if previous is None:
            os.environ.pop("BRIEFING_HOME", None)
        else:
            os.environ["BRIEFING_HOME"] = previous
    assert (folder / "config.json").is_file(), "the chat backend did not save the converted folder"
    return folder


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def transformers_serve(folder: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "transformers"),
        "serve",
        str(folder),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--device",
        "cpu",
        "--dtype",
        "float32",  # as the in-process backend runs on CPU
        *extra,
    ]
    log = open(folder.parent / f"serve-{port}.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"transformers serve exited: {(folder.parent / f'serve-{port}.log').read_text()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"transformers serve did not answer within {SERVER_START_SECONDS} s")
            time.sleep(0.5)
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


@pytest.fixture(scope="module")
def server(served_folder: Path) -> Iterator[str]:
    with transformers_serve(served_folder) as (url, _):
        yield url


def _requests() -> list[SummaryRequest]:
    texts = [(ARTICLES / name).read_text(encoding="utf-8") for name in ("bus-strike.md", "teachers-pay.txt")]
    return [SummaryRequest(text[:2500], "article", text.splitlines()[0].lstrip("# ")) for text in texts]


def test_the_server_gives_the_in_process_summaries(served_folder: Path, server: str) -> None:
    settings = GenerationSettings(max_new_tokens=60)
    served = load_model(ModelSpec(name=str(served_folder), endpoint=server)).summarise(_requests(), settings)
    local = load_model(ModelSpec(name=str(served_folder), device="cpu")).summarise(_requests(), settings)
    assert all(len(summary.split()) > 5 for summary in served)
    assert served == local


def test_a_briefing_through_the_server_has_the_local_sections(
    served_folder: Path, server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [str(ARTICLES / "bus-strike.md"), str(ARTICLES / "riverside-housing.html")]
    common = ["daily", *sources, "--model", str(served_folder), "--date", "2026-11-27", "--no-cache"]
    runs = {}
    for name, extra in (("served", ["--endpoint", server]), ("local", ["--device", "cpu"])):
        out = tmp_path / f"{name}.json"
        result = CliRunner().invoke(main, [*common, *extra, "-o", str(out)])
        assert result.exit_code == 0, result.output
        runs[name] = json.loads(out.read_text())
    served, local = runs["served"], runs["local"]
    assert served["model"]["backend"] == "endpoint" and served["model"]["endpoint"].startswith("127.0.0.1:")
    for ours, theirs in zip(served["articles"], local["articles"], strict=True):
        for key in ("summary", "actors", "positions", "next_steps"):
            assert ours[key] == theirs[key], key


def test_a_server_killed_mid_run_is_a_clear_error(served_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(endpoint, "DEFAULT_RETRY", endpoint.RetryPolicy(attempts=2, first_wait=0.1))
    with transformers_serve(served_folder) as (url, process):
        model = load_model(ModelSpec(name=str(served_folder), endpoint=url))
        answered: list[str] = []

        def kill_after_first(index: int, summary: str) -> list[SummaryRequest]:
            answered.append(summary)
            process.send_signal(signal.SIGKILL)  # kill -9: no goodbye to the clients
            process.wait(10)
            return []

        many = _requests() * 3
        with pytest.raises(ModelRunError, match=r"endpoint http://127\.0\.0\.1:\d+/v1: (cannot reach it|no answer)"):
            model.summarise_chained(many, GenerationSettings(max_new_tokens=20, concurrency=1), kill_after_first)
    assert len(answered) == 1
