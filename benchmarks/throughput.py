"""Throughput: this project's engine against the naive per-article loop.

    python benchmarks/throughput.py --model .models/SmolLM2-135M-Instruct.Q4_1.gguf --articles 16

In one run, on the same model, prompts, generation settings and articles from
samples/ (repeated, with a marker, when more are asked for than exist):
- naive: what a typical transformers script does: from_pretrained() on the
  model (a .gguf file is dequantised on every load), then generate() on one
  prompt at a time, no cache;
- engine, cold: the converted model from the cache, each prompt prefilled alone
  and the decoding steps batched across all of them (models/decoding.py), an
  empty summary cache;
- engine, warm: the same with the summary cache filled.
Both sides make the same requests (long articles in parts, then combined).
BRIEFING_HOME points at a fresh temporary folder, so the cold run really is cold.

Speedups are end to end, load included, as a user meets them; the generation-only
ratio is printed too, with the bound on it: the time the naive loop spends in the
prompt pass, which no batching shrinks without changing the arithmetic.
Figures are ratios measured in the same run: these machines are noisy.
The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from briefing.models.base import Model  # no torch: the timed imports stay in main()

REPO = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="hub id, model folder or .gguf file")
    parser.add_argument("--articles", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=None, help="default: the model's (120 for chat models)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the tool's")
    parser.add_argument("--kv-cache-tokens", type=int, default=None, help="default: the tool's")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    parser.add_argument("--engine-only", action="store_true", help="skip the naive loop (to measure peak memory)")
    return parser.parse_args()


def sample_articles(count: int):  # type: ignore[no-untyped-def]
    from briefing.sources import load_sources

    base = load_sources([str(REPO / "samples" / "articles")], 10_000_000).articles
    articles = []
    for i in range(count):
        article = base[i % len(base)]
        copy = i // len(base)
        if copy:  # a distinct text, so neither deduplication nor the cache merges copies
            article = replace(
                article, title=f"{article.title} ({copy + 1})", text=f"{article.text}\n\nReport {copy + 1}."
            )
        articles.append(article)
    return articles


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def timed(action):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def naive_load(name: str, device: str) -> tuple[Any, float]:
    """Load as a typical script does: tokenizer and model from_pretrained(), on the .gguf
    file if that is the model. (The loop then prompts through the engine's tokenizer, which
    is the same one saved again, so that both sides send identical token ids.)"""
    import transformers

    path = Path(name)
    kwargs: dict[str, Any] = {"gguf_file": path.name} if path.suffix == ".gguf" else {}
    source = str(path.parent) if kwargs else name
    if device != "cpu":
        kwargs["device_map"] = device
    tokenizer_kwargs = {key: value for key, value in kwargs.items() if key == "gguf_file"}
    (_, model), seconds = timed(
        lambda: (
            transformers.AutoTokenizer.from_pretrained(source, **tokenizer_kwargs),
            transformers.AutoModelForCausalLM.from_pretrained(source, **kwargs),
        )
    )
    return model, seconds


class NaiveLoop(Model):
    """The typical script's loop behind the Model interface, so that it makes exactly
    the engine's requests, round by round (Model's default summarise_chained):
    generate() on one prompt at a time."""

    backend = "chat"

    def __init__(self, engine: Any, model: Any) -> None:
        super().__init__(engine.spec)
        self.engine, self.model = engine, model
        self.prompts: list[list[int]] = []

    @property
    def max_input_tokens(self) -> int:
        return int(self.engine.max_input_tokens)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return list(self.engine.count_tokens(texts))

    def summarise(self, requests: Sequence[Any], settings: Any) -> list[str]:
        import torch

        config = self.engine.generation_config_for(settings)
        outputs = []
        for request in requests:
            ids = self.engine.prompt_ids(request)
            self.prompts.append(ids)
            tensor = torch.tensor([ids], device=self.model.device)
            new = self.model.generate(tensor, attention_mask=torch.ones_like(tensor), generation_config=config)
            outputs.append(self.engine.tokenizer.decode(new[0, len(ids) :], skip_special_tokens=True).strip())
        return outputs


def prompt_pass_seconds(model: Any, prompts: Sequence[Sequence[int]]) -> float:
    """How long the naive loop's prompt passes alone take: the part no batching removes."""
    import torch

    def run() -> None:
        with torch.inference_mode():
            for ids in prompts:
                model(input_ids=torch.tensor([list(ids)], device=model.device), logits_to_keep=1)

    return timed(run)[1]


