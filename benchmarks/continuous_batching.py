"""transformers' own continuous batching (`generate_batch`) against models/decoding.py.

    python benchmarks/continuous_batching.py --model .models/SmolLM2-135M-Instruct.Q4_1.gguf --articles 16

Same prompts (the map round of `--articles` sample articles), same greedy
settings, one process. Prints the seconds for each, their ratio, and whether
the two agree token for token.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from throughput import sample_articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--articles", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=None)
    args = parser.parse_args()
    os.environ["BRIEFING_HOME"] = tempfile.mkdtemp(prefix="briefing-bench-")
    os.environ.setdefault("TQDM_DISABLE", "1")
    import transformers

    transformers.utils.logging.disable_progress_bar()
    from briefing.models import decoding, load_model
    from briefing.models.base import SummaryRequest
    from briefing.options import GenerationSettings, ModelSpec
    from briefing.summarise import chunk_text

    model = load_model(ModelSpec(name=args.model, device="cpu"))
    prompts = []
    for article in sample_articles(args.articles):
        chunks = chunk_text(article.text, model)
        kind = "article" if len(chunks) == 1 else "part"
        prompts += [model.prompt_ids(SummaryRequest(chunk, kind, article.title)) for chunk in chunks]  # type: ignore[arg-type]
    settings = GenerationSettings(max_new_tokens=args.max_new_tokens).on_device("cpu")
    config = model.generation_config_for(settings)

    started = time.perf_counter()
    ours = decoding.greedy_generate(model.model, prompts, config, settings.batch_size, settings.kv_cache_tokens)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    outputs = model.model.generate_batch(prompts, generation_config=config, warmup=False)
    theirs_s = time.perf_counter() - started
    # Request ids are "req_<position>".
    theirs = [outputs[key].generated_tokens for key in sorted(outputs, key=lambda key: int(key.rsplit("_", 1)[1]))]
    theirs = [[t for t in tokens if t != config.eos_token_id] for tokens in theirs]
    agree = sum(a == b for a, b in zip(ours, theirs, strict=True))
    print(f"{len(prompts)} prompts, {sum(map(len, prompts))} prompt tokens, max_new_tokens={config.max_new_tokens}")
    print(f"models/decoding.py       {ours_s:7.1f} s")
    print(f"transformers generate_batch {theirs_s:7.1f} s")
    print(f"decoding.py is {theirs_s / ours_s:.2f}x faster; identical outputs for {agree}/{len(prompts)} prompts")


if __name__ == "__main__":
    main()
