"""What the Hugging Face backends share: loading, devices, batched generate().

torch and transformers are imported inside functions only, so importing this
module (as the registry does) costs nothing.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from briefing.errors import ModelLoadError
from briefing.models.base import model_not_found
from briefing.options import GenerationSettings, ModelSpec

log = logging.getLogger(__name__)
# Tokenizers report "no limit" as a huge sentinel; anything above this is one.
_NO_LIMIT = 1_000_000


def resolve_device(requested: str) -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("--device cuda: no CUDA device is available (use --device cpu or auto)")
    return requested


def load_pretrained(spec: ModelSpec, model_class_name: str) -> tuple[Any, Any, str]:
    """(model, tokenizer, device) for a hub id, a local folder or a .gguf file."""
    import transformers

    device = resolve_device(spec.device)
    source, extra = _source_and_kwargs(spec.name)
    model_class = getattr(transformers, model_class_name)
    if not log.isEnabledFor(logging.DEBUG):
        # Progress bars (GGUF dequantising, weight loading) clutter pipes and cron mail.
        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, **extra)
        model = model_class.from_pretrained(source, dtype=_dtype(device), **extra)
    except ModelLoadError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
        raise ModelLoadError(_load_failure(spec.name, exc)) from exc
    model.to(device)
    model.eval()
    return model, tokenizer, device


def _source_and_kwargs(name: str) -> tuple[str, dict[str, Any]]:
    path = Path(name).expanduser()
    if path.suffix.lower() == ".gguf":
        if not path.is_file():
            raise model_not_found(name, "no such .gguf file")
        # transformers dequantises GGUF weights to full precision on load.
        return str(path.parent), {"gguf_file": path.name}
    return (str(path) if path.exists() else name), {}


def _dtype(device: str) -> Any:
    import torch

    # bf16 halves memory and doubles matmul speed on GPUs; CPUs stay exact in fp32.
    return torch.bfloat16 if device == "cuda" else torch.float32


def _load_failure(name: str, exc: Exception) -> str:
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    hint = "pass a local folder or .gguf file, or use --model extractive / --fallback extractive"
    if "offline" in first_line.lower() or "connect" in first_line.lower() or "cache" in first_line.lower():
        hint = f"on a connected machine run `hf download {name}`, then " + hint
    return f"cannot load model {name!r}: {first_line} ({hint})"


def input_limit(tokenizer: Any, config: Any, cap: int | None = None) -> int:
    """The model's own maximum input length, in tokens."""
    limits = [tokenizer.model_max_length] if 0 < (tokenizer.model_max_length or 0) < _NO_LIMIT else []
    for attribute in ("max_position_embeddings", "n_positions", "max_seq_len"):
        value = getattr(config, attribute, None)
        if isinstance(value, int) and value > 0:
            limits.append(value)
            break
    if cap:
        limits.append(cap)
    return min(limits) if limits else 512


def generation_config(
    model: Any, settings: GenerationSettings, defaults: dict[str, Any], forced: dict[str, Any] | None = None
) -> Any:
    """The model's own generation config; our defaults only where the model left a
    key at the library default; then `forced`; then the user's overrides."""
    from transformers import GenerationConfig

    config = copy.deepcopy(model.generation_config)
    library_defaults = GenerationConfig()
    for key, value in defaults.items():
        if getattr(config, key, None) == getattr(library_defaults, key, None):
            config.update(**{key: value})
    config.update(**(forced or {}))
    # max_new_tokens, when set, takes precedence over an inherited max_length.
    config.update(**settings.overrides())
    return config


def batched_generate(
    model: Any,
    encode: Callable[[list[Any]], dict[str, Any]],
    inputs: Sequence[Any],
    lengths: Sequence[int],
    config: Any,
    batch_size: int,
    decode: Callable[[Any, Any], list[str]],
) -> list[str]:
    """Generate for every input in batches of similar length, keeping input order.

    Sorting by length keeps padding (wasted compute) small within each batch.
    """
    import torch

    order = sorted(range(len(inputs)), key=lambda i: lengths[i], reverse=True)
    results: list[str] = [""] * len(inputs)
    for start in range(0, len(order), max(1, batch_size)):
        indices = order[start : start + batch_size]
        batch = encode([inputs[i] for i in indices])
        batch = {key: value.to(model.device) for key, value in batch.items()}
        with torch.inference_mode():
            output = model.generate(**batch, generation_config=config)
        for index, text in zip(indices, decode(batch, output), strict=True):
            results[index] = text.strip()
    return results
