"""The OpenAI-compatible endpoint backend against a scriptable local server
(tests/openai_server.py): what it sends, how many at once, retries, timeouts,
a server that is down or dies mid-run, and the CLI and digest around it.
The same backend against a real `transformers serve` is in test_endpoint_server.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openai_server import FakeOpenAIServer

from briefing.article import Article
from briefing.cache import open_cache
from briefing.cli import main
from briefing.config import ConfigError, parse_config
from briefing.errors import ModelLoadError, ModelRunError
from briefing.models import endpoint, load_model
from briefing.models.base import SummaryRequest
from briefing.options import GenerationSettings, ModelSpec
from briefing.summarise import summarise_articles

ARTICLE = (
    "Council votes to close library\n\n"
    "The city council voted on Tuesday to close the Riverside library. "
    "Councillor Ann Lee said the decision was painful but necessary. "
    "Residents will protest outside the town hall on Friday."
)


class RecordingRetry(endpoint.RetryPolicy):
    """Retries at once, and remembers what the server asked it to wait."""

    def __init__(self, attempts: int = 3) -> None:
        super().__init__(attempts=attempts, first_wait=0.0)
        object.__setattr__(self, "asked", [])

    def wait(self, attempt: int, retry_after: float | None) -> float:
        self.asked.append(retry_after)  # type: ignore[attr-defined]
        return 0.0


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["tiny"]) as fake:
        yield fake


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(endpoint, "DEFAULT_RETRY", endpoint.RetryPolicy(attempts=3, first_wait=0.01))
    monkeypatch.delenv("BRIEFING_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("BRIEFING_ENDPOINT", raising=False)


def model_for(server: FakeOpenAIServer, name: str = "tiny", **kwargs) -> endpoint.EndpointModel:  # type: ignore[no-untyped-def]
    return endpoint.EndpointModel(ModelSpec(name=name, endpoint=server.url), **kwargs)


def requests(count: int) -> list[SummaryRequest]:
    return [SummaryRequest(f"Article number {n}. It says something.", "article", f"Title {n}") for n in range(count)]


def test_requests_decode_greedily_with_the_chat_prompts_and_answers_come_back_in_order(
    server: FakeOpenAIServer,
) -> None:
    server.delay = 0.05
    model = model_for(server)
    summaries = model.summarise(requests(5), GenerationSettings(max_new_tokens=40))
    assert len(summaries) == 5 and all(s.startswith("Summary") for s in summaries)
    titles = [json.dumps(body["messages"]) for body in server.requests]
    for n, summary in enumerate(summaries):  # each answer belongs to its own request
        asked = next(i for i, messages in enumerate(titles) if f"Title {n}" in messages)
        assert summary.startswith(f"Summary {asked + 1}:")
    body = server.requests[0]
    assert body["model"] == "tiny" and body["temperature"] == 0 and body["seed"] == endpoint.SEED
    assert body["max_tokens"] == 40 and body["stream"] is False
    roles = [message["role"] for message in body["messages"]]
    assert roles == ["system", "user"]
    assert "Article number" in body["messages"][1]["content"]


def test_no_more_than_concurrency_requests_are_in_flight(server: FakeOpenAIServer) -> None:
    server.delay = 0.2
    model_for(server).summarise(requests(12), GenerationSettings(concurrency=3))
    assert server.max_in_flight == 3
    assert len(server.requests) == 12


def test_long_articles_map_then_reduce_through_the_server(server: FakeOpenAIServer) -> None:
    long_text = " ".join(f"Sentence number {n} is about the council budget." for n in range(60))
    model = endpoint.EndpointModel(ModelSpec(name="tiny", endpoint=server.url, max_input_tokens=64))
    [summary] = summarise_articles(
        [Article(source="a.txt", title="Budget", text=long_text)], model, GenerationSettings()
    )
    kinds = [body["messages"][1]["content"] for body in server.requests]
    assert summary.parts > 1
    assert len(kinds) > summary.parts  # the parts, then at least one combining request


def test_429_with_retry_after_and_503_are_retried_until_answered(server: FakeOpenAIServer) -> None:
    server.script = [(429, {"Retry-After": "7"}), (503, {})]
    retry = RecordingRetry(attempts=3)
    [summary] = model_for(server, retry=retry).summarise(requests(1), GenerationSettings())
    assert summary.startswith("Summary 3:")
    assert retry.asked == [7.0, None]  # Retry-After honoured; the 503 had none


def test_retry_after_as_an_http_date() -> None:
    assert endpoint.retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412500.0) == 10.0
    assert endpoint.retry_after_seconds("3") == 3.0
    assert endpoint.retry_after_seconds("soon") is None


def test_the_wait_grows_and_is_capped() -> None:
    policy = endpoint.RetryPolicy(first_wait=1.0, longest_wait=5.0)
    assert all(0 <= policy.wait(1, None) <= 2 for _ in range(50))
    assert all(0 <= policy.wait(9, None) <= 5 for _ in range(50))
    assert 5.0 <= policy.wait(1, 120.0) <= 6.0  # a server's Retry-After, capped


def test_a_client_error_is_not_retried(server: FakeOpenAIServer) -> None:
    server.script = [(400, {})]
    with pytest.raises(ModelRunError, match="answered HTTP 400: scripted 400"):
        model_for(server, retry=RecordingRetry(attempts=3)).summarise(requests(1), GenerationSettings())
    assert len(server.requests) == 1


def test_too_many_refusals_give_one_clear_error(server: FakeOpenAIServer) -> None:
    server.script = [(503, {})] * 3
    with pytest.raises(ModelRunError, match=r"answered HTTP 503.*3 tries"):
        model_for(server, retry=RecordingRetry(attempts=3)).summarise(requests(1), GenerationSettings())


def test_a_slow_answer_times_out_and_is_tried_again(server: FakeOpenAIServer) -> None:
    server.delay = 1.0
    with pytest.raises(ModelRunError, match="no answer within 0.2 s, 2 tries"):
        model_for(server, retry=RecordingRetry(attempts=2)).summarise(
            requests(1), GenerationSettings(request_timeout=0.2)
        )
    assert len(server.requests) == 2


def test_a_server_that_is_down_is_one_line_at_load(server: FakeOpenAIServer) -> None:
    url = server.url
    server.stop()
    with pytest.raises(ModelLoadError, match=r"endpoint http://127\.0\.0\.1:\d+/v1: cannot reach it .*running\?"):
        load_model(ModelSpec(name="tiny", endpoint=url))


def test_a_model_the_server_does_not_serve(server: FakeOpenAIServer) -> None:
    with pytest.raises(ModelLoadError, match="does not serve model 'other'; it serves: tiny"):
        load_model(ModelSpec(name="other", endpoint=server.url))


def test_a_server_without_a_model_listing_is_used_anyway() -> None:
    with FakeOpenAIServer(list_models=False) as fake:
        model = load_model(ModelSpec(name="anything", endpoint=fake.url))
        assert model.summarise(requests(1), GenerationSettings())[0].startswith("Summary")


def test_the_api_key_comes_from_the_environment_only(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    model_for(server).summarise(requests(1), GenerationSettings())
    monkeypatch.setenv("BRIEFING_API_KEY", "sk-briefing")
    model_for(server).summarise(requests(1), GenerationSettings())
    assert [h.get("authorization") for h in server.headers] == ["Bearer sk-openai", "Bearer sk-briefing"]


def test_beam_search_is_refused_with_the_flag_named(server: FakeOpenAIServer) -> None:
    with pytest.raises(ModelRunError, match="--num-beams"):
        model_for(server).summarise(requests(1), GenerationSettings(num_beams=4))


def test_the_cache_key_holds_the_endpoint_and_the_served_model(server: FakeOpenAIServer) -> None:
    with FakeOpenAIServer(models=["tiny", "big"]) as other:
        settings = GenerationSettings()
        identities = {
            json.dumps(m.cache_identity(settings), default=str)
            for m in (model_for(server), model_for(other), model_for(other, name="big"))
        }
    assert len(identities) == 3


def test_answers_are_cached_as_they_come_so_a_dead_server_loses_nothing_done(server: FakeOpenAIServer) -> None:
    server.die_after = 2
    articles = [
        Article(source=f"{n}.txt", title=f"Story {n}", text=f"Story {n} happened. It matters.") for n in range(4)
    ]
    model = endpoint.EndpointModel(ModelSpec(name="tiny", endpoint=server.url), retry=RecordingRetry(attempts=2))
    cache = open_cache()
    with pytest.raises(ModelRunError, match="cannot reach it|no answer"):
        summarise_articles(articles, model, GenerationSettings(concurrency=1), cache)
    cache.close()
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    with FakeOpenAIServer(models=["tiny"], port=port) as restarted:  # the same server, back up
        cache = open_cache()
        summaries = summarise_articles(articles, model, GenerationSettings(concurrency=1), cache)
        cache.close()
    assert len(restarted.requests) == 2  # only what the dead server never answered
    assert all(summary.text for summary in summaries)


# --- the command line and the digest ----------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "news" / "b.txt").write_text(
        "Bus drivers to strike\n\nBus drivers in Castlebridge will strike on Monday over pay. "
        "The union said the company's offer was too low.",
        encoding="utf-8",
    )
    return tmp_path / "news"


def test_daily_through_an_endpoint_names_it_in_the_header(server: FakeOpenAIServer, folder: Path, tmp_path) -> None:
    out = tmp_path / "b.json"
    result = CliRunner().invoke(
        main,
        [
            "daily",
            str(folder),
            "--endpoint",
            server.url,
            "--model",
            "tiny",
            "-o",
            str(out),
            "-o",
            str(tmp_path / "b.md"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    host = server.url.split("//")[1].split("/")[0]
    assert data["model"] == {"name": "tiny", "backend": "endpoint", "endpoint": host}
    assert f"(served by {host})" in (tmp_path / "b.md").read_text()
    assert len(server.requests) == 2


def test_the_endpoint_can_come_from_the_environment(server: FakeOpenAIServer, folder: Path, monkeypatch) -> None:
    monkeypatch.setenv("BRIEFING_ENDPOINT", server.url)
    result = CliRunner().invoke(main, ["daily", str(folder), "--model", "tiny", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model"]["backend"] == "endpoint"


def test_a_down_server_with_fallback_goes_on_and_without_it_fails_in_one_line(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path
) -> None:
    url = server.url
    server.stop()
    out = tmp_path / "b.json"
    failed = CliRunner().invoke(main, ["daily", str(folder), "--endpoint", url, "--model", "tiny", "-o", str(out)])
    assert failed.exit_code == 1
    [error] = [line for line in failed.stderr.splitlines() if line.startswith("Error:")]
    assert "cannot reach it" in error and "is the model server running?" in error
    assert "Traceback" not in failed.output and not out.exists()
    ok = CliRunner().invoke(
        main, ["daily", str(folder), "--endpoint", url, "--model", "tiny", "--fallback", "extractive", "-o", str(out)]
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(out.read_text())["model"]["backend"] == "extractive"


def test_a_server_killed_mid_run_writes_no_half_briefing(server: FakeOpenAIServer, folder: Path, tmp_path) -> None:
    server.die_after = 1
    out = tmp_path / "b.md"
    out.write_text("yesterday's briefing\n")
    args = ["daily", str(folder), "--endpoint", server.url, "--model", "tiny", "--concurrency", "1", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "cannot reach it" in result.stderr or "no answer" in result.stderr
    assert "Traceback" not in result.output
    assert out.read_text() == "yesterday's briefing\n"  # untouched: the briefing is written whole or not at all


def test_a_server_killed_mid_run_with_fallback_still_briefs(server: FakeOpenAIServer, folder: Path) -> None:
    server.die_after = 1
    args = [
        "daily",
        str(folder),
        "--endpoint",
        server.url,
        "--model",
        "tiny",
        "--concurrency",
        "1",
        "--fallback",
        "extractive",
        "-f",
        "json",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"]["backend"] == "extractive"
    assert all(any("failed while summarising" in w for w in a["warnings"]) for a in data["articles"])


def _digest_config(folder: Path, tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "digest.toml"
    path.write_text(
        f'model = "tiny"\nsources = ["{folder}"]\n{extra}\n[email]\nto = ["a@example.com"]\n'
        'from = "b@example.com"\nsmtp_host = "127.0.0.1"\n',
        encoding="utf-8",
    )
    return path


def test_digest_config_takes_an_endpoint_and_concurrency_but_never_a_key(tmp_path: Path, folder: Path) -> None:
    config = parse_config(
        {"model": "tiny", "endpoint": "http://gpu-box:8000/v1", "concurrency": 16, "sources": [str(folder)],
         "email": {"to": ["a@example.com"], "from": "b@example.com", "smtp_host": "localhost"}},
        tmp_path / "digest.toml",
    )  # fmt: skip
    assert config.endpoint == "http://gpu-box:8000/v1" and config.concurrency == 16
    with pytest.raises(ConfigError, match="`api_key` is not allowed: .*BRIEFING_API_KEY"):
        parse_config(
            {"api_key": "sk-x", "sources": [str(folder)],
             "email": {"to": ["a@example.com"], "from": "b@example.com", "smtp_host": "localhost"}},
            tmp_path / "digest.toml",
        )  # fmt: skip


def test_digest_dry_run_through_the_endpoint(server: FakeOpenAIServer, folder: Path, tmp_path: Path) -> None:
    config = _digest_config(folder, tmp_path, f'endpoint = "{server.url}"\nconcurrency = 2')
    result = CliRunner().invoke(main, ["digest", "--config", str(config), "--dry-run"])
    assert result.exit_code == 0, result.output
    written = list((tmp_path / "briefings").glob("*.md"))
    assert written and "served by 127.0.0.1" in written[0].read_text()
    assert len(server.requests) == 2


def test_a_served_model_gets_the_chat_defaults_and_smollm2_its_measured_ones() -> None:
    from briefing.models.measured import defaults_for

    assert defaults_for("Qwen/Qwen2.5-7B-Instruct", "endpoint") == defaults_for("Qwen/Qwen2.5-7B-Instruct", "chat")
    assert defaults_for("/models/SmolLM2-135M-Instruct", "endpoint").lead_first
