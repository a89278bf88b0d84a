"""The seq2seq and chat backends on tiny random models built from configs:
loading from a folder, chunking by the model's own tokenizer, batching and
generation settings. Greedy decoding makes the outputs exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.article import Article
from briefing.cli import main
from briefing.models import detect_backend, load_model
from briefing.models.base import SummaryRequest
from briefing.options import GenerationSettings, ModelSpec
from briefing.summarise import chunk_text, summarise_articles

TEXTS = [
    "The council voted to close the library . Residents will protest on Friday .",
    "The union said it will strike .",
    "Talks could resume next week , the minister said . The union is seeking a rise . The vote takes place in June .",
]


def spy_generate(model, monkeypatch):  # type: ignore[no-untyped-def]
    calls: list[dict] = []
    real = model.model.generate

    def wrapper(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(model.model, "generate", wrapper)
    return calls


def test_backend_is_detected_from_the_folder(tiny_bart: Path, tiny_t5: Path, tiny_llama: Path) -> None:
    assert detect_backend(str(tiny_bart)) == "seq2seq"
    assert detect_backend(str(tiny_t5)) == "seq2seq"
    assert detect_backend(str(tiny_llama)) == "chat"


@pytest.mark.parametrize("fixture", ["tiny_bart", "tiny_t5", "tiny_llama"])
def test_batched_output_equals_one_at_a_time(fixture: str, request: pytest.FixtureRequest) -> None:
    model = load_model(ModelSpec(name=str(request.getfixturevalue(fixture)), device="cpu"))
    requests = [SummaryRequest(text) for text in TEXTS]
    batched = model.summarise(requests, GenerationSettings(batch_size=3))
    single = model.summarise(requests, GenerationSettings(batch_size=1))
    assert batched == single
    assert any(batched)  # min lengths in the configs make outputs non-empty (T5 may emit only <unk>)


def test_seq2seq_uses_the_models_generation_config_and_user_overrides(tiny_bart: Path, monkeypatch) -> None:
    model = load_model(ModelSpec(name=str(tiny_bart)))
    calls = spy_generate(model, monkeypatch)
    model.summarise([SummaryRequest(TEXTS[0])], GenerationSettings())
    config = calls[-1]["generation_config"]
    assert (config.num_beams, config.no_repeat_ngram_size, config.max_length, config.do_sample) == (2, 3, 12, False)
    outputs = model.summarise(
        [SummaryRequest(TEXTS[0])], GenerationSettings(num_beams=1, max_new_tokens=3, min_new_tokens=1)
    )
    config = calls[-1]["generation_config"]
    assert (config.num_beams, config.max_new_tokens) == (1, 3)
    assert len(model.tokenizer(outputs[0], add_special_tokens=False)["input_ids"]) <= 3


def test_t5_gets_its_task_prefix_and_task_settings(tiny_t5: Path, monkeypatch) -> None:
    model = load_model(ModelSpec(name=str(tiny_t5)))
    calls = spy_generate(model, monkeypatch)
    model.summarise([SummaryRequest(TEXTS[1])], GenerationSettings())
    ids = calls[-1]["input_ids"][0].tolist()
    assert model.tokenizer.decode(ids, skip_special_tokens=True).startswith("summarize")
    assert calls[-1]["generation_config"].max_length == 10


def test_input_limit_comes_from_the_model(tiny_bart: Path, tiny_t5: Path) -> None:
    bart = load_model(ModelSpec(name=str(tiny_bart)))
    t5 = load_model(ModelSpec(name=str(tiny_t5)))
    assert bart.max_input_tokens == 64 - 2  # max_position_embeddings less <s> </s>
    assert t5.max_input_tokens < 48  # tokenizer limit less the "summarize:" prefix
    capped = load_model(ModelSpec(name=str(tiny_bart), max_input_tokens=20))
    assert capped.max_input_tokens == 18


def test_long_article_is_chunked_by_the_models_tokenizer_then_reduced(tiny_bart: Path, monkeypatch) -> None:
    model = load_model(ModelSpec(name=str(tiny_bart)))
    text = " ".join(TEXTS * 12)
    chunks = chunk_text(text, model)
    assert len(chunks) > 3 and all(n <= model.max_input_tokens for n in model.count_tokens(chunks))
    calls = spy_generate(model, monkeypatch)
    (summary,) = summarise_articles([Article(text=text, source="long.txt")], model, GenerationSettings())
    assert summary.parts == len(chunks)
    # Encoded inputs never exceed the model's window, so nothing was truncated.
    assert max(call["input_ids"].shape[1] for call in calls) <= 64
    assert len(calls) >= 2  # map, then at least one reduce round


def test_chat_model_pads_on_the_left_and_uses_the_prompt_templates(tiny_llama: Path, monkeypatch) -> None:
    model = load_model(ModelSpec(name=str(tiny_llama)))
    calls = spy_generate(model, monkeypatch)
    # Beam search goes through generate(), which batches padded prompts.
    model.summarise([SummaryRequest(text, title="T") for text in TEXTS], GenerationSettings(batch_size=3, num_beams=2))
    mask = calls[-1]["attention_mask"]
    assert mask[:, -1].all() and not mask[:, 0].all()  # padding only on the left
    prompt = model.tokenizer.decode(calls[-1]["input_ids"][0], skip_special_tokens=True)
    assert "summarise" in prompt.lower() and "assistant" in prompt
    assert calls[-1]["generation_config"].max_new_tokens == 8  # the model's own config wins over our default


def test_custom_prompt_folder_replaces_a_template(tiny_llama: Path, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "summarise_article.txt").write_text("briefly : $text")
    model = load_model(ModelSpec(name=str(tiny_llama), prompts_dir=tmp_path))
    assert "briefly" in model.tokenizer.decode(model.prompt_ids(SummaryRequest("x y"))).lower()
    (tmp_path / "summarise_article.txt").write_text("briefly : $text for $audience")
    from briefing.errors import PromptError

    with pytest.raises(PromptError, match=r"\$audience"):
        load_model(ModelSpec(name=str(tiny_llama), prompts_dir=tmp_path)).prompt_ids(SummaryRequest("x"))


def test_cli_end_to_end_with_a_tiny_seq2seq_model(tiny_bart: Path, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Library\n\n" + TEXTS[0])
    result = CliRunner().invoke(main, ["daily", str(tmp_path), "--model", str(tiny_bart), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == {"name": str(tiny_bart), "backend": "seq2seq"} and data["articles"][0]["summary"]


def test_int8_quantisation_is_an_option_and_part_of_the_cache_key(tiny_llama: Path) -> None:
    import torch

    plain = load_model(ModelSpec(name=str(tiny_llama)))
    quantised = load_model(ModelSpec(name=str(tiny_llama), quantize="int8"))
    linear_types = {type(m).__name__ for m in quantised.model.modules() if "Linear" in type(m).__name__}
    assert "DynamicQuantizedLinear" in " ".join(linear_types) or any(
        isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in quantised.model.modules()
    )
    assert quantised.summarise([SummaryRequest(TEXTS[0])], GenerationSettings())[0]
    settings = GenerationSettings()
    assert plain.cache_identity(settings) != quantised.cache_identity(settings)
