"""Shared fixtures: offline, isolated state, a fake model, tiny random HF models."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from briefing.models import register  # noqa: E402
from briefing.models.base import Model, SummaryRequest  # noqa: E402
from briefing.options import GenerationSettings, ModelSpec  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "articles"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("briefing-home")
    monkeypatch.setenv("BRIEFING_HOME", str(home))
    monkeypatch.delenv("BRIEFING_MODEL", raising=False)
    return home


# --- the fake model, registered through the same interface as real backends ---


@dataclass
class FakeState:
    """Canned answers (a queue; when empty, an echo of the first sentence) and
    a record of every request and generation setting the model received."""

    answers: list[str] = field(default_factory=list)
    requests: list[SummaryRequest] = field(default_factory=list)
    settings: list[GenerationSettings] = field(default_factory=list)
    calls: int = 0
    max_input_tokens: int = 1_000_000


FAKE = FakeState()


class FakeModel(Model):
    backend = "chat"

    @property
    def max_input_tokens(self) -> int:
        return FAKE.max_input_tokens

    def summarise(self, requests: Sequence[SummaryRequest], settings: GenerationSettings) -> list[str]:
        FAKE.calls += 1
        FAKE.requests.extend(requests)
        FAKE.settings.append(settings)
        return [FAKE.answers.pop(0) if FAKE.answers else _first_sentence(r.text) for r in requests]


def _first_sentence(text: str) -> str:
    from briefing.text import split_sentences

    return (split_sentences(text) or [text])[0]


@register("fake", needs_weights=False)
def _fake_factory(spec: ModelSpec) -> Model:
    return FakeModel(spec)


@pytest.fixture
def fake_model() -> FakeState:
    global FAKE
    FAKE.__init__()  # type: ignore[misc]
    return FAKE


# --- tiny random Hugging Face models, built from configs (no hub needed) ---

CORPUS = (
    [(SAMPLES / name).read_text(encoding="utf-8", errors="replace") for name in sorted(os.listdir(SAMPLES))]
    if SAMPLES.is_dir()
    else []
)
CORPUS += [path.read_text(encoding="utf-8") for path in sorted((REPO / "prompts").glob("*.txt"))]
CORPUS += [
    "system user assistant briefly",
    "summarize: the council voted to close the library . residents will protest on friday .",
]


def _tiny_tokenizer(max_length: int, chat: bool = False):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(CORPUS, trainers.WordLevelTrainer(special_tokens=["<pad>", "</s>", "<s>", "<unk>"]))
    if not chat:
        tokenizer.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        pad_token="<pad>",
        eos_token="</s>",
        bos_token="<s>",
        unk_token="<unk>",
        model_max_length=max_length,
    )
    if chat:
        fast.chat_template = (
            "{% for m in messages %}{{ m['role'] }} : {{ m['content'] }} </s> {% endfor %}"
            "{% if add_generation_prompt %}assistant : {% endif %}"
        )
    return fast


@pytest.fixture(scope="session")
def tiny_bart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import BartConfig, BartForConditionalGeneration

    folder = tmp_path_factory.mktemp("tiny-bart")
    tokenizer = _tiny_tokenizer(max_length=64)
    torch.manual_seed(0)
    config = BartConfig(
        vocab_size=len(tokenizer),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=64,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=2,
        decoder_start_token_id=1,
        forced_bos_token_id=None,
        forced_eos_token_id=None,
    )
    model = BartForConditionalGeneration(config)
    # Settings a real summariser ships in its generation config; the backend must honour them.
    model.generation_config.update(num_beams=2, max_length=12, min_length=4, no_repeat_ngram_size=3)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_t5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    folder = tmp_path_factory.mktemp("tiny-t5")
    tokenizer = _tiny_tokenizer(max_length=48)
    torch.manual_seed(0)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=16,
        d_kv=8,
        d_ff=32,
        num_layers=1,
        num_decoder_layers=1,
        num_heads=2,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        task_specific_params={"summarization": {"prefix": "summarize: ", "max_length": 10, "min_length": 3}},
    )
    model = T5ForConditionalGeneration(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    folder = tmp_path_factory.mktemp("tiny-llama")
    tokenizer = _tiny_tokenizer(max_length=4096, chat=True)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=2,
    )
    model = LlamaForCausalLM(config)
    model.generation_config.update(min_new_tokens=4, max_new_tokens=8)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
