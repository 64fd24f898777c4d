"""Signed webhooks: headers, signature, de-duplication id, capped backoff, refusals."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from sparkle_motion.errors import CallbackRefused
from sparkle_motion.service.webhooks import WebhookSender, check_callback_url, sign, verify
from tests.service.conftest import ServerFactory
from tests.service.helpers import ADMIN, WEBHOOK_SECRET, auth, package, wait_for, wait_status


class Receiver:
    """A webhook receiver on loopback that fails the first ``failures`` deliveries."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {"headers": dict(self.headers), "body": body, "at": time.monotonic()}
                )
                ok = len(receiver.received) > receiver.failures
                self.send_response(200 if ok else 503)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver(failures=2)
    yield made
    made.server.shutdown()
    made.server.server_close()


def test_deliveries_are_signed_retried_with_backoff_and_recorded(
    client: httpx.Client, receiver: Receiver
) -> None:
    callback = {"url": receiver.url, "events": ["completed"]}
    client.post("/v1/render-packages", json=package("hook-1", callbacks=[callback]))
    wait_status(client, "hook-1", ("completed",))
    wait_for(lambda: len(receiver.received) >= 3)

    ids = {r["headers"]["Sparkle-Webhook-Id"] for r in receiver.received}
    assert len(ids) == 1, "a retry keeps the delivery id, so receivers can de-duplicate"
    for request in receiver.received:
        headers = request["headers"]
        assert headers["Sparkle-Webhook-Event"] == "render_package.completed"
        assert headers["Sparkle-Webhook-Signature"].startswith("v1=")
        assert verify(
            WEBHOOK_SECRET,
            headers["Sparkle-Webhook-Timestamp"],
            request["body"],
            headers["Sparkle-Webhook-Signature"],
            now=time.time(),
        )
        assert not verify(
            "wrong-secret",
            headers["Sparkle-Webhook-Timestamp"],
            request["body"],
            headers["Sparkle-Webhook-Signature"],
            now=time.time(),
        )
    payload = json.loads(receiver.received[-1]["body"])
    assert payload["request_id"] == "hook-1" and payload["status"] == "completed"
    gaps = [
        b["at"] - a["at"] for a, b in zip(receiver.received, receiver.received[1:], strict=False)
    ]
    assert gaps[0] >= 0.04 and gaps[1] >= 0.09  # 0.05 s, then doubled

    attempts = wait_for(
        lambda: (
            (d := client.get("/v1/render-packages/hook-1/deliveries").json()) and len(d) == 3 and d
        )
    )
    assert [(a["attempt"], a["status_code"]) for a in attempts] == [(1, 503), (2, 503), (3, 200)]
    assert attempts[0]["error"] == "HTTP 503" and attempts[2]["error"] is None


def test_private_callback_urls_are_refused_unless_allowed(serve: ServerFactory) -> None:
    server = serve(webhook_allow_private=False)
    with httpx.Client(base_url=server.url, headers=auth(ADMIN)) as client:
        for url in ("http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "ftp://example.com/x"):
            body = package("private-1", callbacks=[{"url": url}])
            answer = client.post("/v1/render-packages", json=body)
            assert answer.status_code == 422 and answer.json()["code"] == "SM109", url


def test_url_checks_and_backoff_cap() -> None:
    public = lambda _host, _port: ["93.184.216.34"]  # noqa: E731
    check_callback_url("https://hooks.example.com/x", allow_private=False, resolve=public)
    for address in ("127.0.0.1", "10.0.0.8", "192.168.1.1", "169.254.169.254", "::1", "fd00::1"):
        with pytest.raises(CallbackRefused):
            check_callback_url(
                "https://hooks.example.com/x",
                allow_private=False,
                resolve=lambda _h, _p, a=address: [a],
            )
    check_callback_url(
        "http://127.0.0.1/x", allow_private=True, resolve=lambda _h, _p: ["127.0.0.1"]
    )
    sender = WebhookSender(
        None,  # type: ignore[arg-type]
        secret="s",
        allow_private=False,
        max_attempts=10,
        backoff=1.0,
        backoff_max=30.0,
        client=httpx.Client(),
    )
    assert [sender.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    sender.client.close()
    assert sign("k", 10, b"{}") == sign("k", 10, b"{}") != sign("k", 11, b"{}")
    assert not verify("k", "10", b"{}", sign("k", 10, b"{}"), now=10_000)  # stale
