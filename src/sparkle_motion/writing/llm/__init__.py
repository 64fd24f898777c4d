"""The LLM writer: any OpenAI-compatible chat completions server, with structured output."""

from sparkle_motion.writing.llm.cache import FileReplyCache, MemoryReplyCache, ReplyCache
from sparkle_motion.writing.llm.client import ChatClient, ChatReply, LLMConfig, UsageMeter
from sparkle_motion.writing.llm.writer import LLMWriter

__all__ = [
    "ChatClient",
    "ChatReply",
    "FileReplyCache",
    "LLMConfig",
    "LLMWriter",
    "MemoryReplyCache",
    "ReplyCache",
    "UsageMeter",
]
