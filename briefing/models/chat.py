"""Decoder-only chat models (any AutoModelForCausalLM with a chat template, or a
.gguf file), prompted with the templates in prompts/."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from briefing import prompting
from briefing.models import hf, register
from briefing.models.base import Model, SummaryRequest
from briefing.options import GenerationSettings, ModelSpec

# Small chat models lose the thread in very long inputs; long articles are
# summarised in parts of at most this many tokens unless the user says otherwise.
DEFAULT_PART_TOKENS = 2048
DEFAULT_MAX_NEW_TOKENS = 120
TEMPLATES = {"article": "summarise_article.txt", "part": "summarise_part.txt", "combine": "combine_summaries.txt"}


class ChatModel(hf.HuggingFaceModel):
    backend = "chat"

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec)
        self.model, self.tokenizer, self.device = hf.load_pretrained(spec, "AutoModelForCausalLM")
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        # Decoder-only models continue from the last position: pad on the left.
        self.tokenizer.padding_side = "left"
        self._system = prompting.load_template("system.txt", spec.prompts_dir).strip()
        self._templates = {kind: prompting.load_template(name, spec.prompts_dir) for kind, name in TEMPLATES.items()}
        context = hf.input_limit(self.tokenizer, self.model.config)
        overhead = max(len(self._encode_prompt(kind, "", "")) for kind in TEMPLATES)
        room = context - overhead - DEFAULT_MAX_NEW_TOKENS
        self._max_input = max(64, min(room, spec.max_input_tokens or DEFAULT_PART_TOKENS))

    @property
    def max_input_tokens(self) -> int:
        return self._max_input

    def prompt_ids(self, request: SummaryRequest) -> list[int]:
        return self._encode_prompt(request.kind, request.title or "(untitled)", request.text)

    def _encode_prompt(self, kind: str, title: str, text: str) -> list[int]:
        user = prompting.render(self._templates[kind], TEMPLATES[kind], title=title, text=text)
        messages = [{"role": "system", "content": self._system}, {"role": "user", "content": user}]
        encoded = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
        return list(encoded["input_ids"] if isinstance(encoded, dict) or hasattr(encoded, "keys") else encoded)

    def generation_config_for(self, settings: GenerationSettings) -> Any:
        defaults = {"max_new_tokens": DEFAULT_MAX_NEW_TOKENS, "pad_token_id": self.tokenizer.pad_token_id}
        # Briefings are reproducible (and cacheable): greedy or beam search, never sampling.
        return hf.generation_config(self.model, settings, defaults, forced={"do_sample": False})

    def prompt_identity(self) -> object:
        return [self._system, self._templates]

    def summarise(self, requests: Sequence[SummaryRequest], settings: GenerationSettings) -> list[str]:
        prompt_ids = [self.prompt_ids(request) for request in requests]
        config = self.generation_config_for(settings)
        settings = settings.on_device(self.device)
        from briefing.models import decoding  # imports torch

        if decoding.supports(config, self.model):
            new_tokens = decoding.greedy_generate(
                self.model, prompt_ids, config, settings.batch_size, settings.kv_cache_tokens
            )
            return [self.tokenizer.decode(ids, skip_special_tokens=True).strip() for ids in new_tokens]

        def encode(batch: list[list[int]]) -> dict[str, Any]:
            return dict(self.tokenizer.pad({"input_ids": batch}, padding=True, return_tensors="pt"))

        def decode(batch: dict[str, Any], output: Any) -> list[str]:
            new_tokens = output[:, batch["input_ids"].shape[1] :]
            return self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)

        return hf.batched_generate(
            self.model, encode, prompt_ids, [len(ids) for ids in prompt_ids], config, settings, decode
        )


@register("chat")
def _factory(spec: ModelSpec) -> Model:
    return ChatModel(spec)
