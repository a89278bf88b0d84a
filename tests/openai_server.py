"""A scriptable OpenAI-compatible server for tests: a real HTTP server on 127.0.0.1
(stdlib ThreadingHTTPServer) that answers /v1/models and /v1/chat/completions, and
can be told to refuse (429 with Retry-After, 503), to be slow, or to die mid-run.

    with FakeOpenAIServer(models=["tiny"]) as server:
        server.script = [(429, {"Retry-After": "1"}), (503, {})]  # the next answers, then 200s
        server.delay = 0.2                                        # seconds per completion
        server.die_after = 3                                      # close after 3 completions
        server.requests, server.headers, server.max_in_flight

PYTEST_DONT_REWRITE
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAIServer:
    def __init__(self, models: list[str] | None = None, list_models: bool = True, port: int = 0) -> None:
        self.models = models if models is not None else ["tiny"]
        self.list_models = list_models
        self.script: list[tuple[int, dict[str, str]]] = []
        self.delay = 0.0
        self.die_after: int | None = None
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.answered = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop listening: later connections are refused, as from a killed server."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def summary_for(self, number: int, body: dict[str, Any]) -> str:
        """The answer: "Summary N." for the N-th request received, so tests can match them up."""
        return f"Summary {number}: the {body.get('model')} model answered."

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                if self.path.rstrip("/") == "/v1/models" and fake.list_models:
                    data = [{"id": name, "object": "model"} for name in fake.models]
                    self._send(200, {"object": "list", "data": data})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                with fake._lock:
                    fake.requests.append(body)
                    number = len(fake.requests)
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                    scripted = fake.script.pop(0) if fake.script else None
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    if scripted is not None:
                        status, headers = scripted
                        self._send(status, {"error": {"message": f"scripted {status}"}}, headers)
                        return
                    time.sleep(fake.delay)
                    with fake._lock:
                        if fake.die_after is not None and fake.answered >= fake.die_after:
                            threading.Thread(target=fake.stop, daemon=True).start()
                            self.close_connection = True
                            return  # no answer: the connection drops, as when a server is killed
                        fake.answered += 1
                    content = fake.summary_for(number, body)
                    self._send(
                        200,
                        {
                            "object": "chat.completion",
                            "model": body.get("model"),
                            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
                        },
                    )
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler
