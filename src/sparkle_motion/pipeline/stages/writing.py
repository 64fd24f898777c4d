"""The story stages: ``write`` (a source in, a Script out) and ``safety`` (the text policy)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from sparkle_motion.errors import InputError, InvalidArtifact
from sparkle_motion.pipeline.context import StageContext, StageResult
from sparkle_motion.safety import TermPolicy, blocked_message, check_script
from sparkle_motion.schemas import Artifact, Project, Script
from sparkle_motion.settings import Settings, load_settings
from sparkle_motion.writing.base import Writer, WritingContext
from sparkle_motion.writing.llm import ChatClient, FileReplyCache, LLMConfig, LLMWriter
from sparkle_motion.writing.sources import read_episode
from sparkle_motion.writing.template import TemplateWriter

__all__ = ["llm_config", "open_writer", "safety_stage", "write_stage"]


def llm_config(settings: Settings) -> LLMConfig:
    if not settings.llm_base_url or not settings.llm_model:
        raise InputError(
            "writer: llm needs a model server and a model name",
            where="project.yaml writer",
            hint="set SPARKLE_LLM_BASE_URL and SPARKLE_LLM_MODEL (in the environment or .env), "
            "or use writer: template",
        )
    return LLMConfig(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout,
        max_attempts=settings.llm_max_attempts,
        input_usd_per_mtok=settings.llm_input_usd_per_mtok,
        output_usd_per_mtok=settings.llm_output_usd_per_mtok,
    )


@contextmanager
def open_writer(project: Project, state_dir: Path) -> Iterator[Writer]:
    """The writer ``project.yaml`` chooses; an LLM writer's HTTP client is closed after."""
    if project.writer == "template":
        yield TemplateWriter()
        return
    config = llm_config(load_settings())
    with httpx.Client(timeout=config.timeout) as http:
        yield LLMWriter(ChatClient(config, http), cache=FileReplyCache(state_dir / "cache" / "llm"))


def write_stage(ctx: StageContext) -> StageResult:
    """The episode's source in, a valid Script out (and for an idea its arc and plan)."""
    source = ctx.episode_source
    project = ctx.project
    with open_writer(project, ctx.folder.state_dir) as writer:
        context = WritingContext(
            episode_id=ctx.episode_id,
            seed=project.seed,
            target_duration=project.target_duration,
            canon=ctx.folder.canon,
            timing=project.timing,
            writer=writer,
            cards=project.cards,
        )
        try:
            written = read_episode(source.read_bytes(), str(source), context)
        finally:
            ctx.usage.extend(writer.usage())
    script = written.script
    if script.episode_id != ctx.episode_id:
        raise InvalidArtifact(
            f"$.episode_id: {script.episode_id!r} does not match the file name "
            f"({ctx.episode_id!r})",
            where=str(source),
            hint=f'set "episode_id": "{ctx.episode_id}" or rename the file',
        )
    outputs: dict[str, Artifact] = {"script": script}
    if written.story_arc is not None:
        outputs["story_arc"] = written.story_arc
    if written.episode_plan is not None:
        outputs["episode_plan"] = written.episode_plan
    for usage in writer.usage():  # field names avoid "token": the log redacts those
        ctx.log.info(
            "model_usage",
            model=usage.model,
            requests=usage.requests,
            cached_requests=usage.cached_requests,
            prompt_size=usage.prompt_tokens,
            reply_size=usage.completion_tokens,
            cost_usd=usage.cost_usd,
        )
    ctx.progress.total(1)
    ctx.progress.advance()
    return StageResult(outputs=outputs)


def safety_stage(ctx: StageContext) -> StageResult:
    """The script against the project's term list; ``fail_closed`` blocks on any finding."""
    project = ctx.project
    policy = TermPolicy.build(
        default_terms=project.safety.default_terms,
        terms=project.safety.terms,
        allow=project.safety.allow,
    )
    report = check_script(
        ctx.input("script", Script),
        policy,
        mode=project.safety_mode,
        script_hash=ctx.input_hashes["script"],
    )
    for finding in report.findings:
        ctx.log.warning("safety_finding", **finding.model_dump())
    notes = []
    if report.findings and project.safety_mode == "warn_only":
        notes.append(
            f"{len(report.findings)} safety finding(s), first in scene "
            f"{report.findings[0].scene_id}: the output will be marked not publishable"
        )
    return StageResult(
        outputs={"safety_report": report}, blocked=blocked_message(report), notes=notes
    )
