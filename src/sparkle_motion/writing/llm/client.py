"""A client for the OpenAI-compatible chat completions API, with structured output.

``POST {base_url}/chat/completions`` with ``response_format: {"type":
"json_schema", ...}`` is what OpenAI, Ollama, llama.cpp's server and vLLM
all serve. The ``httpx.Client`` is injected (tests pass a MockTransport or
point at a local fake server). The API key travels only in the
``Authorization`` header: it is never part of a message, a log field, an
error or an artifact, and any text echoed back by a server is scrubbed of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from sparkle_motion.errors import StageError, TransientError
from sparkle_motion.schemas import ModelUsage

__all__ = ["ChatClient", "ChatReply", "LLMConfig", "UsageMeter"]

_REDACTED = "[redacted]"
_TEMPERATURE = 0.7


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: SecretStr | None = None
    timeout: float = 120.0
    max_attempts: int = 3
    input_usd_per_mtok: float = 0.0
    output_usd_per_mtok: float = 0.0

    @property
    def endpoint(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    @property
    def shown_endpoint(self) -> str:
        """The endpoint as errors show it: never with credentials in it."""
        url = httpx.URL(self.endpoint)
        return str(url.copy_with(username=None, password=None, query=None))


@dataclass(frozen=True)
class ChatReply:
    content: str | None
    refusal: str | None
    finish_reason: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class UsageMeter:
    """Requests, tokens and money one writer has spent."""

    model: str
    input_usd_per_mtok: float = 0.0
    output_usd_per_mtok: float = 0.0
    requests: int = 0
    cached_requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, reply: ChatReply) -> None:
        self.requests += 1
        self.prompt_tokens += reply.prompt_tokens
        self.completion_tokens += reply.completion_tokens

    @property
    def cost_usd(self) -> float:
        return (
            self.prompt_tokens * self.input_usd_per_mtok
            + self.completion_tokens * self.output_usd_per_mtok
        ) / 1_000_000

    def report(self) -> list[ModelUsage]:
        if not (self.requests or self.cached_requests):
            return []
        return [
            ModelUsage(
                model=self.model,
                requests=self.requests,
                cached_requests=self.cached_requests,
                prompt_tokens=self.prompt_tokens,
                completion_tokens=self.completion_tokens,
                cost_usd=round(self.cost_usd, 6),
            )
        ]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class ChatClient:
    def __init__(self, config: LLMConfig, http: httpx.Client) -> None:
        self.config = config
        self.http = http

    def _scrub(self, text: str) -> str:
        key = self.config.api_key.get_secret_value() if self.config.api_key else ""
        return text.replace(key, _REDACTED) if key else text

    def complete(
        self, messages: list[dict[str, str]], *, name: str, schema: dict[str, Any], seed: int
    ) -> ChatReply:
        """One chat completion whose content should match ``schema``."""
        body = {
            "model": self.config.model,
            "messages": messages,
            "temperature": _TEMPERATURE,
            "seed": seed,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": False},
            },
        }
        headers = {"Accept": "application/json"}
        if self.config.api_key is not None:
            headers["Authorization"] = f"Bearer {self.config.api_key.get_secret_value()}"
        where = self.config.shown_endpoint
        try:
            response = self.http.post(
                self.config.endpoint, json=body, headers=headers, timeout=self.config.timeout
            )
        except httpx.TimeoutException:
            raise TransientError(
                f"the model server did not answer within {self.config.timeout:g} s",
                where=where,
                hint="raise SPARKLE_LLM_TIMEOUT, or use a smaller model",
            ) from None
        except httpx.HTTPError as exc:
            raise TransientError(
                f"cannot reach the model server ({type(exc).__name__})",
                where=where,
                hint="check SPARKLE_LLM_BASE_URL and that the server is running",
            ) from None
        return self._reply(response, where)

    def _reply(self, response: httpx.Response, where: str) -> ChatReply:
        status = response.status_code
        excerpt = self._scrub(response.text[:300].replace("\n", " "))
        if status in (401, 403):
            raise StageError(
                f"the model server refused the API key (HTTP {status})",
                where=where,
                hint="check SPARKLE_LLM_API_KEY",
            )
        if status == 429 or status >= 500:
            raise TransientError(f"the model server answered HTTP {status}: {excerpt}", where=where)
        if status >= 400:
            raise StageError(
                f"the model server answered HTTP {status}: {excerpt}",
                where=where,
                hint="check SPARKLE_LLM_MODEL and that the server speaks the chat completions API",
            )
        try:
            payload = response.json()
            choice = payload["choices"][0]
            message = choice["message"]
            usage = payload.get("usage") or {}
        except (ValueError, KeyError, IndexError, TypeError):
            raise StageError(
                f"the model server's answer is not a chat completion: {excerpt}",
                where=where,
                hint="SPARKLE_LLM_BASE_URL should end where /chat/completions starts (often /v1)",
            ) from None
        content, refusal = message.get("content"), message.get("refusal")
        return ChatReply(
            content=content if isinstance(content, str) else None,
            refusal=self._scrub(refusal) if isinstance(refusal, str) and refusal else None,
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=_int(usage.get("prompt_tokens")),
            completion_tokens=_int(usage.get("completion_tokens")),
        )
