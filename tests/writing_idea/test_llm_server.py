"""The write stage with writer: llm, against a real fake server on 127.0.0.1 in a thread.

The key goes to the server in the Authorization header and nowhere else:
not into a log, an artifact, a manifest, a checkpoint or the run summary.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkle_motion.errors import InputError, StageError, TransientError
from sparkle_motion.pipeline.runner import Runner, RunOutcome, RunRequest
from sparkle_motion.pipeline.stages import STAGES
from tests.conftest import tiny_project_config
from tests.writing_idea.conftest import IdeaProjectFactory, make_idea
from tests.writing_idea.fake_llm import (
    API_KEY,
    FakeChatServer,
    Turn,
    arc_content,
    episode_content,
)

STORY_STAGES = [spec for spec in STAGES if spec.name in ("write", "safety")]


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("SPARKLE_LLM_MODEL", "fake-model")
    monkeypatch.setenv("SPARKLE_LLM_API_KEY", API_KEY)
    monkeypatch.setenv("SPARKLE_LLM_INPUT_USD_PER_MTOK", "1.5")
    monkeypatch.setenv("SPARKLE_LLM_OUTPUT_USD_PER_MTOK", "6")
    return monkeypatch


def llm_project(make_idea_project: IdeaProjectFactory) -> Path:
    return make_idea_project(project=tiny_project_config(target_duration=30, writer="llm"))


def run(
    project: Path, server: FakeChatServer, env: pytest.MonkeyPatch, episode: str | None = None
) -> RunOutcome:
    env.setenv("SPARKLE_LLM_BASE_URL", server.base_url)
    return Runner(STORY_STAGES).run(RunRequest(project_dir=project, episode_id=episode))


def assert_key_nowhere(project: Path) -> None:
    for path in (project / ".sparkle").rglob("*"):
        if path.is_file():
            assert API_KEY.encode() not in path.read_bytes(), path


def test_a_run_writes_through_the_server_and_reports_tokens_and_cost(
    make_idea_project: IdeaProjectFactory, llm_env: pytest.MonkeyPatch
) -> None:
    idea = make_idea()
    project = llm_project(make_idea_project)
    server = FakeChatServer(
        [
            Turn(content=arc_content(idea), prompt_tokens=1000, completion_tokens=200),
            Turn(content=episode_content(idea), prompt_tokens=2000, completion_tokens=800),
        ]
    )
    with server.running():
        outcome = run(project, server, llm_env)
    assert outcome.status == "success", outcome.error
    assert {"script", "story_arc", "episode_plan", "safety_report"} <= set(outcome.artifacts)
    assert [h["Authorization"] for h, _ in server.requests] == [f"Bearer {API_KEY}"] * 2
    summary = json.loads((outcome.run_dir / "run_summary.json").read_text())
    [usage] = summary["usage"]
    assert usage["stage"] == "write" and usage["model"] == "fake-model"
    assert (usage["requests"], usage["prompt_tokens"], usage["completion_tokens"]) == (
        2,
        3000,
        1000,
    )
    assert summary["cost_usd"] == pytest.approx(3000 * 1.5e-6 + 1000 * 6e-6)
    log = (outcome.run_dir / "logs" / "write.jsonl").read_text()
    assert '"prompt_size": 3000' in log and '"reply_size": 1000' in log
    assert_key_nowhere(project)


def test_a_malformed_reply_then_a_good_one_through_the_real_server(
    make_idea_project: IdeaProjectFactory, llm_env: pytest.MonkeyPatch
) -> None:
    idea = make_idea()
    project = llm_project(make_idea_project)
    server = FakeChatServer(
        [
            Turn(content=arc_content(idea)),
            Turn(content="Sure! Here is your episode: {plan: ...}"),
            Turn(content=episode_content(idea)),
        ]
    )
    with server.running():
        outcome = run(project, server, llm_env)
    assert outcome.status == "success", outcome.error
    assert len(server.requests) == 3
    assert "not valid JSON" in server.requests[2][1]["messages"][-1]["content"]
    assert_key_nowhere(project)


def test_episode_two_reuses_the_cached_arc_and_the_first_reply_is_not_asked_again(
    make_idea_project: IdeaProjectFactory, llm_env: pytest.MonkeyPatch
) -> None:
    idea = make_idea()
    project = llm_project(make_idea_project)
    server = FakeChatServer(
        [
            Turn(content=arc_content(idea)),
            Turn(content=episode_content(idea)),
            Turn(content=episode_content(idea, 2)),
        ]
    )
    with server.running():
        assert run(project, server, llm_env).status == "success"
        second = run(project, server, llm_env, episode="ep02")
        again = run(project, server, llm_env)
    assert second.status == "success" and again.status == "success"
    assert len(server.requests) == 3  # arc once, each episode once
    assert again.artifacts["script"] != second.artifacts["script"]
    assert_key_nowhere(project)


def test_a_server_slower_than_the_timeout_fails_the_run_after_retries(
    make_idea_project: IdeaProjectFactory, llm_env: pytest.MonkeyPatch
) -> None:
    llm_env.setenv("SPARKLE_LLM_TIMEOUT", "0.3")
    project = llm_project(make_idea_project)
    server = FakeChatServer([Turn(delay=1.0) for _ in range(3)])
    with server.running():
        outcome = run(project, server, llm_env)
    assert outcome.status == "failed"
    assert isinstance(outcome.error, TransientError)
    assert "did not answer within 0.3 s" in str(outcome.error)
    manifest = json.loads((outcome.run_dir / "manifest.json").read_text())
    assert [e["event"] for e in manifest["events"]].count("retry") == 2
    summary = json.loads((outcome.run_dir / "run_summary.json").read_text())
    assert summary["status"] == "failed" and summary["errors"]
    assert_key_nowhere(project)


def test_a_refusal_fails_the_run_with_a_clear_message(
    make_idea_project: IdeaProjectFactory, llm_env: pytest.MonkeyPatch
) -> None:
    idea = make_idea()
    project = llm_project(make_idea_project)
    server = FakeChatServer([Turn(content=arc_content(idea)), Turn(refusal="No, sorry.")])
    with server.running():
        outcome = run(project, server, llm_env)
    assert isinstance(outcome.error, StageError) and "refused" in str(outcome.error)
    summary = json.loads((outcome.run_dir / "run_summary.json").read_text())
    assert summary["usage"][0]["requests"] == 2  # the refusal is reported, and what it cost
    assert_key_nowhere(project)


def test_writer_llm_without_a_server_says_what_to_set(
    make_idea_project: IdeaProjectFactory, llm_env: pytest.MonkeyPatch
) -> None:
    llm_env.delenv("SPARKLE_LLM_MODEL")
    outcome = Runner(STORY_STAGES).run(RunRequest(project_dir=llm_project(make_idea_project)))
    assert isinstance(outcome.error, InputError)
    assert "SPARKLE_LLM_BASE_URL and SPARKLE_LLM_MODEL" in str(outcome.error)


def test_a_key_is_never_sent_in_clear_text_to_another_machine(
    make_idea_project: IdeaProjectFactory, llm_env: pytest.MonkeyPatch
) -> None:
    llm_env.setenv("SPARKLE_LLM_BASE_URL", "http://llm.example.com/v1")
    outcome = Runner(STORY_STAGES).run(RunRequest(project_dir=llm_project(make_idea_project)))
    assert isinstance(outcome.error, InputError)
    assert "unencrypted" in str(outcome.error) and API_KEY not in str(outcome.error)
