"""The one small interface every summarisation backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from briefing.document import Backend, ModelInfo
from briefing.errors import ModelLoadError
from briefing.options import GenerationSettings, ModelSpec

# article: a whole article; part and combine: map-then-reduce of a long one; selection:
# an article's key sentences to condense (select-then-condense, see selection.py).
RequestKind = Literal["article", "part", "combine", "selection"]
# Called with a request's index and its summary once it is answered; returns the
# requests that answer makes possible (a long article's combining step, once all
# its parts are summarised). They take the next indices, in the order returned.
FollowUp = Callable[[int, str], "Sequence[SummaryRequest]"]


@dataclass(frozen=True)
class SummaryRequest:
    """One thing to summarise: a whole article, one part of a long one, or the
    joined summaries of the parts (map-then-reduce)."""

    text: str
    kind: RequestKind = "article"
    title: str | None = None


class Model(ABC):
    """A summariser. Backends subclass this and register a factory by name."""

    backend: ClassVar[Backend]

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(name=self.name, backend=self.backend)

    @property
    def max_input_tokens(self) -> int:
        """How many tokens of article text one request may carry."""
        return 1_000_000

    def cache_identity(self, settings: GenerationSettings) -> object:
        """Everything about this model and these settings that decides its output
        (for the summary cache). Backends add their weights, generation config and prompts."""
        return [self.backend, self.name, settings.overrides()]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token counts by this model's own tokenizer (words for tokenizer-free models)."""
        return [len(text.split()) for text in texts]

    @abstractmethod
    def summarise(self, requests: Sequence[SummaryRequest], settings: GenerationSettings) -> list[str]:
        """One summary per request, in order. Backends batch internally."""

    def summarise_chained(
        self, requests: Sequence[SummaryRequest], settings: GenerationSettings, follow_up: FollowUp
    ) -> list[str]:
        """Like summarise(), but each answer may add requests (see FollowUp); returns
        the summaries of all of them, by index. This default runs round by round;
        a backend that can start added requests while others still run overrides it."""
        results: list[str] = []
        pending = list(requests)
        while pending:
            first = len(results)
            results.extend(self.summarise(pending, settings))
            pending = [new for index in range(first, len(results)) for new in follow_up(index, results[index])]
        return results


def model_not_found(name: str, reason: str) -> ModelLoadError:
    """A load failure that says what the user can do about it."""
    return ModelLoadError(
        f"model {name!r}: {reason}. Pass a hub id, a folder saved with save_pretrained() or a .gguf file, "
        "or use --model extractive (no model) or --fallback extractive"
    )
