"""Joined clips and muxed sound, measured."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image

from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import run_ffmpeg
from sparkle_motion.render.assemble import concat_clips, concat_list, mux_audio
from sparkle_motion.render.clips import encode_clip

from .media import probe, sha256, top_level_boxes, write_tone

FPS = 24
LENGTHS = (10, 17, 21)  # odd lengths: no shot ends on a GOP boundary


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("clips")
    made = []
    for index, (frames, movement) in enumerate(
        zip(LENGTHS, ["push_in", "static", "pan_left"], strict=True)
    ):
        still = Image.new("RGB", (384, 216), (40 + 60 * index, 90, 160 - 40 * index))
        still.paste((240, 240, 240), (150, 60, 250, 160))
        # an apostrophe in a name exercises the concat list quoting
        out = folder / f"shot {index}'s.mp4"
        encode_clip(still, out, width=320, height=180, fps=FPS, n_frames=frames, movement=movement)
        made.append(out)
    return made


def test_concat_duration_is_the_sum_of_the_clips(tmp_path: Path, clips: list[Path]) -> None:
    joined = tmp_path / "joined.mp4"
    concat_clips(clips, joined)
    info = probe(joined)
    assert info.frames == sum(LENGTHS)
    assert info.duration == Fraction(sum(LENGTHS), FPS)
    assert (info.width, info.height, info.codec) == (320, 180, "h264")
    again = tmp_path / "again.mp4"
    concat_clips(clips, again)
    assert sha256(joined) == sha256(again)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.mp4", "joined.mp4"]


def test_mux_adds_aac_audio_as_long_as_the_video(tmp_path: Path, clips: list[Path]) -> None:
    joined = tmp_path / "joined.mp4"
    concat_clips(clips, joined)
    length = Fraction(sum(LENGTHS), FPS)
    tone = tmp_path / "tone.wav"
    write_tone(tone, length)
    final = tmp_path / "final.mp4"
    mux_audio(joined, tone, final)
    info = probe(final)
    assert info.audio_codec == "aac"
    assert info.frames == sum(LENGTHS)
    assert info.duration == length
    assert info.audio_duration is not None and info.audio_samples is not None
    one_frame = Fraction(1, FPS)
    assert abs(info.audio_duration - length) <= one_frame
    assert abs(Fraction(info.audio_samples, 48000) - length) <= one_frame
    again = tmp_path / "again.mp4"
    mux_audio(joined, tone, again)
    assert sha256(final) == sha256(again)
    for made in (joined, final):  # +faststart: the index comes before the media data
        boxes = top_level_boxes(made)
        assert boxes.index("moov") < boxes.index("mdat"), boxes


def test_clips_and_an_encoded_soundtrack_join_in_one_pass(
    tmp_path: Path, clips: list[Path]
) -> None:
    length = Fraction(sum(LENGTHS), FPS)
    tone = tmp_path / "tone.wav"
    write_tone(tone, length)
    sound = tmp_path / "sound.aac"
    run_ffmpeg(["-i", str(tone), "-c:a", "aac", "-b:a", "96k", "-f", "adts", str(sound)])
    final = tmp_path / "final.mp4"
    concat_clips(clips, final, adts=sound)
    info = probe(final)
    assert (info.codec, info.audio_codec, info.frames) == ("h264", "aac", sum(LENGTHS))
    assert info.audio_duration is not None
    assert abs(info.audio_duration - length) <= Fraction(2048, 48000)  # priming, unedited
    boxes = top_level_boxes(final)
    assert boxes.index("moov") < boxes.index("mdat"), boxes


def test_missing_inputs_are_media_errors(tmp_path: Path, clips: list[Path]) -> None:
    with pytest.raises(MediaError, match="no clips"):
        concat_clips([], tmp_path / "out.mp4")
    with pytest.raises(MediaError, match=r"nope\.mp4"):
        concat_clips([clips[0], tmp_path / "nope.mp4"], tmp_path / "out.mp4")
    with pytest.raises(MediaError, match="soundtrack"):
        mux_audio(clips[0], tmp_path / "nope.wav", tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()


def test_concat_list_quotes_paths(tmp_path: Path) -> None:
    listing = concat_list([tmp_path / "it's.mp4"])
    assert listing.startswith("ffconcat version 1.0\n")
    assert "file '" + str((tmp_path / "it").resolve()) + "'\\''s.mp4'" in listing


def test_burned_captions_appear_in_the_lower_third_while_the_cue_lasts(
    tmp_path: Path, clips: list[Path]
) -> None:
    from sparkle_motion.render.assemble import burn_captions
    from sparkle_motion.render.captions import Cue, write_ass
    from sparkle_motion.render.fonts import fonts_dir

    from .media import decode_rgb

    ass = tmp_path / "captions.ass"
    write_ass(
        [Cue(0.1, 0.3, ("Façade, naïve — 灯台",))], ass, width=320, height=180, font="Noto Sans"
    )
    out = tmp_path / "burned.mp4"
    burn_captions(clips[1], ass, out, fonts_dir=fonts_dir())
    plain, burned = decode_rgb(clips[1]), decode_rgb(out)
    assert len(burned) == len(plain) == LENGTHS[1]

    def lower_third_ink(index: int) -> float:
        """Share of lower-third pixels the captions changed clearly."""
        a = plain[index][120:, :].astype(int)
        b = burned[index][120:, :].astype(int)
        return float((abs(a - b).max(axis=2) > 60).mean())

    assert lower_third_ink(5) > 0.01  # 0.21 s: the cue is on screen
    assert lower_third_ink(12) == 0.0  # 0.5 s: gone again
    again = tmp_path / "again.mp4"
    burn_captions(clips[1], ass, again, fonts_dir=fonts_dir())
    assert sha256(again) == sha256(out)
