"""The LLM writer with a scripted chat completions transport: success, repair, failure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import SecretStr

from sparkle_motion.errors import StageError, TransientError
from sparkle_motion.schemas import Canon, Idea
from sparkle_motion.writing.base import WrittenEpisode
from sparkle_motion.writing.llm import ChatClient, LLMConfig, LLMWriter, MemoryReplyCache
from sparkle_motion.writing.llm.cache import FileReplyCache
from tests.writing_idea.conftest import context, make_idea
from tests.writing_idea.fake_llm import (
    API_KEY,
    ScriptedTransport,
    Turn,
    arc_content,
    episode_content,
    episode_data,
    template_episode,
)

IDS = ["ep01", "ep02", "ep03"]


def writer(
    turns: list[Turn], *, cache: Any = None, attempts: int = 3
) -> tuple[LLMWriter, ScriptedTransport]:
    transport = ScriptedTransport(turns)
    config = LLMConfig(
        base_url="https://llm.example/v1",
        model="fake-model",
        api_key=SecretStr(API_KEY),
        max_attempts=attempts,
        input_usd_per_mtok=1.0,
        output_usd_per_mtok=4.0,
    )
    return LLMWriter(ChatClient(config, transport.client()), cache=cache), transport


def write(
    llm: LLMWriter, idea: Idea, number: int = 1, canon: Canon | None = None
) -> WrittenEpisode:
    return llm.write(
        idea, IDS, number, context(IDS[number - 1], target=30, canon=canon, writer=llm)
    )


def last_user_message(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


def test_an_arc_then_the_episode_become_valid_artifacts() -> None:
    idea = make_idea()
    llm, transport = writer([Turn(content=arc_content(idea)), Turn(content=episode_content(idea))])
    written = write(llm, idea)
    expected = template_episode(idea, 1)
    assert written.script.to_json() == expected.script.to_json()
    assert (
        written.story_arc is not None and [e.episode_id for e in written.story_arc.episodes] == IDS
    )
    assert written.episode_plan is not None and written.episode_plan.episode_id == "ep01"
    arc_body, episode_body = transport.bodies()
    assert arc_body["response_format"]["json_schema"]["name"] == "story_arc"
    assert episode_body["response_format"]["json_schema"]["name"] == "episode"
    seeds = [arc_body["seed"], episode_body["seed"]]  # a signed 32-bit server takes either
    assert seeds[0] != seeds[1] and all(0 <= seed < 2**31 for seed in seeds)
    prompt = last_user_message(episode_body)
    assert "Speaker ids: mara, elias, osei" in prompt and "lamp-room" in prompt
    [usage] = llm.usage()
    assert (usage.requests, usage.prompt_tokens, usage.completion_tokens) == (2, 240, 160)
    assert usage.cost_usd == pytest.approx((240 * 1.0 + 160 * 4.0) / 1e6)


def test_episode_two_is_asked_to_pick_up_what_episode_one_left_open() -> None:
    idea = make_idea()
    llm, transport = writer(
        [Turn(content=arc_content(idea)), Turn(content=episode_content(idea, 2))]
    )
    written = write(llm, idea, 2)
    assert written.script.episode_id == "ep02"
    assert written.story_arc is not None
    left_open = written.story_arc.episodes[0].unresolved_threads
    assert left_open and all(t in last_user_message(transport.bodies()[1]) for t in left_open)


def test_invalid_json_is_sent_back_with_the_error_and_the_next_reply_used() -> None:
    idea = make_idea()
    llm, transport = writer(
        [
            Turn(content=arc_content(idea)),
            Turn(content='{"plan": {"title": "oops"'),
            Turn(content=episode_content(idea)),
        ]
    )
    write(llm, idea)
    repair = transport.bodies()[2]
    assert repair["messages"][-2] == {"role": "assistant", "content": '{"plan": {"title": "oops"'}
    assert "not valid JSON" in last_user_message(repair)
    assert llm.usage()[0].requests == 3


def test_a_reply_outside_the_cast_is_sent_back_naming_the_problem() -> None:
    idea = make_idea()
    wrong = episode_data(idea)
    wrong["script"]["scenes"][0]["elements"].append(
        {"type": "dialogue", "speaker_id": "zed", "text": "Who am I?"}
    )
    llm, transport = writer(
        [
            Turn(content=arc_content(idea)),
            Turn(content=json.dumps(wrong)),
            Turn(content=episode_content(idea)),
        ]
    )
    write(llm, idea)
    assert "'zed' is not one of" in last_user_message(transport.bodies()[2])


def test_a_renamed_canon_character_is_sent_back() -> None:
    idea = make_idea()
    canon = Canon.from_data(
        {"schema_version": "1.0.0", "characters": [{"id": "mara", "name": "Mara", "age": 34}]}
    )
    aged = episode_data(idea)
    aged["script"]["scenes"][0]["elements"].insert(
        1, {"type": "action", "text": "Mara, 52, sighs.", "characters": ["mara"]}
    )
    llm, transport = writer(
        [
            Turn(content=arc_content(idea)),
            Turn(content=json.dumps(aged)),
            Turn(content=episode_content(idea)),
        ]
    )
    write(llm, idea, canon=canon)
    assert "the canon says 34" in last_user_message(transport.bodies()[2])
    assert '"age": 34' in transport.bodies()[0]["messages"][1]["content"]


def test_persistent_invalid_output_fails_after_the_bounded_attempts() -> None:
    idea = make_idea()
    llm, transport = writer(
        [Turn(content=arc_content(idea)), *(Turn(content='{"script": 1}') for _ in range(3))]
    )
    with pytest.raises(StageError, match="not usable after 3 attempts") as info:
        write(llm, idea)
    assert "$.plan" in str(info.value) and "writer: template" in str(info.value)
    assert len(transport.requests) == 4
    assert llm.usage()[0].requests == 4  # what failed still cost tokens


def test_a_refusal_stops_at_once() -> None:
    idea = make_idea()
    llm, transport = writer(
        [Turn(content=arc_content(idea)), Turn(content=None, refusal="I can't help with that.")]
    )
    with pytest.raises(StageError, match="refused to write the episode: \"I can't help"):
        write(llm, idea)
    assert len(transport.requests) == 2


def test_a_content_filter_stop_is_a_refusal_too() -> None:
    idea = make_idea()
    llm, _ = writer([Turn(content="", finish_reason="content_filter")])
    with pytest.raises(StageError, match="refused to write the story arc"):
        write(llm, idea)


def test_a_timeout_is_transient_so_the_runner_retries_the_stage() -> None:
    idea = make_idea()
    llm, _ = writer([Turn(content=arc_content(idea)), Turn(delay=30)])
    with pytest.raises(TransientError, match="did not answer"):
        write(llm, idea)


def test_a_reply_cut_off_for_length_is_asked_for_again() -> None:
    idea = make_idea()
    llm, transport = writer(
        [
            Turn(content=arc_content(idea)),
            Turn(content='{"plan": ', finish_reason="length"),
            Turn(content=episode_content(idea)),
        ]
    )
    write(llm, idea)
    assert "cut off" in last_user_message(transport.bodies()[2])


def test_a_script_far_from_the_target_is_sent_back_but_kept_if_nothing_better_comes() -> None:
    idea = make_idea()
    long_reply = episode_content(idea, target=90)
    llm, transport = writer(
        [Turn(content=arc_content(idea)), *(Turn(content=long_reply) for _ in range(3))]
    )
    written = write(llm, idea)
    assert "the target is 30 s: cut lines" in last_user_message(transport.bodies()[2])
    assert written.script.episode_id == "ep01"


def test_valid_replies_are_cached_so_a_second_run_asks_nothing(tmp_path: Any) -> None:
    idea = make_idea()
    cache = FileReplyCache(tmp_path / "llm")
    first, _ = writer(
        [Turn(content=arc_content(idea)), Turn(content=episode_content(idea))], cache=cache
    )
    written = write(first, idea)
    again, transport = writer([], cache=cache)
    assert write(again, idea).script == written.script
    assert transport.requests == []
    [usage] = again.usage()
    assert (usage.requests, usage.cached_requests, usage.cost_usd) == (0, 2, 0.0)
    for path in (tmp_path / "llm").rglob("*"):
        assert not path.is_file() or API_KEY not in path.read_text()


def test_every_episode_of_an_idea_sees_the_same_cached_arc() -> None:
    idea = make_idea()
    cache = MemoryReplyCache()
    first, _ = writer(
        [Turn(content=arc_content(idea)), Turn(content=episode_content(idea))], cache=cache
    )
    arc = write(first, idea).story_arc
    second, transport = writer([Turn(content=episode_content(idea, 2))], cache=cache)
    assert write(second, idea, 2).story_arc == arc
    assert len(transport.requests) == 1
