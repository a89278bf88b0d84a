"""Articles per minute through an OpenAI-compatible model server, against the
in-process engine, in one run.

    python benchmarks/server.py --model .models/SmolLM2-135M-Instruct.Q4_1.gguf --articles 16

The server is `transformers serve --continuous-batching` on 127.0.0.1, serving the
safetensors folder the model cache makes from the .gguf (the in-process engine loads
the same folder). Every run summarises the same articles from samples/ (repeated with
a marker when more are asked for), whole (map-then-reduce for long ones), greedy, with
no summary cache:
- in-process: the chat backend's engine (models/decoding.py);
- server at concurrency 1, 4 and 8: the endpoint backend (models/endpoint.py).
Each side's summaries are compared with the in-process ones.

On a GPU machine pass --endpoint URL --served-name NAME to measure a server you run
yourself (vLLM, TGI...) instead of starting `transformers serve`.
Figures are ratios measured in the same run: these machines are noisy.
The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import sample_articles  # noqa: E402 (the same articles as the throughput benchmark)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help=".gguf file or model folder the server and the engine load")
    parser.add_argument("--articles", type=int, default=16)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--max-new-tokens", type=int, default=None, help="default: the tool's (120)")
    parser.add_argument("--endpoint", default=None, help="a server you run yourself, instead of transformers serve")
    parser.add_argument("--served-name", default=None, help="with --endpoint: the served model's name")
    parser.add_argument("--no-in-process", action="store_true", help="skip the in-process engine (GPU server runs)")
    return parser.parse_args()


def folder_for(model: str) -> Path:
    """The safetensors folder for a .gguf (made once by loading it), or the folder itself."""
    from briefing.models import hf, load_model
    from briefing.options import ModelSpec

    path = Path(model)
    if path.suffix.lower() != ".gguf":
        return path
    load_model(ModelSpec(name=model, device="cpu"))
    return hf.converted_gguf_folder(path)


@contextlib.contextmanager
def transformers_serve(folder: Path) -> Iterator[str]:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        str(Path(sys.executable).parent / "transformers"), "serve", str(folder), "--host", "127.0.0.1",
        "--port", str(port), "--device", "cpu", "--dtype", "float32", "--continuous-batching",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "HF_HUB_OFFLINE": "1"}
    )
    try:
        import httpx

        for _ in range(360):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            if process.poll() is not None:
                raise SystemExit("transformers serve exited before answering")
            time.sleep(0.5)
        else:
            raise SystemExit("transformers serve did not start within 180 s")
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    args = parse_args()
    os.environ.setdefault("BRIEFING_HOME", tempfile.mkdtemp(prefix="briefing-bench-"))
    from briefing.models import load_model
    from briefing.options import GenerationSettings, ModelSpec
    from briefing.summarise import summarise_articles

    articles = sample_articles(args.articles)
    settings = GenerationSettings(max_new_tokens=args.max_new_tokens)
    folder = folder_for(args.model) if not args.endpoint else Path(args.model)
    name = args.served_name or str(folder)
    rows: list[tuple[str, float, list[str]]] = []

    def measure(label: str, model, settings: GenerationSettings) -> None:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        summaries = summarise_articles(articles, model, settings)
        seconds = time.perf_counter() - started
        rows.append((label, seconds, [s.text for s in summaries]))
        print(f"{label}: {seconds:.1f} s, {len(articles) / seconds * 60:.1f} articles/min", flush=True)

    if not args.no_in_process:
        measure("in-process engine", load_model(ModelSpec(name=str(folder), device="cpu")), settings)

    server = contextlib.nullcontext(args.endpoint) if args.endpoint else transformers_serve(folder)
    with server as url:
        model = load_model(ModelSpec(name=name, endpoint=url))
        for concurrency in args.concurrency:
            measure(f"server, concurrency {concurrency}", model, GenerationSettings(
                max_new_tokens=args.max_new_tokens, concurrency=concurrency, request_timeout=1800
            ))  # fmt: skip

    reference = rows[0][2]
    print()
    print(f"| run | summarise s | articles/min | vs {rows[0][0]} | summaries identical to it |")
    print("|---|---|---|---|---|")
    for label, seconds, summaries in rows:
        same = sum(a == b for a, b in zip(summaries, reference, strict=True))
        print(f"| {label} | {seconds:.1f} | {len(articles) / seconds * 60:.1f} | "
              f"{rows[0][1] / seconds:.2f}× | {same}/{len(articles)} |")  # fmt: skip
    print(
        " ".join(
            f"{label.replace(' ', '_').replace(',', '')}_per_min={len(articles) / seconds * 60:.2f}"
            for label, seconds, _ in rows
        )
    )


if __name__ == "__main__":
    main()
