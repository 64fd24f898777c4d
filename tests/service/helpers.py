"""Render packages made from dicts, a live server on loopback, and API keys."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from sparkle_motion.schemas import (
    AssetManifest,
    RenderPlan,
    RenderProfile,
    ShotList,
    builtin_profiles,
    timing_lock_hash,
)

KEYS = {
    "acme-admin-key-0001": {"tenant_id": "acme", "role": "admin"},
    "acme-operator-key-01": {"tenant_id": "acme", "role": "operator"},
    "acme-viewer-key-0001": {"tenant_id": "acme", "role": "viewer"},
    "globex-operator-key1": {"tenant_id": "globex", "role": "operator"},
}
ADMIN, OPERATOR, VIEWER, OTHER = list(KEYS)
WEBHOOK_SECRET = "whsec-test-0123456789abcdef"
TINY = RenderProfile(name="tiny", width=160, height=90, crf=30, preset="ultrafast", slate=False)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def kitchen_shot(
    shot_id: str,
    *,
    frames: int,
    lines: list[dict[str, Any]],
    scene: int = 0,
    framing: str = "wide",
    movement: str = "static",
    **extra: Any,
) -> dict[str, Any]:
    """One shot of Ann in the kitchen, as a shot list holds it."""
    return {
        "id": shot_id,
        "scene_id": f"s{scene + 1}",
        "scene_index": scene,
        "frames": frames,
        "framing": framing,
        "movement": movement,
        "characters": ["ann"],
        "location": "Kitchen",
        "location_key": "kitchen",
        "interior": True,
        "time_of_day": "day",
        "template": "test",
        "reason": "test",
        "lines": lines,
        **extra,
    }


def render_inputs(
    *,
    shots: int = 1,
    frames: int = 24,
    profile: RenderProfile = TINY,
    engine: str = "silent",
    episode_id: str = "ep01",
) -> dict[str, dict[str, Any]]:
    """A shot list, asset manifest and render plan: ``shots`` shots, one line each."""
    fps = profile.fps
    listed = []
    for index in range(shots):
        seconds = frames / fps
        listed.append(
            kitchen_shot(
                f"sh{index + 1}",
                frames=frames,
                framing="medium" if index else "wide",
                movement=("push_in", "pan_left", "static")[index % 3],
                lines=[
                    {
                        "line_id": f"l{index + 1}",
                        "speaker_id": "ann",
                        "text": "Tea is ready." if index % 2 == 0 else "Come and sit.",
                        "start": 0.1,
                        "end": round(seconds - 0.1, 3),
                    }
                ],
            )
        )
    lock = timing_lock_hash(fps, [(s["id"], s["frames"]) for s in listed])
    shotlist = ShotList.new(episode_id=episode_id, fps=fps, shots=listed, timing_lock_hash=lock)
    manifest = AssetManifest.new(episode_id=episode_id, timing_lock_hash=lock, needs=[])
    plan = RenderPlan.new(
        episode_id=episode_id,
        profile=profile,
        timing_lock_hash=lock,
        seed=7,
        voices={"ann": {"engine": engine}},
        cast={"ann": {"name": "Ann", "color": "#d1495b"}},
    )
    return {
        "shotlist": shotlist.model_dump(mode="json"),
        "asset_manifest": manifest.model_dump(mode="json"),
        "render_plan": plan.model_dump(mode="json"),
    }


def preview_small_inputs(shots: int = 2) -> dict[str, dict[str, Any]]:
    return render_inputs(
        shots=shots, frames=36, profile=builtin_profiles()["preview_small"], engine="piper"
    )


def package(request_id: str, key: str | None = None, **extra: Any) -> dict[str, Any]:
    inputs = extra.pop("inputs", None) or render_inputs()
    return {
        "request_id": request_id,
        "idempotency_key": key or f"key-{request_id}",
        "inputs": inputs,
        **extra,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """The app under uvicorn on 127.0.0.1, in a thread."""

    def __init__(self, app: FastAPI, *, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(60)


def wait_for(check: Callable[[], Any], *, timeout: float = 120.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(interval)


def wait_status(
    client: httpx.Client, request_id: str, statuses: tuple[str, ...], timeout: float = 120.0
) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get(f"/v1/render-packages/{request_id}").json()
        return body if body["status"] in statuses else None

    result: dict[str, Any] = wait_for(check, timeout=timeout)
    return result


def wait_run(
    client: httpx.Client, run_id: str, statuses: tuple[str, ...], timeout: float = 120.0
) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get("/status", params={"run_id": run_id}).json()
        return body if body["status"] in statuses else None

    result: dict[str, Any] = wait_for(check, timeout=timeout)
    return result


class ServerProcess:
    """``sparkle-motion serve`` in a child process, to be killed for real."""

    def __init__(self, root: Path, port: int, **settings: Any) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.config = root / "service.toml"
        lines = [f'artifact_root = "{root / "data"}"', f"port = {port}"]
        lines += [f"{name} = {json.dumps(value)}" for name, value in settings.items()]
        self.config.write_text("\n".join(lines) + "\n")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SPARKLE_")},
            "SPARKLE_API_KEYS": json.dumps(KEYS),
            "SPARKLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
        self.log = root / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sparkle_motion.cli", "serve", "-c", str(self.config)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def healthy() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                return httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, timeout=60)
        return self

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()
