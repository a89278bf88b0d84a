"""Decoder-only chat models (any AutoModelForCausalLM with a chat template, or a
.gguf file), prompted with the templates in prompts/."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from briefing import prompting
from briefing.models import hf, register
from briefing.models.base import FollowUp, Model, SummaryRequest
from briefing.options import GenerationSettings, ModelSpec

# Small chat models lose the thread in very long inputs; long articles are
# summarised in parts of at most this many tokens unless the user says otherwise.
DEFAULT_PART_TOKENS = 2048
DEFAULT_MAX_NEW_TOKENS = 120


class ChatModel(hf.HuggingFaceModel):
    backend = "chat"

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec)
        self.model, self.tokenizer, self.device = hf.load_pretrained(spec, "AutoModelForCausalLM")
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        # Decoder-only models continue from the last position: pad on the left.
        self.tokenizer.padding_side = "left"
        self._prompts = prompting.ChatPrompts(spec.prompts_dir)
        context = hf.input_limit(self.tokenizer, self.model.config)
        overhead = max(len(self._encode_prompt(kind, "", "")) for kind in prompting.CHAT_TEMPLATES)
        room = context - overhead - DEFAULT_MAX_NEW_TOKENS
        self._max_input = max(64, min(room, spec.max_input_tokens or DEFAULT_PART_TOKENS))

    @property
    def max_input_tokens(self) -> int:
        return self._max_input

    def prompt_ids(self, request: SummaryRequest) -> list[int]:
        return self._encode_prompt(request.kind, request.title, request.text)

    def _encode_prompt(self, kind: str, title: str | None, text: str) -> list[int]:
        messages = self._prompts.messages(kind, title, text)
        encoded = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
        return list(encoded["input_ids"] if isinstance(encoded, dict) or hasattr(encoded, "keys") else encoded)

    def generation_config_for(self, settings: GenerationSettings) -> Any:
        defaults = {"max_new_tokens": DEFAULT_MAX_NEW_TOKENS, "pad_token_id": self.tokenizer.pad_token_id}
        # Briefings are reproducible (and cacheable): greedy or beam search, never sampling.
        return hf.generation_config(self.model, settings, defaults, forced={"do_sample": False})

    def prompt_identity(self) -> object:
        return self._prompts.identity()

    def summarise(self, requests: Sequence[SummaryRequest], settings: GenerationSettings) -> list[str]:
        config = self.generation_config_for(settings)
        if self._decodes_greedily(config):
            return self._decode(requests, config, settings, lambda index, summary: ())
        return self._generate_padded(requests, config, settings)

    def summarise_chained(
        self, requests: Sequence[SummaryRequest], settings: GenerationSettings, follow_up: FollowUp
    ) -> list[str]:
        config = self.generation_config_for(settings)
        if self._decodes_greedily(config):
            return self._decode(requests, config, settings, follow_up)
        return super().summarise_chained(requests, settings, follow_up)  # round by round via generate()

    def _decodes_greedily(self, config: Any) -> bool:
        """Whether models/decoding.py reproduces generate() for this generation config."""
        from briefing.models import decoding  # imports torch

        return decoding.supports(config, self.model)

    def _decode(
        self, requests: Sequence[SummaryRequest], config: Any, settings: GenerationSettings, follow_up: FollowUp
    ) -> list[str]:
        """Greedy search through models/decoding.py; follow-ups join the running batch."""
        from briefing.models import decoding  # imports torch

        limits = settings.on_device(self.device)
        assert limits.batch_size and limits.kv_cache_tokens  # filled in by on_device()

        def on_done(index: int, tokens: list[int]) -> list[list[int]]:
            return [self.prompt_ids(request) for request in follow_up(index, self._text(tokens))]

        prompt_ids = [self.prompt_ids(request) for request in requests]
        outputs = decoding.greedy_generate(
            self.model, prompt_ids, config, limits.batch_size, limits.kv_cache_tokens, on_done
        )
        return [self._text(tokens) for tokens in outputs]

    def _generate_padded(
        self, requests: Sequence[SummaryRequest], config: Any, settings: GenerationSettings
    ) -> list[str]:
        """Beam search and other non-greedy settings: generate() on left-padded batches."""
        prompt_ids = [self.prompt_ids(request) for request in requests]

        def encode(batch: list[list[int]]) -> dict[str, Any]:
            return dict(self.tokenizer.pad({"input_ids": batch}, padding=True, return_tensors="pt"))

        def decode(batch: dict[str, Any], output: Any) -> list[str]:
            new_tokens = output[:, batch["input_ids"].shape[1] :]
            return self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)

        return hf.batched_generate(
            self.model, encode, prompt_ids, [len(ids) for ids in prompt_ids], config, settings, decode
        )

    def _text(self, tokens: list[int]) -> str:
        return str(self.tokenizer.decode(tokens, skip_special_tokens=True)).strip()


@register("chat")
def _factory(spec: ModelSpec) -> Model:
    return ChatModel(spec)
