"""The chat completions client against httpx.MockTransport: requests, replies, failures."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from sparkle_motion.errors import StageError, TransientError
from sparkle_motion.writing.llm import ChatClient, ChatReply, LLMConfig, UsageMeter
from tests.writing_idea.fake_llm import API_KEY, ScriptedTransport, Turn

SCHEMA = {"type": "object", "properties": {"x": {"type": "integer"}}}


def client(turns: list[Turn], **config: object) -> tuple[ChatClient, ScriptedTransport]:
    transport = ScriptedTransport(turns)
    settings = LLMConfig(
        base_url="https://llm.example/v1/",
        model="tiny-writer",
        api_key=SecretStr(API_KEY),
        **config,  # type: ignore[arg-type]
    )
    return ChatClient(settings, transport.client()), transport


def ask(chat: ChatClient) -> ChatReply:
    return chat.complete([{"role": "user", "content": "hi"}], name="thing", schema=SCHEMA, seed=42)


def test_a_request_is_a_structured_chat_completion_with_the_key_in_the_header() -> None:
    chat, transport = client([Turn(content='{"x": 1}')])
    reply = ask(chat)
    [request] = transport.requests
    assert request.method == "POST"
    assert str(request.url) == "https://llm.example/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    [body] = transport.bodies()
    assert body["model"] == "tiny-writer" and body["seed"] == 42
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "thing", "schema": SCHEMA, "strict": False},
    }
    assert API_KEY not in request.content.decode()
    assert reply.content == '{"x": 1}'
    assert (reply.prompt_tokens, reply.completion_tokens) == (120, 80)


def test_no_key_no_authorization_header() -> None:
    transport = ScriptedTransport([Turn(content="{}")])
    chat = ChatClient(LLMConfig(base_url="http://127.0.0.1:9/v1", model="m"), transport.client())
    ask(chat)
    assert "authorization" not in transport.requests[0].headers


def test_the_meter_counts_tokens_and_prices_them() -> None:
    meter = UsageMeter(model="m", input_usd_per_mtok=2.0, output_usd_per_mtok=10.0)
    chat, _ = client([Turn(content="{}", prompt_tokens=1000, completion_tokens=500)])
    meter.add(ask(chat))
    [usage] = meter.report()
    assert usage.requests == 1 and usage.prompt_tokens == 1000
    assert usage.cost_usd == pytest.approx(0.002 + 0.005)
    assert UsageMeter(model="m").report() == []


@pytest.mark.parametrize("status", [429, 500, 503])
def test_busy_or_broken_servers_are_transient(status: int) -> None:
    chat, _ = client([Turn(status=status, body="overloaded")])
    with pytest.raises(TransientError, match=f"HTTP {status}"):
        ask(chat)


def test_a_timeout_is_transient_and_says_how_long_it_waited() -> None:
    chat, _ = client([Turn(delay=5)], timeout=1.5)
    with pytest.raises(TransientError, match=r"within 1\.5 s") as info:
        ask(chat)
    assert "SPARKLE_LLM_TIMEOUT" in str(info.value)


def test_an_unreachable_server_is_transient() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    chat = ChatClient(
        LLMConfig(base_url="http://127.0.0.1:9/v1", model="m"),
        httpx.Client(transport=httpx.MockTransport(refuse)),
    )
    with pytest.raises(TransientError, match="cannot reach"):
        ask(chat)


def test_a_refused_key_is_named_but_never_shown() -> None:
    chat, _ = client([Turn(status=401, body=f'{{"error": "bad key {API_KEY}"}}')])
    with pytest.raises(StageError, match="SPARKLE_LLM_API_KEY") as info:
        ask(chat)
    assert API_KEY not in str(info.value)


def test_an_echoed_key_is_scrubbed_from_errors_and_refusals() -> None:
    chat, _ = client([Turn(status=400, body=f"bad request from {API_KEY}")])
    with pytest.raises(StageError) as info:
        ask(chat)
    assert API_KEY not in str(info.value) and "[redacted]" in str(info.value)
    chat, _ = client([Turn(refusal=f"I won't, {API_KEY}")])
    reply = ask(chat)
    assert API_KEY not in (reply.refusal or "")


def test_credentials_in_the_url_never_reach_an_error() -> None:
    transport = ScriptedTransport([Turn(status=404, body="nope")])
    chat = ChatClient(
        LLMConfig(base_url="https://user:hunter2@llm.example/v1", model="m"), transport.client()
    )
    with pytest.raises(StageError) as info:
        ask(chat)
    assert "hunter2" not in str(info.value) and "llm.example" in str(info.value)


def test_an_answer_that_is_not_a_chat_completion_says_so() -> None:
    chat, _ = client([Turn(body="<html>welcome to nginx</html>")])
    with pytest.raises(StageError, match="not a chat completion") as info:
        ask(chat)
    assert "/v1" in str(info.value)
