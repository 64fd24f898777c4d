"""What the service benchmarks send: distinct tiny RenderPackages, and a free port."""

from __future__ import annotations

import socket
from typing import Any

from sparkle_motion.schemas import (
    AssetManifest,
    RenderPlan,
    RenderProfile,
    ShotList,
    timing_lock_hash,
)

__all__ = ["free_port", "inputs"]

_FRAMINGS = ("wide", "medium", "close_up", "medium")
_MOVES = ("push_in", "pan_left", "static", "pull_out")


def inputs(seed: int, profile: RenderProfile, shots: int = 1) -> dict[str, Any]:
    """``shots`` one-second shots with a silent line each; the seed makes each distinct."""
    fps = profile.fps
    listed = [
        {
            "id": f"sh{n + 1}",
            "scene_id": "s1",
            "scene_index": 0,
            "frames": fps,
            "framing": _FRAMINGS[n % 4],
            "movement": _MOVES[n % 4],
            "characters": ["ann"],
            "location": f"Room {seed}",
            "location_key": f"room-{seed}",
            "interior": True,
            "time_of_day": "day",
            "template": "bench",
            "reason": "bench",
            "lines": [
                {
                    "line_id": f"l{n + 1}",
                    "speaker_id": "ann",
                    "text": "Hello.",
                    "start": 0.1,
                    "end": 0.9,
                }
            ],
        }
        for n in range(shots)
    ]
    lock = timing_lock_hash(fps, [(s["id"], fps) for s in listed])
    return {
        "shotlist": ShotList.new(
            episode_id="ep01", fps=fps, shots=listed, timing_lock_hash=lock
        ).model_dump(mode="json"),
        "asset_manifest": AssetManifest.new(episode_id="ep01", timing_lock_hash=lock).model_dump(
            mode="json"
        ),
        "render_plan": RenderPlan.new(
            episode_id="ep01",
            profile=profile,
            timing_lock_hash=lock,
            seed=seed,
            voices={"ann": {"engine": "silent"}},
            cast={"ann": {"name": "Ann", "color": "#2e86ab"}},
        ).model_dump(mode="json"),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
