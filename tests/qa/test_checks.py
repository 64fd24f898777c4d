from __future__ import annotations

from dataclasses import replace

from sparkle_motion.qa.checks import CaptionCue, Measured, run_checks

GOOD = Measured(
    fps=24,
    planned_frames=240,
    video_frames=240,
    audio_seconds=10.0,
    integrated_lufs=-16.2,
    true_peak_dbtp=-1.6,
    target_lufs=-16.0,
    target_true_peak_dbtp=-1.5,
    cues=[CaptionCue(1.0, 2.5, ("Hello there.",)), CaptionCue(3.0, 4.0, ("Hi.",))],
    max_chars_per_line=42,
    max_lines=2,
    placeholders=[],
    allow_placeholders=True,
    speech=[(1.0, 2.4), (3.0, 3.8)],
)


def failed(measured: Measured) -> set[str]:
    return {c.name for c in run_checks(measured) if not c.passed}


def test_a_good_render_passes_every_check() -> None:
    checks = run_checks(GOOD)
    assert {c.name for c in checks} == {
        "video_duration",
        "audio_video_length",
        "integrated_loudness",
        "true_peak",
        "captions",
        "placeholders",
    }
    assert all(c.passed for c in checks)


def test_each_check_fails_on_its_own_problem() -> None:
    assert failed(replace(GOOD, video_frames=239)) == {"video_duration"}  # within a frame
    assert failed(replace(GOOD, video_frames=236)) == {"video_duration", "audio_video_length"}
    assert failed(replace(GOOD, audio_seconds=10.2)) == {"audio_video_length"}
    assert failed(replace(GOOD, integrated_lufs=-18.5)) == {"integrated_loudness"}
    assert failed(replace(GOOD, true_peak_dbtp=-0.2)) == {"true_peak"}
    assert failed(replace(GOOD, placeholders=["background/x"], allow_placeholders=False)) == {
        "placeholders"
    }
    assert failed(replace(GOOD, placeholders=["background/x"])) == set()


def test_captions_must_sit_on_their_speech_inside_the_video_without_overlap() -> None:
    def captions(*cues: CaptionCue) -> str:
        [check] = [c for c in run_checks(replace(GOOD, cues=list(cues))) if c.name == "captions"]
        return "" if check.passed else check.value

    assert "overlaps no speech" in captions(CaptionCue(5.0, 6.0, ("Nobody speaks here.",)))
    assert "overlaps the cue before" in captions(
        CaptionCue(1.0, 2.5, ("a",)), CaptionCue(2.0, 3.5, ("b",))
    )
    assert "after the video" in captions(CaptionCue(3.0, 10.5, ("late",)))
    assert "3 lines" in captions(CaptionCue(1.0, 2.0, ("a", "b", "c")))
    assert "characters" in captions(
        CaptionCue(1.0, 2.0, ("a line that is far too long for one caption row to hold",))
    )
    assert captions(CaptionCue(1.0, 2.0, ("Supercalifragilisticexpialidocious-and-more",))) == ""