def main() -> None:
    args = parse_args()
    os.environ["BRIEFING_HOME"] = tempfile.mkdtemp(prefix="briefing-bench-")
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch  # noqa: F401  (imported before timing, as any long-running process has it)
    import transformers

    transformers.utils.logging.disable_progress_bar()
    from briefing.cache import SummaryCache
    from briefing.models import load_model
    from briefing.options import GenerationSettings, ModelSpec
    from briefing.summarise import summarise_articles

    articles = sample_articles(args.articles)
    spec = ModelSpec(name=args.model, device=args.device)
    tuned = {k: v for k, v in (("batch_size", args.batch_size), ("kv_cache_tokens", args.kv_cache_tokens)) if v}
    settings = GenerationSettings(max_new_tokens=args.max_new_tokens, **tuned)

    engine, engine_first_load_s = timed(lambda: load_model(spec))  # dequantises once, saves safetensors
    naive_load_s = naive_gen_s = prompt_s = float("nan")
    naive_texts: list[str] | None = None
    if not args.engine_only:
        naive_model, naive_load_s = naive_load(args.model, engine.device)
        loop = NaiveLoop(engine, naive_model)
        naive, naive_gen_s = timed(lambda: summarise_articles(articles, loop, settings))
        naive_texts = [s.text for s in naive]
        prompt_s = prompt_pass_seconds(naive_model, loop.prompts)
        del naive_model, loop
    del engine
    gc.collect()
    engine, engine_load_s = timed(lambda: load_model(spec))  # from the converted cache
    cache = SummaryCache()
    cold, cold_s = timed(lambda: summarise_articles(articles, engine, settings, cache))
    warm, warm_s = timed(lambda: summarise_articles(articles, engine, settings, cache))
    cache.close()

    cold_texts = [s.text for s in cold]
    identical = (naive_texts is None or naive_texts == cold_texts) and cold_texts == [s.text for s in warm]
    tokens = sum(engine.count_tokens(cold_texts))
    n = len(articles)
    config = engine.generation_config_for(settings)
    limits = settings.on_device(engine.device)
    print(f"model {args.model} on {engine.device} ({torch.get_num_threads()} CPU threads); {n} articles, greedy")
    print(
        f"max_new_tokens={config.max_new_tokens} batch_size={limits.batch_size} "
        f"kv_cache_tokens={limits.kv_cache_tokens}"
    )
    runs = [
        ("naive", naive_load_s, naive_gen_s),
        ("engine cold", engine_load_s, cold_s),
        ("engine warm", engine_load_s, warm_s),
    ]
    print(f"{'run':12} {'load s':>7} {'summarise s':>12} {'total s':>8} {'articles/s':>11} {'tokens/s':>9}")
    for name, load_s, run_s in runs:
        total = load_s + run_s
        print(f"{name:12} {load_s:7.2f} {run_s:12.2f} {total:8.2f} {n / total:11.3f} {tokens / run_s:9.1f}")
    print(f"engine's first load {engine_first_load_s:.2f} s (dequantise + save the converted copy, once)")
    naive_total, cold_total, warm_total = naive_load_s + naive_gen_s, engine_load_s + cold_s, engine_load_s + warm_s
    if not args.engine_only:
        print(
            f"summarising only: engine {naive_gen_s / cold_s:.2f}x the naive loop; the naive loop's prompt passes "
            f"alone take {prompt_s:.1f} s, so no engine with the same arithmetic can beat {naive_gen_s / prompt_s:.2f}x"
        )
        if not identical:
            for i, (a, b) in enumerate(zip(naive_texts or [], cold_texts, strict=True)):
                if a != b:
                    print(f"differs: article {i}: naive={a[:80]!r} engine={b[:80]!r}", file=sys.stderr)
    print(
        f"speedup_engine_vs_naive={naive_total / cold_total:.2f} speedup_warm_vs_naive={naive_total / warm_total:.1f} "
        f"load_speedup={naive_load_s / engine_load_s:.1f} identical={'true' if identical else 'false'} "
        f"peak_rss_mb={peak_rss_mb():.0f}"
    )


if __name__ == "__main__":
    main()
