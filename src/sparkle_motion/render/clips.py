"""One shot, encoded: a still image, a camera movement, optional fades → H.264 MP4.

Frames are made one at a time (memory stays flat) by resampling the source
rectangle that :func:`.motion.camera_rects` gives, with Pillow's filtered
``resize(box=…)`` so that sub-pixel motion is smooth and downscaling does
not alias. Raw RGB goes through ffmpeg's stdin into libx264 with one thread,
a fixed GOP and bit-exact muxing, so the same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import BITEXACT_OUTPUT, stream_to_ffmpeg
from sparkle_motion.render._atomic import atomic_path
from sparkle_motion.render.images import check_image_size, load_image, to_rgb
from sparkle_motion.render.motion import PUSH_ZOOM, Rect, camera_rects

__all__ = ["GOP_SECONDS", "clip_frames", "encode_clip", "fade_gain", "x264_args"]

GOP_SECONDS = 2
# A source much larger than the output is reduced once up front: sampling a
# smaller image per frame is cheaper and, with a filtered resize, looks the same.
_PRESCALE_BELOW = 0.5


def fade_gain(index: int, n_frames: int, fade_in_frames: int, fade_out_frames: int) -> float:
    """Brightness of frame ``index``: 0 on a fade-in's first frame and a fade-out's last."""
    gain = 1.0
    if fade_in_frames > 0 and index < fade_in_frames:
        gain = index / fade_in_frames
    from_end = n_frames - 1 - index
    if fade_out_frames > 0 and from_end < fade_out_frames:
        gain = min(gain, from_end / fade_out_frames)
    return gain


def _source(source: Image.Image | Path) -> Image.Image:
    if isinstance(source, Image.Image):
        check_image_size(source.size, where="source image")
        return to_rgb(source)
    return load_image(source)


def _working_copy(image: Image.Image, width: int, height: int) -> Image.Image:
    """``image``, reduced if even the tightest camera rectangle is far larger than the output."""
    tightest = min(image.width, image.height * width / height) / PUSH_ZOOM
    factor = width / tightest
    if factor >= _PRESCALE_BELOW:
        return image
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def clip_frames(
    source: Image.Image,
    *,
    width: int,
    height: int,
    n_frames: int,
    movement: str,
    fade_in_frames: int = 0,
    fade_out_frames: int = 0,
) -> Iterator[Image.Image]:
    """The clip's frames, one at a time, as RGB images of ``width`` x ``height``."""
    rects = camera_rects(movement, n_frames, source.width, source.height, width, height)
    previous: tuple[Rect, Image.Image] | None = None
    for index, (x, y, w, h) in enumerate(rects):
        if previous is not None and previous[0] == (x, y, w, h):
            frame = previous[1]  # a static camera: sample once
        else:
            # Pillow widens the filter when reducing, so this does not alias; at
            # these scales bilinear looks like bicubic and is ~1.5x faster.
            frame = source.resize(
                (width, height), Image.Resampling.BILINEAR, box=(x, y, x + w, y + h)
            )
            previous = ((x, y, w, h), frame)
        gain = fade_gain(index, n_frames, fade_in_frames, fade_out_frames)
        if gain < 1.0:
            frame = frame.point([round(v * gain) for v in range(256)] * 3)
        yield frame


def x264_args(
    *, width: int, height: int, fps: int, n_frames: int, crf: int, preset: str
) -> list[str]:
    """ffmpeg arguments from raw RGB on stdin to H.264 4:2:0 BT.709, output path excluded."""
    gop = GOP_SECONDS * fps
    return [
        "-filter_threads", "1",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", f"{width}x{height}",
        "-framerate", str(fps), "-i", "pipe:0",
        "-map", "0:v:0", "-an", "-sn", "-dn",
        "-vf", "scale=out_color_matrix=bt709:out_range=tv",  # tagged BT.709 below, so convert so
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
        "-threads", "1", "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
        "-x264-params", "threads=1:lookahead-threads=1:sliced-threads=0:scenecut=0:open-gop=0",
        "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
        "-color_range", "tv",
        "-fps_mode", "cfr", "-r", str(fps), "-frames:v", str(n_frames),
        "-movflags", "+faststart", *BITEXACT_OUTPUT, "-f", "mp4",
    ]  # fmt: skip


def _check(
    width: int, height: int, fps: int, n_frames: int, fades: tuple[int, int], crf: int
) -> None:
    problems = []
    if width < 2 or height < 2 or width % 2 or height % 2:
        problems.append(f"size must be even and at least 2x2 for 4:2:0 video, got {width}x{height}")
    if fps < 1:
        problems.append(f"fps must be positive, got {fps}")
    if n_frames < 1:
        problems.append(f"n_frames must be at least 1, got {n_frames}")
    if min(fades) < 0:
        problems.append(f"fade lengths must not be negative, got {fades}")
    if not 0 <= crf <= 51:
        problems.append(f"crf must be 0..51, got {crf}")
    if problems:
        raise MediaError("; ".join(problems), where="encode_clip")


def encode_clip(
    source: Image.Image | Path,
    out: Path,
    *,
    width: int,
    height: int,
    fps: int,
    n_frames: int,
    movement: str,
    fade_in_frames: int = 0,
    fade_out_frames: int = 0,
    crf: int = 20,
    preset: str = "veryfast",
) -> None:
    """Encode ``n_frames`` of ``source`` seen through ``movement`` into ``out`` (MP4, H.264).

    ``out`` appears complete or not at all. A bad source image, bad
    parameters or an ffmpeg failure raise :class:`MediaError`.
    """
    _check(width, height, fps, n_frames, (fade_in_frames, fade_out_frames), crf)
    image = _working_copy(_source(source), width, height)
    frames = clip_frames(
        image,
        width=width,
        height=height,
        n_frames=n_frames,
        movement=movement,
        fade_in_frames=fade_in_frames,
        fade_out_frames=fade_out_frames,
    )
    args = x264_args(width=width, height=height, fps=fps, n_frames=n_frames, crf=crf, preset=preset)
    with atomic_path(out) as tmp, stream_to_ffmpeg([*args, str(tmp)]) as stdin:
        for frame in frames:
            stdin.write(frame.tobytes())
