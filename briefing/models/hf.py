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
from briefing.models.base import Model, model_not_found
from briefing.options import GenerationSettings, ModelSpec

log = logging.getLogger(__name__)
# Tokenizers report "no limit" as a huge sentinel; anything above this is one.
_NO_LIMIT = 1_000_000


class HuggingFaceModel(Model):
    """What the transformers backends share: a tokenizer, a model, and how their
    identity is told to the summary cache."""

    model: Any
    tokenizer: Any

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        encoded = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def generation_config_for(self, settings: GenerationSettings) -> Any:
        raise NotImplementedError

    def prompt_identity(self) -> object:
        """Whatever besides the request text goes into the model's input (prompts, prefixes)."""
        return None

    def cache_identity(self, settings: GenerationSettings) -> object:
        return [
            self.backend,
            weights_fingerprint(self.name, self.model),
            self.spec.quantize,
            self.generation_config_for(settings).to_json_string(),
            self.prompt_identity(),
        ]


def resolve_device(requested: str) -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("--device cuda: no CUDA device is available (use --device cpu or auto)")
    return requested


def load_pretrained(spec: ModelSpec, model_class_name: str) -> tuple[Any, Any, str]:
    """(model, tokenizer, device) for a hub id, a local folder or a .gguf file.

    A .gguf file is dequantised once and kept as safetensors in the cache, so
    every later load reads plain weights instead of dequantising again.
    """
    import transformers

    device = resolve_device(spec.device)
    model_class = getattr(transformers, model_class_name)
    if not log.isEnabledFor(logging.DEBUG):
        # Progress bars (GGUF dequantising, weight loading) clutter pipes and cron mail.
        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
    path = Path(spec.name).expanduser()
    converted = converted_gguf_folder(path) if path.suffix.lower() == ".gguf" else None
    try:
        if converted is not None and (converted / _COMPLETE).is_file():
            source, extra = str(converted), {}
        else:
            source, extra = _source_and_kwargs(spec.name)
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, **extra)
        model = model_class.from_pretrained(source, dtype=_dtype(device), **extra)
    except ModelLoadError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
        raise ModelLoadError(_load_failure(spec.name, exc)) from exc
    if converted is not None and "gguf_file" in extra and device == "cpu":
        _save_converted(model, tokenizer, converted)
    model.to(device)
    model.eval()
    if spec.quantize == "int8":
        if device != "cpu":
            raise ModelLoadError("--quantize int8 is for the CPU; on CUDA the model already runs in bf16")
        model = quantize_int8(model)
    return model, tokenizer, device


def quantize_int8(model: Any) -> Any:
    """Dynamic int8 quantisation of every Linear layer: int8 weights, activations
    quantised on the fly. Faster on CPU, and close to but not identical with fp32."""
    import warnings

    import torch
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch flags the torch.ao API as moving to torchao
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


_COMPLETE = ".complete"


def converted_gguf_folder(path: Path) -> Path:
    """Where the dequantised copy of this exact .gguf file lives (keyed by path, size, mtime)."""
    import hashlib

    from briefing.paths import cache_dir

    stat = path.resolve().stat() if path.exists() else None
    identity = f"{path.resolve()}:{stat.st_size if stat else 0}:{stat.st_mtime_ns if stat else 0}"
    return cache_dir() / "models" / f"{path.stem}-{hashlib.sha256(identity.encode()).hexdigest()[:12]}"


def _save_converted(model: Any, tokenizer: Any, folder: Path) -> None:
    """Save the dequantised weights as safetensors, atomically (a folder rename)."""
    import shutil
    import tempfile

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
        # The weights are already plain tensors; only the GGUF marker stops save_pretrained.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        (staging / _COMPLETE).touch()
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
        log.info("saved the dequantised GGUF weights to %s; later loads skip dequantising", folder)
    except OSError as exc:  # a full or read-only cache costs speed, never the briefing
        log.warning("could not cache the dequantised GGUF weights (%s); the next load will dequantise again", exc)
        shutil.rmtree(staging, ignore_errors=True)


def weights_fingerprint(name: str, model: Any) -> str:
    """Identifies the exact weights: a local file or folder by size and mtime, a hub model by commit."""
    path = Path(name).expanduser()
    if path.is_file():
        stat = path.stat()
        return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".json", ".safetensors", ".bin", ".model"))
        return ";".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
    return f"{name}@{getattr(model.config, '_commit_hash', None)}"


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
    settings: GenerationSettings,
    decode: Callable[[Any, Any], list[str]],
) -> list[str]:
    """Generate for every input in batches of similar length, keeping input order."""
    import torch

    results: list[str] = [""] * len(inputs)
    settings = settings.on_device(model.device.type)
    assert settings.batch_size and settings.batch_tokens  # filled in by on_device()
    for indices in plan_batches(lengths, settings.batch_size, settings.batch_tokens):
        batch = encode([inputs[i] for i in indices])
        batch = {key: value.to(model.device) for key, value in batch.items()}
        with torch.inference_mode():
            output = model.generate(**batch, generation_config=config)
        for index, text in zip(indices, decode(batch, output), strict=True):
            results[index] = text.strip()
    return results


def plan_batches(lengths: Sequence[int], max_batch: int, token_budget: int) -> list[list[int]]:
    """Indices grouped into batches: longest first, so each batch pads to its own
    longest input, and no batch holds more than `token_budget` padded tokens."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    batches: list[list[int]] = []
    for index in order:
        current = batches[-1] if batches else None
        # Sorted longest first: the batch's first input sets its padded width.
        if (
            current is not None
            and len(current) < max_batch
            and (len(current) + 1) * lengths[current[0]] <= token_budget
        ):
            current.append(index)
        else:
            batches.append([index])
    return batches
