"""Throughput: this project's engine against the naive per-article loop.

    python benchmarks/throughput.py --model .models/SmolLM2-135M-Instruct.Q4_1.gguf --articles 16

In one run, on the same model, prompt, generation settings and articles from
samples/ (repeated, with a marker, when more are asked for than exist):
- naive: the model loaded as a typical script does (a .gguf file dequantised on
  every load), then one request at a time, no cache;
- engine, cold: the converted model from the cache, requests batched by length
  under a token budget, an empty summary cache;
- engine, warm: the same with the summary cache filled.
BRIEFING_HOME points at a fresh temporary folder, so the cold run really is cold.
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
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="hub id, model folder or .gguf file")
    parser.add_argument("--articles", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--batch-tokens", type=int, default=4096)
    parser.add_argument("--max-input-tokens", type=int, default=None, help="cap per request (default: the model's)")
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


def naive_load(name: str) -> float:
    """Load as a typical script does: from_pretrained on the .gguf file (dequantising)."""
    import transformers

    path = Path(name)
    kwargs = {"gguf_file": path.name} if path.suffix == ".gguf" else {}
    source = str(path.parent) if kwargs else name
    _, seconds = timed(
        lambda: (
            transformers.AutoTokenizer.from_pretrained(source, **kwargs),
            transformers.AutoModelForCausalLM.from_pretrained(source, **kwargs),
        )
    )
    gc.collect()
    return seconds


def main() -> None:
    args = parse_args()
    os.environ["BRIEFING_HOME"] = tempfile.mkdtemp(prefix="briefing-bench-")
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch  # noqa: F401  (imported before timing, as any long-running process has it)
    import transformers  # noqa: F401

    from briefing.cache import SummaryCache
    from briefing.models import load_model
    from briefing.options import GenerationSettings, ModelSpec
    from briefing.summarise import summarise_articles

    articles = sample_articles(args.articles)
    spec = ModelSpec(name=args.model, device="cpu", max_input_tokens=args.max_input_tokens)
    one_at_a_time = GenerationSettings(max_new_tokens=args.max_new_tokens, batch_size=1)
    batched = GenerationSettings(
        max_new_tokens=args.max_new_tokens, batch_size=args.batch_size, batch_tokens=args.batch_tokens
    )

    naive_load_s = naive_load(args.model)
    model, engine_first_load_s = timed(lambda: load_model(spec))  # dequantises once, saves safetensors
    del model
    gc.collect()
    model, engine_load_s = timed(lambda: load_model(spec))  # from the converted cache

    naive, naive_s = timed(lambda: summarise_articles(articles, model, one_at_a_time))
    cache = SummaryCache()
    cold, cold_s = timed(lambda: summarise_articles(articles, model, batched, cache))
    warm, warm_s = timed(lambda: summarise_articles(articles, model, batched, cache))
    cache.close()

    texts = [s.text for s in naive]
    identical = texts == [s.text for s in cold] == [s.text for s in warm]
    tokens = sum(model.count_tokens(texts))
    n = len(articles)
    print(f"model {args.model} on {torch_threads()} CPU thread(s); {n} articles, greedy")
    print(f"max_new_tokens={args.max_new_tokens} batch_size={args.batch_size} batch_tokens={args.batch_tokens}")
    print(f"{'run':14} {'seconds':>8} {'articles/s':>11} {'tokens/s':>9}")
    for name, seconds in (("naive", naive_s), ("engine cold", cold_s), ("engine warm", warm_s)):
        print(f"{name:14} {seconds:8.2f} {n / seconds:11.3f} {tokens / seconds:9.1f}")
    print(
        f"model load: naive (.gguf) {naive_load_s:.2f} s, engine first {engine_first_load_s:.2f} s "
        f"(dequantise + save), engine {engine_load_s:.2f} s"
    )
    if not identical:
        for i, (a, b) in enumerate(zip(texts, [s.text for s in cold], strict=True)):
            if a != b:
                print(f"differs: article {i}: naive={a[:80]!r} engine={b[:80]!r}", file=sys.stderr)
    print(
        f"speedup_engine_vs_naive={naive_s / cold_s:.2f} speedup_warm_vs_naive={naive_s / warm_s:.1f} "
        f"load_speedup={naive_load_s / engine_load_s:.1f} identical={'true' if identical else 'false'} "
        f"peak_rss_mb={peak_rss_mb():.0f}"
    )


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    main()
