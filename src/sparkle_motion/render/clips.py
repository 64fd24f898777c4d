"""One shot, encoded: a still image, a camera movement, optional fades → H.264 MP4.

Frames are made one at a time (memory stays flat) by resampling the source
rectangle that :func:`.motion.camera_rects` gives, with Pillow's filtered
``resize(box=…)`` so that sub-pixel motion is smooth and downscaling does
not alias. Raw RGB goes through ffmpeg's stdin into libx264 with one thread,
a fixed GOP and bit-exact muxing, so the same inputs give the same bytes.

Two shortcuts keep the CPU cost down; the picture differs at most by rounding:

- A pan or tilt moves a rectangle of fixed size along one axis, so the
  resampling along the other axis is done once for the whole clip.
- Every GOP is closed, so in a still shot the GOPs without fade frames are
  identical: that GOP is encoded once and repeated by stream copy
  (:func:`still_segments` plans the cuts).
"""

from __future__ import annotations

import collections
import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from PIL import Image

from sparkle_motion.atomic import atomic_path
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import BITEXACT_OUTPUT, stream_to_ffmpeg
from sparkle_motion.render.assemble import concat_clips
from sparkle_motion.render.images import check_image_size, load_image, to_rgb
from sparkle_motion.render.motion import PUSH_ZOOM, Rect, camera_rects

__all__ = [
    "GOP_SECONDS",
    "clip_frames",
    "encode_clip",
    "fade_gain",
    "still_segments",
    "x264_args",
    "x264_encoder_args",
]

GOP_SECONDS = 2
# A source much larger than the output is reduced once up front: sampling a
# smaller image per frame is cheaper and, with a filtered resize, looks the same.
_PRESCALE_BELOW = 0.5

_Box = tuple[float, float, float, float]  # left, top, right, bottom, as Pillow's resize takes


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


def _one_axis_pass(
    source: Image.Image, rects: Sequence[Rect], width: int, height: int
) -> tuple[Image.Image, list[_Box]]:
    """The image each frame is sampled from, and each frame's box in it.

    When only x moves (a pan) every frame resamples the same rows to
    ``height``, so that pass is done here, once, into a band as wide as the
    source; when only y moves (a tilt) the same holds for columns. Pillow
    then does just one pass per frame, as a box spanning the whole band on the
    fixed axis at the output's size needs none on that axis.
    """
    boxes: list[_Box] = [(x, y, x + w, y + h) for x, y, w, h in rects]
    if len({(w, h) for _, _, w, h in rects}) != 1:
        return source, boxes  # a zoom: both passes change from frame to frame
    xs, ys = {box[0] for box in boxes}, {box[1] for box in boxes}
    left, top, right, bottom = boxes[0]
    bilinear = Image.Resampling.BILINEAR
    if len(ys) == 1 and len(xs) > 1:
        band = source.resize((source.width, height), bilinear, box=(0, top, source.width, bottom))
        return band, [(x0, 0, x1, height) for x0, _, x1, _ in boxes]
    if len(xs) == 1 and len(ys) > 1:
        band = source.resize((width, source.height), bilinear, box=(left, 0, right, source.height))
        return band, [(0, y0, width, y1) for _, y0, _, y1 in boxes]
    return source, boxes


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
    """The clip's frames, one at a time, as RGB images of ``width`` x ``height``.

    Consecutive frames that look the same are the same object.
    """
    rects = camera_rects(movement, n_frames, source.width, source.height, width, height)
    sampled, boxes = _one_axis_pass(source, rects, width, height)
    previous: tuple[_Box, Image.Image] | None = None
    for index, box in enumerate(boxes):
        if previous is not None and previous[0] == box:
            frame = previous[1]  # a static camera: sample once
        else:
            # Pillow widens the filter when reducing, so this does not alias; at
            # these scales bilinear looks like bicubic and is ~1.5x faster.
            frame = sampled.resize((width, height), Image.Resampling.BILINEAR, box=box)
            previous = (box, frame)
        gain = fade_gain(index, n_frames, fade_in_frames, fade_out_frames)
        if gain < 1.0:
            frame = frame.point([round(v * gain) for v in range(256)] * 3)
        yield frame


