"""Other speed levers, each measured against its own baseline in the same run.

    python benchmarks/levers.py --model .models/SmolLM2-135M-Instruct.Q4_1.gguf --articles 4

For the chat model (greedy, batched as the engine does):
- torch.inference_mode() against torch.no_grad();
- torch threads: 1 against all cores;
- SDPA attention against the eager implementation;
- dynamic int8 quantisation of Linear layers (briefing --quantize int8), with
  how many summaries stay identical and the word overlap of those that change.
For a BART-sized encoder-decoder (distilbart-cnn-12-6's shape, random weights:
no BART weights can be fetched here, and speed does not depend on the values):
- num_beams 2 against 4, at a fixed output length.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def seconds(action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--articles", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--skip-bart", action="store_true")
    args = parser.parse_args()
    os.environ["BRIEFING_HOME"] = tempfile.mkdtemp(prefix="briefing-levers-")
    os.environ.setdefault("TQDM_DISABLE", "1")
    import torch

    from briefing.models import hf, load_model
    from briefing.models.base import SummaryRequest
    from briefing.options import GenerationSettings, ModelSpec
    from briefing.sources import load_sources

    articles = load_sources([str(REPO / "samples" / "articles")], 10_000_000).articles[: args.articles]
    # Short inputs keep the run short; every lever sees the same ones.
    requests = [SummaryRequest(" ".join(a.text.split()[:300]), "article", a.title) for a in articles]
    settings = GenerationSettings(max_new_tokens=args.max_new_tokens, batch_size=8)
    model = load_model(ModelSpec(name=args.model, device="cpu"))
    baseline_out = model.summarise(requests, settings)
    rows: list[tuple[str, float, float, str]] = []

    base = seconds(lambda: model.summarise(requests, settings))
    real_mode = torch.inference_mode
    torch.inference_mode = torch.no_grad  # type: ignore[assignment]
    try:
        no_grad = seconds(lambda: model.summarise(requests, settings))
    finally:
        torch.inference_mode = real_mode  # type: ignore[assignment]
    rows.append(("inference_mode vs no_grad", no_grad, base, "same outputs"))

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    one = seconds(lambda: model.summarise(requests, settings))
    torch.set_num_threads(threads)
    rows.append((f"{threads} threads vs 1", one, seconds(lambda: model.summarise(requests, settings)), ""))

    attention = model.model.config._attn_implementation
    model.model.config._attn_implementation = "eager"
    try:
        eager = seconds(lambda: model.summarise(requests, settings))
        eager_out = model.summarise(requests, settings)
    finally:
        model.model.config._attn_implementation = attention
    sdpa = seconds(lambda: model.summarise(requests, settings))
    rows.append((f"{attention} vs eager attention", eager, sdpa, f"identical: {eager_out == baseline_out}"))

    quantised = copy.copy(model)
    quantised.model = hf.quantize_int8(copy.deepcopy(model.model))
    int8 = seconds(lambda: quantised.summarise(requests, settings))
    int8_out = quantised.summarise(requests, settings)
    same = sum(a == b for a, b in zip(baseline_out, int8_out, strict=True))
    overlap = sum(_overlap(a, b) for a, b in zip(baseline_out, int8_out, strict=True)) / len(requests)
    rows.append(("int8 dynamic vs fp32", base, int8, f"{same}/{len(requests)} identical, word overlap {overlap:.2f}"))

    if not args.skip_bart:
        rows.append(_beams(torch))

    print(f"{'lever':32} {'baseline s':>10} {'lever s':>8} {'speedup':>8}  notes")
    for name, before, after, note in rows:
        print(f"{name:32} {before:10.2f} {after:8.2f} {before / after:8.2f}  {note}")


def _overlap(first: str, second: str) -> float:
    a, b = set(first.lower().split()), set(second.lower().split())
    return len(a & b) / len(a | b) if a | b else 1.0


def _beams(torch) -> tuple[str, float, float, str]:  # type: ignore[no-untyped-def]
    from transformers import BartConfig, BartForConditionalGeneration

    # distilbart-cnn-12-6: 12 encoder layers, 6 decoder layers, d_model 1024.
    config = BartConfig(
        vocab_size=50264,
        d_model=1024,
        encoder_layers=12,
        decoder_layers=6,
        encoder_attention_heads=16,
        decoder_attention_heads=16,
        encoder_ffn_dim=4096,
        decoder_ffn_dim=4096,
        max_position_embeddings=1024,
    )
    torch.manual_seed(0)
    model = BartForConditionalGeneration(config).eval()
    inputs = torch.randint(4, 50000, (2, 512))
    fixed = {"min_new_tokens": 40, "max_new_tokens": 40, "no_repeat_ngram_size": 3, "early_stopping": True}

    def run(beams: int) -> float:
        with torch.inference_mode(), contextlib.redirect_stderr(None):
            return seconds(lambda: model.generate(inputs, num_beams=beams, **fixed))

    four = run(4)
    two = run(2)
    return ("BART-size num_beams 2 vs 4", four, two, "2 inputs x 512 tokens, 40 new tokens")


if __name__ == "__main__":
    main()
