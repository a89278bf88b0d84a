"""models/decoding.py: greedy decoding batched across requests must give exactly
what generate() gives one prompt at a time, however rows join and leave."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from briefing.models import decoding, load_model  # noqa: E402
from briefing.models.base import SummaryRequest  # noqa: E402
from briefing.options import GenerationSettings, ModelSpec  # noqa: E402

LENGTHS = [37, 5, 60, 12, 12, 28, 3, 45, 19]


@pytest.fixture(scope="module")
def gqa_model():  # type: ignore[no-untyped-def]
    """A tiny Llama with grouped-query attention (4 heads sharing 2 key/value heads), as SmolLM2 has."""
    torch.manual_seed(1)
    config = transformers.LlamaConfig(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
        # Large weights make attention sharp, so a wrong position or a stray
        # padded column changes the argmax instead of vanishing in the noise.
        initializer_range=0.5,
    )
    return transformers.LlamaForCausalLM(config).eval()


@pytest.fixture(scope="module")
def prompts() -> list[list[int]]:
    generator = torch.Generator().manual_seed(2)
    return [torch.randint(3, 64, (n,), generator=generator).tolist() for n in LENGTHS]


def one_at_a_time(model, prompts, config) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """The naive loop: generate() on each prompt alone, end-of-sequence token dropped."""
    outputs = []
    with torch.inference_mode():
        for ids in prompts:
            tensor = torch.tensor([ids])
            new = model.generate(tensor, attention_mask=torch.ones_like(tensor), generation_config=config)
            tokens = new[0, len(ids) :].tolist()
            outputs.append(tokens[:-1] if tokens and tokens[-1] == config.eos_token_id else tokens)
    return outputs


def greedy(max_new_tokens: int, eos: int, min_new_tokens: int | None = None) -> transformers.GenerationConfig:
    return transformers.GenerationConfig(
        do_sample=False, max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens, eos_token_id=eos, pad_token_id=0
    )


def frequent_token(outputs: list[list[int]]) -> int:
    """A token the model emits in most outputs, at different steps: used as the
    end-of-sequence token, it makes rows finish at different times."""
    counts: dict[int, int] = {}
    for tokens in outputs:
        for token in set(tokens[1:]):
            counts[token] = counts.get(token, 0) + 1
    return max(counts, key=counts.__getitem__)


@pytest.mark.parametrize(
    ("max_rows", "max_tokens"),
    [(1, 10_000), (2, 10_000), (16, 10_000), (16, 150)],
    ids=["one-row", "two-rows", "all-rows", "cache-budget"],
)
def test_batched_greedy_equals_generate_one_at_a_time(gqa_model, prompts, max_rows: int, max_tokens: int) -> None:
    # Without an end-of-sequence token every row runs to the limit.
    config = greedy(16, eos=63)
    free_running = one_at_a_time(gqa_model, prompts, config)
    assert decoding.greedy_generate(gqa_model, prompts, config, max_rows, max_tokens) == free_running
    # With a token the model often emits as end-of-sequence, rows finish at
    # different steps, so rows leave the batch and waiting prompts join it.
    config = greedy(16, eos=frequent_token(free_running))
    expected = one_at_a_time(gqa_model, prompts, config)
    assert len({len(tokens) for tokens in expected}) > 3  # rows really do finish at different times
    assert decoding.greedy_generate(gqa_model, prompts, config, max_rows, max_tokens) == expected


def test_min_new_tokens_holds_back_the_end_of_sequence_token(gqa_model, prompts) -> None:
    eos = frequent_token(one_at_a_time(gqa_model, prompts, greedy(16, eos=63)))
    config = greedy(16, eos=eos, min_new_tokens=6)
    expected = one_at_a_time(gqa_model, prompts, config)
    assert min(len(tokens) for tokens in expected) >= 6
    assert decoding.greedy_generate(gqa_model, prompts, config, 4, 10_000) == expected


def test_first_token_end_of_sequence_gives_an_empty_output(gqa_model, prompts) -> None:
    first = one_at_a_time(gqa_model, prompts[:1], greedy(1, eos=63))[0][0]
    assert decoding.greedy_generate(gqa_model, prompts[:1], greedy(8, eos=first), 4, 10_000) == [[]]


def test_only_plain_greedy_search_is_handled(gqa_model) -> None:
    assert decoding.supports(greedy(8, eos=2), gqa_model)
    for change in ({"num_beams": 2}, {"do_sample": True}, {"repetition_penalty": 1.2}, {"no_repeat_ngram_size": 3}):
        config = greedy(8, eos=2)
        config.update(**change)
        assert not decoding.supports(config, gqa_model), change
    sliding = transformers.MistralForCausalLM(
        transformers.MistralConfig(
            vocab_size=64,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=1,
            sliding_window=16,
        )  # fmt: skip
    )
    assert not decoding.supports(greedy(8, eos=2), sliding)  # its cache is not plain key/value tensors


def test_chat_model_decodes_greedy_requests_without_generate(tiny_llama: Path, monkeypatch) -> None:
    model = load_model(ModelSpec(name=str(tiny_llama)))
    requests = [SummaryRequest(text, title="T") for text in ("one two three", "four five", "six seven eight nine")]
    config = model.generation_config_for(GenerationSettings())
    expected = [
        model.tokenizer.decode(tokens, skip_special_tokens=True).strip()
        for tokens in one_at_a_time(model.model, [model.prompt_ids(r) for r in requests], config)
    ]

    def refuse(**kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("generate() called for plain greedy search")

    monkeypatch.setattr(model.model, "generate", refuse)
    assert model.summarise(requests, GenerationSettings(batch_size=2)) == expected


def test_prompts_added_when_one_finishes_join_and_match_generate(gqa_model, prompts) -> None:
    config = greedy(12, eos=63)
    added: list[list[int]] = []

    def on_done(index: int, tokens: list[int]) -> list[list[int]]:
        if index in (0, 3, len(prompts)):  # a combining step, and a second round on top of the first
            added.append(prompts[index % len(prompts)][:5] + tokens)
            return [added[-1]]
        return []

    outputs = decoding.greedy_generate(gqa_model, prompts, config, 4, 10_000, on_done)
    assert len(added) == 3
    # Added prompts take the next indices, in the order they were returned.
    assert outputs == one_at_a_time(gqa_model, [*prompts, *added], config)


def test_chat_model_starts_a_combining_step_while_other_articles_decode(tiny_llama: Path, monkeypatch) -> None:
    from briefing.article import Article
    from briefing.models.base import Model
    from briefing.models.chat import ChatModel
    from briefing.summarise import summarise_articles

    model = load_model(ModelSpec(name=str(tiny_llama), max_input_tokens=40))
    long_text = " ".join(f"Sentence {i} says the council will vote on the plan ." for i in range(12))
    articles = [Article(text=long_text, source="long.txt", title="Long")] + [
        Article(text=f"Story {i} : the union said it will strike .", source=f"{i}.txt") for i in range(3)
    ]
    calls: list[int] = []
    real = decoding.greedy_generate

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(args[1]))
        return real(*args, **kwargs)

    monkeypatch.setattr(decoding, "greedy_generate", spy)
    streamed = summarise_articles(articles, model, GenerationSettings())
    assert streamed[0].parts > 1 and len(calls) == 1  # parts, combining step and short articles: one decoding run
    monkeypatch.setattr(ChatModel, "summarise_chained", Model.summarise_chained)  # round by round
    calls.clear()
    assert summarise_articles(articles, model, GenerationSettings()) == streamed
    assert len(calls) >= 2
