"""The summary cache: a second run generates nothing; --no-cache and
`briefing cache clear` work; any change to what decides the output misses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.article import Article
from briefing.cache import SummaryCache
from briefing.cli import main
from briefing.models import load_model
from briefing.models.hf import plan_batches
from briefing.options import GenerationSettings, ModelSpec
from briefing.summarise import summarise_articles

ARTICLE = (
    "Council closes library\n\nThe council voted on Tuesday to close the library. Residents will protest on Friday.\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text(ARTICLE)
    (tmp_path / "news" / "b.txt").write_text(ARTICLE.replace("library", "museum"))
    return tmp_path / "news"


def brief(folder: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["daily", str(folder), "--model", "fake", "-f", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_second_run_generates_nothing(folder: Path, fake_model) -> None:
    first = brief(folder)
    assert fake_model.calls == 1 and len(fake_model.requests) == 2
    second = brief(folder)
    assert fake_model.calls == 1  # no generate() at all
    assert [a["summary"] for a in second["articles"]] == [a["summary"] for a in first["articles"]]


def test_only_new_articles_are_generated(folder: Path, fake_model) -> None:
    brief(folder)
    (folder / "c.txt").write_text(ARTICLE.replace("library", "swimming pool"))
    brief(folder)
    assert fake_model.calls == 2 and "swimming pool" in fake_model.requests[-1].text and len(fake_model.requests) == 3


def test_generation_settings_are_part_of_the_key(folder: Path, fake_model) -> None:
    brief(folder)
    brief(folder, "--max-new-tokens", "30")
    assert fake_model.calls == 2


def test_no_cache_and_cache_clear(folder: Path, fake_model) -> None:
    brief(folder)
    brief(folder, "--no-cache")
    assert fake_model.calls == 2
    result = CliRunner().invoke(main, ["cache", "clear"])
    assert result.exit_code == 0 and "removed 2 cached summaries" in result.output
    brief(folder)
    assert fake_model.calls == 3


def test_cached_and_fresh_map_reduce_agree(fake_model) -> None:
    fake_model.max_input_tokens = 30
    text = " ".join(f"Sentence {i} says something about the long story." for i in range(30))
    articles = [Article(text=text, source="long.txt", title="Long")]
    model = load_model(ModelSpec(name="fake"))
    fresh = summarise_articles(articles, model, GenerationSettings())
    cache = SummaryCache()
    first = summarise_articles(articles, model, GenerationSettings(), cache)
    calls = fake_model.calls
    again = summarise_articles(articles, model, GenerationSettings(), cache)
    assert fresh == first == again and fake_model.calls == calls


def test_cached_parts_send_only_the_combining_step_to_the_model(fake_model) -> None:
    from briefing.cache import cache_key
    from briefing.summarise import chunk_text

    fake_model.max_input_tokens = 30
    text = " ".join(f"Sentence {i} says something about the long story." for i in range(12))
    model = load_model(ModelSpec(name="fake"))
    chunks = chunk_text(text, model)
    identity = model.cache_identity(GenerationSettings())
    cache = SummaryCache()
    cache.put_many({cache_key(identity, "part", "Long", chunk): f"Part {i} said." for i, chunk in enumerate(chunks)})
    (summary,) = summarise_articles(
        [Article(text=text, source="l.txt", title="Long")], model, GenerationSettings(), cache
    )
    assert [(r.kind, r.text) for r in fake_model.requests] == [
        ("combine", " ".join(f"Part {i} said." for i in range(len(chunks))))
    ]
    assert summary.text == "Part 0 said."


@pytest.mark.parametrize(
    ("lengths", "max_batch", "budget", "expected"),
    [
        ([10, 50, 20, 40], 8, 1000, [[1, 3, 2, 0]]),
        ([10, 50, 20, 40], 2, 1000, [[1, 3], [2, 0]]),
        # A 500-token input with a 1000-token budget takes at most one companion.
        ([500, 30, 40, 20], 8, 1000, [[0, 2], [1, 3]]),
        ([2000], 8, 1000, [[0]]),  # longer than the budget alone: still generated, alone
    ],
)
def test_batches_bucket_by_length_within_a_token_budget(lengths, max_batch, budget, expected) -> None:  # type: ignore[no-untyped-def]
    assert plan_batches(lengths, max_batch, budget) == expected


def test_gguf_path_is_converted_once_and_keyed_by_file(tmp_path: Path) -> None:
    from briefing.models.hf import converted_gguf_folder

    model = tmp_path / "m.gguf"
    model.write_bytes(b"x" * 10)
    first = converted_gguf_folder(model)
    assert first == converted_gguf_folder(model)
    model.write_bytes(b"y" * 11)  # a new file under the same name gets a new conversion
    assert converted_gguf_folder(model) != first
