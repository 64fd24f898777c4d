"""The LLM writer: an arc, then the episode, each asked for as schema-checked JSON.

A reply that is not valid JSON, does not match the reply schema, fails the
Script schema or breaks the canon is sent back with the problems listed,
up to ``max_attempts`` times in all; then writing fails with the last
problems. A script that only misses the target length is sent back too,
but kept if no attempt does better. A refusal stops at once. Valid replies
are cached by their request's content hash.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sparkle_motion import seeding
from sparkle_motion.errors import StageError
from sparkle_motion.schemas import (
    EpisodePlan,
    Idea,
    IdeaCharacter,
    ModelUsage,
    Script,
    canonical_json,
    content_hash,
)
from sparkle_motion.writing.base import WritingContext, WrittenEpisode
from sparkle_motion.writing.canon_rules import canon_problems, cast_for
from sparkle_motion.writing.documents import validation_problems
from sparkle_motion.writing.estimate import card_seconds, estimate_seconds
from sparkle_motion.writing.llm.cache import ReplyCache
from sparkle_motion.writing.llm.client import ChatClient, UsageMeter
from sparkle_motion.writing.llm.prompts import arc_messages, episode_messages, repair_message
from sparkle_motion.writing.llm.wire import (
    ArcReply,
    EpisodeReply,
    WireProblem,
    arc_from_reply,
    episode_from_reply,
)

__all__ = ["LLMWriter"]

R = TypeVar("R", bound=BaseModel)
T = TypeVar("T")

_DURATION_TOLERANCE = 0.15
_MAX_LISTED = 8


def _request_seed(seed: int, label: str, idea: Idea, *parts: object) -> int:
    """The seed a request asks the server for: the project's, mixed with what is asked.

    Kept below 2**31, so that a server reading it as a signed 32-bit number takes it.
    """
    return seeding.seed_int(seed, "llm", label, idea.content_hash(), *parts) % 2**31


class LLMWriter:
    """Writes through a chat completions server; reports what it spent in ``usage()``."""

    name = "llm"

    def __init__(self, client: ChatClient, cache: ReplyCache | None = None) -> None:
        self.client = client
        self.cache = cache
        config = client.config
        self.meter = UsageMeter(
            model=config.model,
            input_usd_per_mtok=config.input_usd_per_mtok,
            output_usd_per_mtok=config.output_usd_per_mtok,
        )

    def usage(self) -> list[ModelUsage]:
        return self.meter.report()

    # -- one structured request, validated and repaired --------------------

    def _key(self, label: str, messages: Sequence[dict[str, str]], schema: Any, seed: int) -> str:
        request = {
            "model": self.client.config.model,
            "label": label,
            "messages": list(messages),
            "schema": schema,
            "seed": seed,
        }
        return content_hash(canonical_json(request))

    @staticmethod
    def _parse(
        content: str | None, shape: type[R], convert: Callable[[R], T]
    ) -> tuple[T | None, list[str]]:
        if not content or not content.strip():
            return None, ["the reply was empty; send the JSON object"]
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            return None, [f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]
        try:
            reply = shape.model_validate(data)
        except ValidationError as exc:
            return None, validation_problems(exc, _MAX_LISTED)
        try:
            return convert(reply), []
        except WireProblem as exc:
            return None, exc.problems[:_MAX_LISTED]

    def _ask(
        self,
        label: str,
        messages: list[dict[str, str]],
        shape: type[R],
        convert: Callable[[R], T],
        soft: Callable[[T], list[str]],
        seed: int,
    ) -> T:
        config = self.client.config
        schema = shape.model_json_schema()
        key = self._key(label, messages, schema, seed)
        cached = self.cache.get(key) if self.cache is not None else None
        if cached is not None:
            result, problems = self._parse(cached, shape, convert)
            if result is not None and not problems:
                self.meter.cached_requests += 1
                return result
        conversation = list(messages)
        kept: tuple[T, str] | None = None
        problems = []
        for _ in range(config.max_attempts):
            reply = self.client.complete(conversation, name=label, schema=schema, seed=seed)
            self.meter.add(reply)
            if reply.refusal or reply.finish_reason == "content_filter":
                said = f": {reply.refusal[:200]!r}" if reply.refusal else ""
                raise StageError(
                    f"the model refused to write the {label.replace('_', ' ')}{said}",
                    where=config.shown_endpoint,
                    hint="reword the idea, or set writer: template in project.yaml",
                )
            if reply.finish_reason == "length":
                result, problems = None, ["the reply was cut off: keep it shorter"]
            else:
                result, problems = self._parse(reply.content, shape, convert)
            if result is not None and not problems:
                problems = soft(result)
                kept = (result, reply.content or "")
                if not problems:
                    break
            conversation += [
                {"role": "assistant", "content": reply.content or ""},
                repair_message(problems),
            ]
        if kept is None:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise StageError(
                f"the model's {label.replace('_', ' ')} was not usable after "
                f"{config.max_attempts} attempts: {problems[0]}{more}",
                where=config.shown_endpoint,
                hint="run again, try a stronger model (SPARKLE_LLM_MODEL), "
                "or set writer: template in project.yaml",
            )
        if self.cache is not None:
            self.cache.put(key, kept[1])
        return kept[0]

    # -- the writer --------------------------------------------------------

    def write(
        self, idea: Idea, episode_ids: Sequence[str], number: int, context: WritingContext
    ) -> WrittenEpisode:
        cast = cast_for(idea, context.canon)
        arc = self._ask(
            "story_arc",
            arc_messages(idea, cast, context.canon),
            ArcReply,
            lambda reply: arc_from_reply(reply, idea, episode_ids),
            lambda _arc: [],
            _request_seed(context.seed, "story_arc", idea),
        )
        episode = arc.episodes[number - 1]
        previous = arc.episodes[number - 2] if number > 1 else None
        script, plan = self._ask(
            "episode",
            episode_messages(
                idea,
                cast,
                context.canon,
                arc,
                episode,
                previous,
                max(context.target_duration - card_seconds(context.cards), 10.0),
            ),
            EpisodeReply,
            lambda reply: self._episode(reply, idea, cast, context, episode_ids, number),
            lambda written: self._length_problems(written[0], context),
            _request_seed(context.seed, "episode", idea, number),
        )
        return WrittenEpisode(script=script, story_arc=arc, episode_plan=plan)

    @staticmethod
    def _episode(
        reply: EpisodeReply,
        idea: Idea,
        cast: Sequence[IdeaCharacter],
        context: WritingContext,
        episode_ids: Sequence[str],
        number: int,
    ) -> tuple[Script, EpisodePlan]:
        script, plan = episode_from_reply(reply, idea, cast, episode_ids[number - 1], number)
        problems = canon_problems(script, context.canon, plan)
        if problems:
            raise WireProblem(problems)
        return script, plan

    @staticmethod
    def _length_problems(script: Script, context: WritingContext) -> list[str]:
        seconds = estimate_seconds(script, context.timing, context.cards)
        target = context.target_duration
        if abs(seconds - target) <= _DURATION_TOLERANCE * target:
            return []
        advice = "add lines or a scene" if seconds < target else "cut lines"
        return [f"the script runs about {seconds:.0f} s, the target is {target:g} s: {advice}"]
