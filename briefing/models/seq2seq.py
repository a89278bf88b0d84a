"""Encoder-decoder summarisers (BART, DistilBART, T5, Pegasus) via generate()."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from briefing.models import hf, register
from briefing.models.base import Model, SummaryRequest
from briefing.options import GenerationSettings, ModelSpec


class Seq2SeqModel(hf.HuggingFaceModel):
    backend = "seq2seq"

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec)
        self.model, self.tokenizer, self.device = hf.load_pretrained(spec, "AutoModelForSeq2SeqLM")
        task = (getattr(self.model.config, "task_specific_params", None) or {}).get("summarization", {})
        # T5 needs "summarize: " before the text; BART-style models need nothing.
        self.prefix: str = task.get("prefix", "") or ""
        self._task_defaults = {k: v for k, v in task.items() if k != "prefix"}
        limit = hf.input_limit(self.tokenizer, self.model.config, spec.max_input_tokens)
        overhead = len(self.tokenizer(self.prefix, add_special_tokens=True)["input_ids"]) if self.prefix else 2
        self._max_input = max(16, limit - overhead)
        self._limit = limit

    @property
    def max_input_tokens(self) -> int:
        return self._max_input

    def generation_config_for(self, settings: GenerationSettings) -> Any:
        return hf.generation_config(self.model, settings, self._task_defaults, forced={"do_sample": False})

    def prompt_identity(self) -> object:
        return [self.prefix, self._limit]

    def summarise(self, requests: Sequence[SummaryRequest], settings: GenerationSettings) -> list[str]:
        texts = [self.prefix + request.text for request in requests]
        config = self.generation_config_for(settings)
        self.tokenizer.padding_side = "right"

        def encode(batch: list[str]) -> dict[str, Any]:
            # Callers chunk to max_input_tokens first; truncation here only trims the
            # special tokens' margin, so nothing of the article is lost.
            return dict(
                self.tokenizer(batch, return_tensors="pt", padding=True, truncation=True, max_length=self._limit)
            )

        def decode(batch: dict[str, Any], output: Any) -> list[str]:
            return self.tokenizer.batch_decode(output, skip_special_tokens=True)

        return hf.batched_generate(self.model, encode, texts, self.count_tokens(texts), config, settings, decode)


@register("seq2seq")
def _factory(spec: ModelSpec) -> Model:
    return Seq2SeqModel(spec)
