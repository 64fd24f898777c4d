"""The scene sound's passes and their cache: dialogue, levels, stems, mixes.

Each pass looks every scene up in the blob cache and mixes only the missing
ones, on the workers it is given; what it stores is keyed by everything that
shapes it, the fingerprint of the mixing code included.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sparkle_motion.audio import (
    Bed,
    Dialogue,
    Metered,
    Placement,
    Soundtrack,
    Stems,
    compress_dialogue,
    guess_gain,
    level_mix,
    level_step,
    limiter_toll,
    mix_stems,
    write_wav,
)
from sparkle_motion.audio.decode import decode_to_wav
from sparkle_motion.audio.limiter import PeakLimiter
from sparkle_motion.audio.loudness import LIMITER_MARGIN_DB, SILENCE_LUFS
from sparkle_motion.audio.mix import DIALOGUE_COMPRESSOR
from sparkle_motion.audio.resample import resample
from sparkle_motion.audio.wav import WavReader
from sparkle_motion.cache import cache_key
from sparkle_motion.ffmpeg import ffmpeg_version
from sparkle_motion.fingerprint import code_fingerprint
from sparkle_motion.render.context import RenderContext
from sparkle_motion.render.sound_layout import SFX_GAIN_DB, SceneLayout
from sparkle_motion.schemas import RenderPlan, ResolvedAsset

__all__ = [
    "REFERENCE_STEP_DB",
    "WORKERS",
    "Mixed",
    "ScenePasses",
    "Take",
    "read_dialogue",
    "read_measured",
]

# The code that makes each cached piece: a change to it misses exactly those entries.
_RESAMPLE_CODE = ("sparkle_motion.audio.resample",)
# The mix (soundtrack reaches every step of it), the decoding of effects and library beds,
# and the scene layout.
_SOUND_CODE = (
    "sparkle_motion.audio.soundtrack",
    "sparkle_motion.audio.decode",
    "sparkle_motion.render.sound_layout",
)
# The dialogue level beds are set under moves in half-dB steps (finer is inaudible
# for a bed 20 dB down, and rarer steps leave more scenes cached); the loudness
# gain in tenths, to land within a quarter LU of the target.
REFERENCE_STEP_DB = 0.5
WORKERS = max(1, min(2, os.cpu_count() or 1))  # ffmpeg passes at once

_T = TypeVar("_T")


@dataclass(frozen=True)
class Take:
    """A scene's compressed dialogue, wherever it is now, and its measurements."""

    path: Path
    sha256: str
    dialogue: Dialogue


@dataclass(frozen=True)
class Mixed:
    """A scene's leveled mix and what its meter read."""

    mix: Path
    momentary: tuple[float, ...]
    peak_dbfs: float


def _part(key: str, part: str) -> str:
    """The key of one more thing the work ``key`` names made (its measurements, a stem)."""
    return cache_key(of=key, part=part)


