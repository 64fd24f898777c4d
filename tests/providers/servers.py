"""Real HTTP servers on 127.0.0.1 in a thread: a base for fakes, and a webhook receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Exchange:
    """One request, and the one way to answer it."""

    method: str
    path: str
    query: dict[str, str]  # the last value of each name
    headers: dict[str, str]  # names lowercased
    body: bytes
    handler: BaseHTTPRequestHandler
    answered: bool = False
    params: list[tuple[str, str]] = field(default_factory=list)  # every one, in order

    def json(self) -> Any:
        return json.loads(self.body)

    def respond(
        self, status: int, body: bytes | dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        self.handler.send_response(status)
        content_type = "application/json" if isinstance(body, dict) else "application/octet-stream"
        for name, value in {"Content-Type": content_type, **(headers or {})}.items():
            self.handler.send_header(name, value)
        self.handler.send_header("Content-Length", str(len(data)))
        self.handler.end_headers()
        self.handler.wfile.write(data)
        self.answered = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up on a slow or hung answer is expected here


class Served:
    """``handle`` answers every request; ``stopping`` is set when the server stops."""

    def __init__(self, handle: Callable[[Exchange], None]) -> None:
        self.stopping = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                exchange = Exchange(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query)),
                    params=parse_qsl(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                    handler=self,
                )
                handle(exchange)

            do_GET = do_POST = do_PUT = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookSink:
    """Where the fake sends its webhooks: it keeps each delivery and answers 200."""

    deliveries: list[Delivery] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self._served = Served(self._receive)
        self.url = f"{self._served.url}/hooks/fal"

    def _receive(self, exchange: Exchange) -> None:
        with self._arrived:
            self.deliveries.append(Delivery(exchange.headers, exchange.body))
            self._arrived.notify_all()
        exchange.respond(200, {"ok": True})

    def wait(self, count: int, timeout: float = 20.0) -> list[Delivery]:
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.deliveries) >= count, timeout):
                raise AssertionError(f"{len(self.deliveries)} webhooks arrived, not {count}")
            return list(self.deliveries)

    def __enter__(self) -> WebhookSink:
        self._served.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._served.stop()
