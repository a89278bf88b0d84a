"""Any OpenAI-compatible model server (vLLM, TGI, llama.cpp's server, Ollama,
`transformers serve`): the same prompts as the in-process chat backend, sent as
chat completions, many at a time so that the server can batch them.

The server decides how the model runs; this backend decides what it is asked,
decodes greedily (temperature 0, a fixed seed) for reproducible briefings, and
retries what a busy server may refuse (429, 5xx) with backoff and jitter. The API
key comes only from the environment (BRIEFING_API_KEY, else OPENAI_API_KEY).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from briefing import prompting
from briefing.document import ModelInfo
from briefing.errors import ModelLoadError, ModelRunError
from briefing.models import register
from briefing.models.base import FollowUp, Model, SummaryRequest

# The chat backend's part size and summary length: both ask the same questions of the same model.
from briefing.models.chat import DEFAULT_MAX_NEW_TOKENS, DEFAULT_PART_TOKENS
from briefing.options import GenerationSettings, ModelSpec

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
DEFAULT_REQUEST_TIMEOUT = 300.0  # seconds: a CPU server without batching queues requests
PROBE_TIMEOUT = 10.0  # the /models check when the backend starts
SEED = 0
CHARS_PER_TOKEN = 4  # estimate when no tokenizer for the served model is at hand
API_KEY_VARIABLES = ("BRIEFING_API_KEY", "OPENAI_API_KEY")


@dataclass(frozen=True)
class RetryPolicy:
    """429 and 5xx answers, timeouts and dropped connections are tried again, waiting
    longer each time (with full jitter so that many clients do not retry in step)."""

    attempts: int = 5
    first_wait: float = 0.5
    longest_wait: float = 60.0

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before try `attempt + 1`; a server's Retry-After is honoured."""
        if retry_after is not None:
            return min(self.longest_wait, retry_after) + random.uniform(0, self.first_wait)
        return random.uniform(0, min(self.longest_wait, self.first_wait * 2**attempt))


DEFAULT_RETRY = RetryPolicy()


def api_key() -> str | None:
    for variable in API_KEY_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            return value
    return None


def endpoint_host(url: str) -> str:
    """host[:port] of the endpoint, for the briefing's header: no path, no credentials."""
    parts = urlsplit(url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else url


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After header (seconds, or an HTTP date) in seconds from now."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class EndpointModel(Model):
    backend = "endpoint"

    def __init__(self, spec: ModelSpec, retry: RetryPolicy | None = None) -> None:
        super().__init__(spec)
        if not spec.endpoint:
            raise ModelLoadError("the endpoint backend needs --endpoint URL")
        self.endpoint = spec.endpoint.rstrip("/")
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ModelLoadError(f"--endpoint {spec.endpoint!r}: not an http(s) URL such as http://127.0.0.1:8000/v1")
        self.retry = retry or DEFAULT_RETRY
        self._prompts = prompting.ChatPrompts(spec.prompts_dir)
        self._headers = {"Authorization": f"Bearer {key}"} if (key := api_key()) else {}
        self._check_served()
        self._tokenizer = _local_tokenizer(spec.name)

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(name=self.name, backend=self.backend, endpoint=endpoint_host(self.endpoint))

    @property
    def max_input_tokens(self) -> int:
        return self.spec.max_input_tokens or DEFAULT_PART_TOKENS

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if self._tokenizer is not None:
            return [len(ids) for ids in self._tokenizer(list(texts), add_special_tokens=False)["input_ids"]]
        return [math.ceil(len(text) / CHARS_PER_TOKEN) for text in texts]

    def cache_identity(self, settings: GenerationSettings) -> object:
        # The server and the model it serves decide the output; so do the prompts and decoding.
        return [self.backend, self.endpoint, self.name, settings.overrides(), self._prompts.identity(), SEED]

    def summarise(self, requests: Sequence[SummaryRequest], settings: GenerationSettings) -> list[str]:
        return self.summarise_chained(requests, settings, lambda index, summary: ())

    def summarise_chained(
        self, requests: Sequence[SummaryRequest], settings: GenerationSettings, follow_up: FollowUp
    ) -> list[str]:
        unsupported = sorted(set(settings.overrides()) - {"max_new_tokens", "num_beams"})
        if unsupported or (settings.num_beams or 1) > 1:
            flags = ", ".join("--" + name.replace("_", "-") for name in unsupported or ["num_beams"])
            raise ModelRunError(f"{flags}: not available through an OpenAI-compatible endpoint (greedy decoding only)")
        return asyncio.run(self._run(requests, settings, follow_up))

    # --- requests -------------------------------------------------------------------

    async def _run(
        self, requests: Sequence[SummaryRequest], settings: GenerationSettings, follow_up: FollowUp
    ) -> list[str]:
        """Every request goes out at once, at most `concurrency` in flight; a follow-up
        (a long article's combining step) goes out as soon as the answer it needs is in."""
        import httpx

        timeout = settings.request_timeout or DEFAULT_REQUEST_TIMEOUT
        limit = asyncio.Semaphore(settings.concurrency or DEFAULT_CONCURRENCY)
        results: dict[int, str] = {}
        index_of: dict[asyncio.Future[str], int] = {}  # requests in flight -> their index
        submitted = 0
        async with httpx.AsyncClient(
            headers=self._headers, timeout=httpx.Timeout(timeout, connect=min(timeout, PROBE_TIMEOUT))
        ) as client:

            def submit(batch: Sequence[SummaryRequest]) -> None:
                nonlocal submitted
                for request in batch:
                    task = asyncio.ensure_future(self._complete(client, limit, request, settings, timeout))
                    index_of[task] = submitted
                    submitted += 1

            submit(requests)
            try:
                while index_of:
                    done, _ = await asyncio.wait(index_of, return_when=asyncio.FIRST_COMPLETED)
                    for task in sorted(done, key=index_of.__getitem__):
                        index = index_of.pop(task)
                        results[index] = task.result()
                        submit(follow_up(index, results[index]))
            finally:
                for task in index_of:
                    task.cancel()
                await asyncio.gather(*index_of, return_exceptions=True)
        return [results[index] for index in range(len(results))]

    async def _complete(
        self,
        client: Any,
        limit: asyncio.Semaphore,
        request: SummaryRequest,
        settings: GenerationSettings,
        timeout: float,
    ) -> str:
        import httpx

        body = {
            "model": self.name,
            "messages": self._prompts.messages(request.kind, request.title, request.text),
            "max_tokens": settings.max_new_tokens or DEFAULT_MAX_NEW_TOKENS,
            "temperature": 0,
            "seed": SEED,
            "stream": False,
        }
        url = f"{self.endpoint}/chat/completions"
        for attempt in range(1, self.retry.attempts + 1):
            retry_after = None
            try:
                async with limit:
                    response = await client.post(url, json=body)
            except httpx.TimeoutException:
                problem = f"no answer within {timeout:g} s"
            except httpx.TransportError as exc:
                problem = f"cannot reach it ({_reason(exc)})"
            else:
                if response.status_code == 200:
                    return _content(response, self.endpoint)
                problem = f"answered HTTP {response.status_code}{_detail(response)}"
                if response.status_code != 429 and response.status_code < 500:
                    raise ModelRunError(f"endpoint {self.endpoint}: {problem}")
                retry_after = retry_after_seconds(response.headers.get("retry-after"))
            if attempt == self.retry.attempts:
                raise ModelRunError(f"endpoint {self.endpoint}: {problem}, {attempt} tries")
            wait = self.retry.wait(attempt, retry_after)
            log.info("endpoint %s: %s; trying again in %.1f s", self.endpoint, problem, wait)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _check_served(self) -> None:
        """One clear line, before any work, when the server is down or does not serve the model."""
        import httpx

        try:
            response = httpx.get(f"{self.endpoint}/models", headers=self._headers, timeout=PROBE_TIMEOUT)
        except httpx.TimeoutException:
            raise ModelLoadError(
                f"endpoint {self.endpoint}: no answer within {PROBE_TIMEOUT:g} s; is the model server running?"
            ) from None
        except httpx.TransportError as exc:
            raise ModelLoadError(
                f"endpoint {self.endpoint}: cannot reach it ({_reason(exc)}); is the model server running?"
            ) from None
        if response.status_code in (401, 403):
            raise ModelLoadError(
                f"endpoint {self.endpoint}: refused with HTTP {response.status_code}; "
                f"set {' or '.join(API_KEY_VARIABLES)} to the server's API key"
            )
        if response.status_code != 200:
            log.info(
                "endpoint %s: /models answered HTTP %d; not checking the model name",
                self.endpoint,
                response.status_code,
            )
            return  # a server without the listing: the first request will tell
        try:
            served = [str(entry.get("id")) for entry in response.json().get("data", [])]
        except (ValueError, AttributeError):
            return
        if served and self.name not in served:
            listed = ", ".join(served[:5]) + (" …" if len(served) > 5 else "")
            raise ModelLoadError(f"endpoint {self.endpoint} does not serve model {self.name!r}; it serves: {listed}")


def _content(response: Any, endpoint: str) -> str:
    try:
        message = response.json()["choices"][0]["message"]
        return str(message.get("content") or "").strip()
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise ModelRunError(f"endpoint {endpoint}: the answer is not a chat completion") from None


def _detail(response: Any) -> str:
    """The server's own error message, shortened, if it gave one."""
    try:
        error = response.json().get("error")
        text = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        text = None
    text = " ".join(str(text or "").split())
    return f": {text[:160]}" if text else ""


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _local_tokenizer(name: str) -> Any:
    """The served model's tokenizer if it is on this machine (a folder, or in the Hugging
    Face cache): the same chunks and sentence selection as the in-process backend. Never
    downloads; without it, token counts are estimated from characters."""
    try:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(name, local_files_only=True)
    except Exception:  # not a local model, not cached, or no tokenizer files: estimate instead
        log.info("no local tokenizer for %s; estimating token counts from characters", name)
        return None


@register("endpoint")
def _factory(spec: ModelSpec) -> Model:
    return EndpointModel(spec)
