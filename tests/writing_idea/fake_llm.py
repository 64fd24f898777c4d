"""A fake chat completions server, as an httpx transport and as a real HTTP server.

Both play a queue of *turns*: a reply (content, refusal, usage, finish
reason), a raw HTTP answer, a pause longer than the client waits, or a
dropped connection. Valid replies are made from what the template writer
writes for the same idea, so they fit the schemas and the target length.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from sparkle_motion.schemas import ActionElement, Idea
from sparkle_motion.writing.base import WrittenEpisode
from sparkle_motion.writing.template import TemplateWriter
from tests.writing_idea.conftest import context

API_KEY = "sk-test-9f8e7d6c5b4a39281706-SECRET"


@dataclass
class Turn:
    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"
    status: int = 200
    body: str | None = None  # a raw HTTP body instead of a chat completion
    delay: float = 0.0
    prompt_tokens: int = 120
    completion_tokens: int = 80


def completion(turn: Turn) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": turn.content,
                    "refusal": turn.refusal,
                },
                "finish_reason": turn.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": turn.prompt_tokens,
            "completion_tokens": turn.completion_tokens,
            "total_tokens": turn.prompt_tokens + turn.completion_tokens,
        },
    }


def _body(turn: Turn) -> str:
    return turn.body if turn.body is not None else json.dumps(completion(turn))


# -- replies made from the template writer ------------------------------------


def template_episode(
    idea: Idea, number: int, *, seed: int = 7, target: float = 30
) -> WrittenEpisode:
    ids = [f"ep{n:02d}" for n in range(1, idea.episodes + 1)]
    ctx = context(ids[number - 1], seed=seed, target=target)
    return TemplateWriter().write(idea, ids, number, ctx)


def arc_content(idea: Idea) -> str:
    arc = template_episode(idea, 1).story_arc
    assert arc is not None
    return json.dumps(
        {
            "title": arc.title,
            "central_question": arc.central_question,
            "threads": arc.threads,
            "episodes": [
                {
                    "number": e.number,
                    "title": e.title,
                    "summary": e.summary,
                    "unresolved_threads": e.unresolved_threads,
                }
                for e in arc.episodes
            ],
        }
    )


def episode_data(idea: Idea, number: int = 1, *, target: float = 30) -> dict[str, Any]:
    written = template_episode(idea, number, target=target)
    plan, script = written.episode_plan, written.script
    assert plan is not None
    return {
        "plan": {
            "title": plan.title,
            "summary": plan.summary,
            "beats": [b.model_dump() for b in plan.beats],
            "new_facts": [
                {"subject": f.subject, "key": f.key or f.event or "fact", "value": f.value or ""}
                for f in plan.new_facts
            ],
            "picked_up_threads": plan.picked_up_threads,
            "unresolved_threads": plan.unresolved_threads,
        },
        "script": {
            "title": script.title,
            "scenes": [
                {
                    "location_id": scene.location_id,
                    "time_of_day": scene.time_of_day,
                    "interior": scene.interior,
                    "present": scene.present,
                    "music_mood": scene.music_mood,
                    "elements": [
                        {"type": "action", "text": e.text, "characters": e.characters}
                        if isinstance(e, ActionElement)
                        else {
                            "type": "dialogue",
                            "text": e.text,
                            "speaker_id": e.speaker_id,
                            "emotion": e.emotion,
                        }
                        for e in scene.elements
                    ],
                }
                for scene in script.scenes
            ],
        },
    }


def episode_content(idea: Idea, number: int = 1, *, target: float = 30) -> str:
    return json.dumps(episode_data(idea, number, target=target))


# -- the transport -------------------------------------------------------------


@dataclass
class ScriptedTransport:
    """An httpx.MockTransport handler playing ``turns`` in order; records every request."""

    turns: list[Turn]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        turn = self.turns.pop(0)
        if turn.delay:
            raise httpx.ReadTimeout("the fake server is slow", request=request)
        return httpx.Response(turn.status, text=_body(turn))

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


# -- the real server -----------------------------------------------------------


class FakeChatServer:
    """A real HTTP server on 127.0.0.1 that speaks ``POST /v1/chat/completions``."""

    def __init__(self, turns: Sequence[Turn]) -> None:
        self.turns = list(turns)
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append((dict(self.headers.items()), payload))
                    turn = server.turns.pop(0) if server.turns else Turn(status=500, body="empty")
                if self.path != "/v1/chat/completions":
                    turn = Turn(status=404, body="not found")
                if turn.delay:
                    time.sleep(turn.delay)
                data = _body(turn).encode()
                try:
                    self.send_response(turn.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    @contextmanager
    def running(self) -> Iterator[FakeChatServer]:
        thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.httpd.shutdown()
            self.httpd.server_close()
            thread.join(timeout=5)