def read_dialogue(facts: Any) -> Dialogue | None:
    """A cached scene dialogue's measurements; None (a miss) when they do not read."""
    try:
        return Dialogue(
            float(facts["speech_power"]),
            int(facts["speech_samples"]),
            tuple(float(m) for m in facts["momentary"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def read_measured(facts: Any) -> tuple[tuple[float, ...], float] | None:
    """A cached scene mix's momentary loudness and peak; None (a miss) when they do not read."""
    try:
        return tuple(float(m) for m in facts["momentary"]), float(facts["peak_dbfs"])
    except (KeyError, TypeError, ValueError):
        return None


class ScenePasses:
    """The sound's cache work: lookups and stores here, mixing on workers."""

    def __init__(self, ctx: RenderContext, plan: RenderPlan, pool: ThreadPoolExecutor) -> None:
        self.ctx, self.plan, self.pool = ctx, plan, pool
        self.rate = plan.profile.audio_sample_rate
        self.scratch = ctx.scratch("sound")
        self.ceiling = 10.0 ** ((plan.profile.true_peak_dbtp - LIMITER_MARGIN_DB) / 20.0)
        self.limiter = PeakLimiter(self.rate, self.ceiling)
        self._decoded: dict[Path, Path] = {}
        self.mixed = 0

    # -- the cache ---------------------------------------------------------------------------

    def _cached(self, key: str) -> tuple[Path, str] | None:
        """The blob ``key`` names (its path and sha256), or None."""
        found = self.ctx.cache.get(key)
        return None if found is None else (self.ctx.cache.path(found), found)

    def _store(self, key: str, path: Path, kind: str) -> tuple[Path, str]:
        sha = self.ctx.cache.put_file(key, path, move=True)
        return self.ctx.cache.path(sha), sha

    def _cached_json(self, key: str) -> Any | None:
        blob = self._cached(key)
        if blob is None:
            return None
        try:
            return json.loads(blob[0].read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # unreadable: made again

    def _store_json(self, key: str, value: Any, name: str) -> None:
        path = self.scratch / f"{name}.json"
        path.write_text(json.dumps(value, sort_keys=True), encoding="utf-8")
        self._store(key, path, "sound/levels")

    def _each(self, jobs: Sequence[Callable[[], _T]]) -> list[_T]:
        """Run ``jobs`` on the workers, results in order."""
        return [future.result() for future in [self.pool.submit(job) for job in jobs]]

    # -- laying a scene out ------------------------------------------------------------------

    def _speech_at(self, sha: str) -> Path:
        """The line blob ``sha`` at the mix rate: from the cache, or resampled once and cached."""
        key = cache_key(
            kind="speech-at-rate",
            speech=sha,
            rate=self.rate,
            resampler=code_fingerprint(*_RESAMPLE_CODE),
        )
        found = self._cached(key)
        if found is not None:
            return found[0]
        line = self.ctx.cache.path(sha)
        with WavReader(line) as reader:
            if reader.rate == self.rate:
                return line
            samples, source_rate = reader.read(0, reader.frames), reader.rate
        out = self.scratch / f"{sha[:16]}-{self.rate}.wav"
        write_wav(resample(samples, source_rate, self.rate), out, self.rate)
        return self._store(key, out, "media/wav")[0]

    def _decode(self, asset: ResolvedAsset) -> Path | None:
        path = self.ctx.media.file(asset)
        if path is None:
            return None
        if path not in self._decoded:
            name = hashlib.sha256(str(path).encode()).hexdigest()[:16]
            wav = self.scratch / f"decoded-{name}.wav"
            decode_to_wav(path, wav, self.rate)
            self._decoded[path] = wav
        return self._decoded[path]

    def _track(self, scene: SceneLayout, *, dialogue: bool) -> Soundtrack:
        """The scene's soundtrack, its files found now, in this thread: the lines alone
        (at the mix rate) for the dialogue pass; the effects and beds (decoded) for the mix,
        which takes the dialogue from its compressed take."""
        effects, beds = [], []
        if not dialogue:
            for effect, start in scene.effects:
                path = self._decode(effect)
                if path is not None:
                    effects.append(Placement(path=path, start=start, gain_db=SFX_GAIN_DB))
            for mood, library, spans in scene.beds:
                source = self._decode(library) if library is not None else None
                beds.append(Bed(spans=spans, mood=mood, source=source))
        voice = [Placement(self._speech_at(sha), at) for sha, at in scene.lines] if dialogue else []
        return Soundtrack(
            length=scene.length,
            rate=self.rate,
            seed=scene.seed,
            voice=voice,
            effects=effects,
            beds=beds,
            music_level_db=self.plan.music_level_db,
            duck_db=self.plan.music_duck_db,
            room_tone_db=self.plan.room_tone_db,
        )

    # -- the passes --------------------------------------------------------------------------

    def dialogues(self, scenes: Sequence[SceneLayout]) -> list[Take]:
        """Each scene's compressed dialogue and its measurements: cached, or made."""
        takes: list[Take | None] = []
        work: list[tuple[int, str, Callable[[], Dialogue]]] = []
        for index, scene in enumerate(scenes):
            key = cache_key(
                kind="scene-dialogue",
                code=code_fingerprint(*_SOUND_CODE),
                rate=self.rate,
                length=scene.length,
                lines=[list(line) for line in scene.lines],
                compressor=DIALOGUE_COMPRESSOR,
                ffmpeg=ffmpeg_version(),
            )
            blob, dialogue = (
                self._cached(key),
                read_dialogue(self._cached_json(_part(key, "measured"))),
            )
            if blob is not None and dialogue is not None:
                takes.append(Take(*blob, dialogue))
                continue
            takes.append(None)
            track, out = self._track(scene, dialogue=True), self.scratch / f"voice-{index}.wav"
            work.append((index, key, partial(compress_dialogue, track, out)))
        made = self._each([job for _, _, job in work])
        for (index, key, _), dialogue in zip(work, made, strict=True):
            path, sha = self._store(key, self.scratch / f"voice-{index}.wav", "media/wav")
            self._store_json(_part(key, "measured"), asdict(dialogue), f"voice-{index}")
            takes[index] = Take(path, sha, dialogue)
        return [take for take in takes if take is not None]

    def gain(self, takes: Sequence[Take]) -> tuple[float, float]:
        """The dialogue's RMS (in steps) and the gain guessed to land the mix on the target."""
        dialogue = Dialogue.joined(take.dialogue for take in takes)
        reference = (
            10.0 ** (level_step(20.0 * math.log10(dialogue.rms), REFERENCE_STEP_DB) / 20.0)
            if dialogue.rms
            else 0.0
        )
        spoken = dialogue.integrated_lufs
        if spoken <= SILENCE_LUFS:  # no dialogue to guess from: the mix is measured and corrected
            return reference, 0.0
        target = self.plan.profile.loudness_lufs
        first = level_step(target - spoken)
        tolls: list[tuple[float, float]] = []
        work: list[tuple[str, Callable[[], tuple[float, float]]]] = []
        for take in takes:
            key = cache_key(
                kind="scene-toll",
                code=code_fingerprint(*_SOUND_CODE),
                voice=take.sha256,
                gain=first,
                ceiling=self.ceiling,
            )
            found = self._cached_json(key)
            if found is not None:
                tolls.append((float(found[0]), float(found[1])))
            else:
                work.append((key, partial(limiter_toll, take.path, first, self.limiter)))
        for index, ((key, _), toll) in enumerate(
            zip(work, self._each([job for _, job in work]), strict=True)
        ):
            self._store_json(key, list(toll), f"toll-{index}")
            tolls.append(toll)
        return reference, level_step(guess_gain(target, spoken, tolls))

    def stems(
        self, scenes: Sequence[SceneLayout], takes: Sequence[Take], reference: float
    ) -> list[Stems]:
        """Each scene's music and effects stems (``mix`` names where its mix goes): cached,
        or made. They do not depend on the gain, so a correction never remakes them."""
        done: list[Stems | None] = []
        work: list[tuple[int, str, Stems, Callable[[], None]]] = []
        for index, (scene, take) in enumerate(zip(scenes, takes, strict=True)):
            key = cache_key(
                kind="scene-stems",
                code=code_fingerprint(*_SOUND_CODE),
                rate=self.rate,
                voice=take.sha256,
                scene=scene.material(),
                music_level_db=self.plan.music_level_db,
                duck_db=self.plan.music_duck_db,
                room_tone_db=self.plan.room_tone_db,
                reference=reference,
            )
            music, effects = self._cached(_part(key, "music")), self._cached(_part(key, "effects"))
            mix = self.scratch / f"mix-{index}.wav"
            if music is not None and effects is not None:
                done.append(Stems(take.path, music[0], effects[0], mix))
                continue
            done.append(None)
            stems = Stems(
                take.path,
                self.scratch / f"music-{index}.wav",
                self.scratch / f"effects-{index}.wav",
                mix,
            )
            track = self._track(scene, dialogue=False)
            work.append((index, key, stems, partial(mix_stems, track, stems, reference)))
        self._each([job for _, _, _, job in work])
        for index, key, stems, _ in work:
            music_path = self._store(_part(key, "music"), stems.music, "media/wav")[0]
            effects_path = self._store(_part(key, "effects"), stems.effects, "media/wav")[0]
            done[index] = Stems(stems.voice, music_path, effects_path, stems.mix)
        return [stems for stems in done if stems is not None]

    def mixes(self, scenes: Sequence[Stems], gain_db: float) -> list[Mixed]:
        """Each scene's stems summed at ``gain_db`` and limited: cached, or made."""
        done: list[Mixed | None] = []
        work: list[tuple[int, str, Stems, Callable[[], Metered]]] = []
        for index, stems in enumerate(scenes):
            key = cache_key(
                kind="scene-mix",
                code=code_fingerprint(*_SOUND_CODE),
                # Blobs are named by their content's hash.
                stems=[path.name for path in (stems.voice, stems.music, stems.effects)],
                gain=gain_db,
                ceiling=self.ceiling,
                ffmpeg=ffmpeg_version(),  # meters the mix
            )
            mix, measured = (
                self._cached(key),
                read_measured(self._cached_json(_part(key, "measured"))),
            )
            if mix is not None and measured is not None:
                done.append(Mixed(mix[0], *measured))
                continue
            done.append(None)
            level = partial(level_mix, stems, gain_db=gain_db, limiter=self.limiter)
            work.append((index, key, stems, level))
        made = self._each([job for _, _, _, job in work])
        for (index, key, stems, _), metered in zip(work, made, strict=True):
            self.mixed += 1
            mix_path = self._store(key, stems.mix, "media/wav")[0]
            peak = metered.loudness.true_peak_dbtp  # the sample peak: metered without true peak
            facts = {"momentary": list(metered.momentary), "peak_dbfs": peak}
            self._store_json(_part(key, "measured"), facts, f"mix-{index}")
            done[index] = Mixed(mix_path, metered.momentary, peak)
        return [mixed for mixed in done if mixed is not None]