def still_segments(
    n_frames: int, gop: int, fade_in_frames: int = 0, fade_out_frames: int = 0
) -> list[range]:
    """Where to cut a still shot so that its identical GOPs can be encoded once.

    A GOP is *plain* when it is full length and none of its frames is faded;
    with the camera still, plain GOPs are identical. The answer covers
    ``range(n_frames)`` in order, each piece starting on a GOP boundary: the
    fade-in GOPs as one piece, each plain GOP as one, then the rest. With
    fewer than two plain GOPs there is nothing to share: one piece.
    """

    def plain(index: int) -> bool:
        frames = range(index * gop, (index + 1) * gop)
        return frames.stop <= n_frames and all(
            fade_gain(i, n_frames, fade_in_frames, fade_out_frames) == 1.0 for i in frames
        )

    n_gops = -(-n_frames // gop)
    first = next((k for k in range(n_gops) if plain(k)), n_gops)
    end = next((k for k in range(first, n_gops) if not plain(k)), n_gops)
    if end - first < 2:
        return [range(n_frames)]
    pieces = [range(0, first * gop)] if first else []
    pieces += [range(k * gop, (k + 1) * gop) for k in range(first, end)]
    if end * gop < n_frames:
        pieces.append(range(end * gop, n_frames))
    return pieces


def x264_encoder_args(*, fps: int, n_frames: int, crf: int, preset: str) -> list[str]:
    """The H.264 4:2:0 BT.709 encoder settings every clip shares (after its filters)."""
    gop = GOP_SECONDS * fps
    return [
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
        "-threads", "1", "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
        "-x264-params", "threads=1:lookahead-threads=1:sliced-threads=0:scenecut=0:open-gop=0",
        "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
        "-color_range", "tv",
        "-fps_mode", "cfr", "-r", str(fps), "-frames:v", str(n_frames),
        "-movflags", "+faststart", *BITEXACT_OUTPUT, "-f", "mp4",
    ]  # fmt: skip


def x264_args(
    *, width: int, height: int, fps: int, n_frames: int, crf: int, preset: str
) -> list[str]:
    """ffmpeg arguments from raw RGB on stdin to H.264 4:2:0 BT.709, output path excluded."""
    return [
        "-filter_threads", "1",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", f"{width}x{height}",
        "-framerate", str(fps), "-i", "pipe:0",
        "-map", "0:v:0", "-an", "-sn", "-dn",
        "-vf", "scale=out_color_matrix=bt709:out_range=tv",  # tagged BT.709 below, so convert so
        *x264_encoder_args(fps=fps, n_frames=n_frames, crf=crf, preset=preset),
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
    fades = (fade_in_frames, fade_out_frames)
    frames = clip_frames(
        image,
        width=width,
        height=height,
        n_frames=n_frames,
        movement=movement,
        fade_in_frames=fade_in_frames,
        fade_out_frames=fade_out_frames,
    )
    rects = camera_rects(movement, n_frames, image.width, image.height, width, height)
    still = len(set(rects)) == 1
    pieces = still_segments(n_frames, GOP_SECONDS * fps, *fades) if still else [range(n_frames)]

    def encode(frames: Iterable[Image.Image], count: int, path: Path) -> None:
        args = x264_args(
            width=width, height=height, fps=fps, n_frames=count, crf=crf, preset=preset
        )
        with stream_to_ffmpeg([*args, str(path)]) as stdin:
            _write_frames(frames, stdin)

    if len(pieces) == 1:
        with atomic_path(out) as tmp:
            encode(frames, n_frames, tmp)
        return
    with tempfile.TemporaryDirectory(prefix="sm-clip-") as folder:
        # A still shot's frames differ only in brightness: equal gains, equal pieces.
        files: dict[tuple[float, ...], Path] = {}
        playlist: list[Path] = []
        for piece in pieces:
            chunk = itertools.islice(frames, len(piece))
            gains = tuple(fade_gain(i, n_frames, *fades) for i in piece)
            if gains in files:
                collections.deque(chunk, maxlen=0)  # encoded already: skip its frames
            else:
                files[gains] = Path(folder) / f"piece-{len(files)}.mp4"
                encode(chunk, len(piece), files[gains])
            playlist.append(files[gains])
        concat_clips(playlist, out)  # closed GOPs join by stream copy; writes atomically


def _write_frames(frames: Iterable[Image.Image], stdin: IO[bytes]) -> None:
    """Write each frame's raw RGB; a frame repeated as the same object is converted once."""
    last: tuple[Image.Image, bytes] | None = None
    for frame in frames:
        if last is None or last[0] is not frame:
            last = (frame, frame.tobytes())
        stdin.write(last[1])
