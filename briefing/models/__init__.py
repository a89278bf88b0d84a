"""Model registry: backends register a factory by name; `load_model` picks one.

Nothing here imports torch or transformers; the Hugging Face backends do that
lazily, inside their factories, so `briefing --help` stays instant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import ModelLoadError
from briefing.models.base import Model, SummaryRequest, model_not_found
from briefing.options import ModelSpec

__all__ = ["Model", "SummaryRequest", "load_model", "register", "registered_backends", "detect_backend"]

Factory = Callable[[ModelSpec], Model]
# How long the hub may take to answer before a model that is not cached counts as
# out of reach: huggingface_hub itself retries for about 30 s before giving up.
HUB_PROBE_SECONDS = 3.0


@dataclass(frozen=True)
class _Entry:
    factory: Factory
    needs_weights: bool  # False: `--model NAME` selects the backend itself


_REGISTRY: dict[str, _Entry] = {}


def register(name: str, *, needs_weights: bool = True) -> Callable[[Factory], Factory]:
    """Register a backend factory. Tests register their fake model the same way."""

    def decorator(factory: Factory) -> Factory:
        _REGISTRY[name] = _Entry(factory, needs_weights)
        return factory

    return decorator


def registered_backends() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def load_model(spec: ModelSpec) -> Model:
    """Build the model `spec.name` names: a weight-free backend, the model a server
    serves (with `spec.endpoint`), or HF weights."""
    _load_builtins()
    entry = _REGISTRY.get(spec.name)
    if entry is not None and not entry.needs_weights:
        return entry.factory(spec)
    if spec.endpoint:
        return _REGISTRY["endpoint"].factory(spec)  # the server holds the weights
    backend = detect_backend(spec.name)
    return _REGISTRY[backend].factory(spec)


def detect_backend(name: str) -> str:
    """'seq2seq' or 'chat' for a hub id, a local folder or a .gguf file."""
    path = Path(name).expanduser()
    if name.lower().endswith(".gguf"):
        if not path.is_file():
            raise model_not_found(name, "no such .gguf file")
        return "chat"
    if path.is_dir():
        config_file = path / "config.json"
        if not config_file.is_file():
            raise model_not_found(name, "the folder has no config.json")
        config = json.loads(config_file.read_text(encoding="utf-8"))
    elif path.exists() or name.startswith((".", "/", "~")):
        raise model_not_found(name, "not a model folder or .gguf file")
    else:
        config = _hub_config(name)
    return "seq2seq" if config.get("is_encoder_decoder") else "chat"


def _hub_config(repo_id: str) -> dict:
    from huggingface_hub import constants, hf_hub_download, try_to_load_from_cache
    from huggingface_hub.errors import HFValidationError

    try:
        cached = try_to_load_from_cache(repo_id, "config.json")
        if not isinstance(cached, str) and not constants.HF_HUB_OFFLINE:
            silence = hub_silence(constants.ENDPOINT, HUB_PROBE_SECONDS)
            if silence is not None:
                raise ModelLoadError(_unreachable_message(repo_id, silence))
        config_path = hf_hub_download(repo_id, "config.json")
    except HFValidationError:
        raise model_not_found(repo_id, "not a hub id, local folder or .gguf file") from None
    except ModelLoadError:
        raise
    except Exception as exc:  # offline, not cached, 404, auth: all mean "cannot get it"
        raise ModelLoadError(_unreachable_message(repo_id, type(exc).__name__)) from None
    return json.loads(Path(config_path).read_text(encoding="utf-8"))


def hub_silence(endpoint: str, seconds: float) -> str | None:
    """None if the hub at `endpoint` answers an HTTP request (any status) within
    `seconds`, else why not, in a few words.

    One request and no retries. It runs in a daemon thread because httpx's timeouts do
    not cover the DNS lookup, which can hang for longer than the whole probe may take."""
    import threading

    import httpx

    outcome: dict[str, BaseException | None] = {}

    def probe() -> None:
        try:
            httpx.head(endpoint, timeout=seconds)
            outcome["error"] = None
        except Exception as exc:  # refused, timed out, no such host, TLS: all mean "not reachable"
            outcome["error"] = exc

    thread = threading.Thread(target=probe, name="hub probe", daemon=True)
    thread.start()
    thread.join(seconds + 0.5)
    if "error" not in outcome:
        return f"no answer from {endpoint} within {seconds:g} s"
    error = outcome["error"]
    if error is None:
        return None
    if isinstance(error, httpx.TimeoutException):
        return f"no answer from {endpoint} within {seconds:g} s"
    return f"cannot reach {endpoint}: {' '.join(str(error).split()) or type(error).__name__}"


def _unreachable_message(repo_id: str, why: str) -> str:
    return (
        f"model {repo_id!r} is not in the local Hugging Face cache and could not be downloaded "
        f"({why}). On a connected machine run `hf download {repo_id}` (or copy the "
        "folder here and pass its path), pass a .gguf file, or use --model extractive / --fallback extractive"
    )


def _load_builtins() -> None:
    # Importing these modules registers the built-in backends (cheap: no torch).
    from briefing.models import chat, endpoint, extractive, seq2seq  # noqa: F401
