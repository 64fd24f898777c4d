"""A long soundtrack's AAC, encoded as two halves at once and joined packet by packet.

ffmpeg's AAC encoder runs on one core; an episode's finished sound is encoded
in two halves, one per core, cut at a quiet sample ``split_at`` (a multiple of the
1024-sample AAC frame). AAC frames overlap: packet *j* carries the MDCT of
samples ``(j-1)*1024`` to ``(j+1)*1024`` (counting the encoder's 1024-sample
delay), and the decoder adds each packet's second half to the next one's
first. So each half is encoded with real sound on both sides of the cut —
the first runs ``POST_ROLL`` frames past it, the second starts ``PRE_ROLL``
frames before it — and only the packets whose blocks belong to each side
are kept: the first half's packets up to the one spanning the cut, the second
half's from the one starting at it. The joined stream decodes as one encode
would, up to quantization noise at the seam.

The first half's priming packet is dropped too, so the stream starts on the
sound's first sample without an edit list; its first 1024 samples (an
episode's fade from silence) decode without their overlap partner. The
stream is at most one AAC frame (21 ms at 48 kHz) longer than the sound.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sparkle_motion.atomic import atomic_path
from sparkle_motion.audio.wav import WavReader
from sparkle_motion.errors import MediaError
from sparkle_motion.ffmpeg import BITEXACT_OUTPUT, run_ffmpeg

__all__ = [
    "AUDIO_BITRATE",
    "FRAME",
    "adts_packets",
    "encode_split",
    "encoder_args",
    "join_halves",
    "quiet_cut",
]

FRAME = 1024  # samples per AAC-LC frame
PRE_ROLL = 3  # frames of sound the second half starts before the cut
POST_ROLL = 3  # frames of sound the first half runs past it
AUDIO_BITRATE = "96k"  # mono AAC-LC (see encoder_args)


def encoder_args(audio_bitrate: str = AUDIO_BITRATE) -> list[str]:
    """ffmpeg's AAC-LC encoder with its fast coder and without temporal noise shaping.

    Measured on a ten-minute mono dialogue mix at 96 kb/s, this is 2.3 times
    faster than the default coder and closer to the source (40 dB SNR against
    28 dB; peaks no higher than the source's, where the default overshoots by
    a decibel and the fast coder with noise shaping by three). Above 96 kb/s
    the fast coder slows down sharply on speech (twice the time at 128 kb/s).
    """
    return [
        "-c:a", "aac", "-aac_coder", "fast", "-aac_tns", "0", "-b:a", audio_bitrate,
        "-threads", "1",
    ]  # fmt: skip


def adts_packets(data: bytes) -> list[bytes]:
    """The packets (with their headers) of an ADTS stream, in order."""
    packets, at = [], 0
    while at < len(data):
        header = data[at : at + 7]
        if len(header) < 7 or header[0] != 0xFF or header[1] & 0xF0 != 0xF0:
            raise MediaError(f"not an ADTS header at byte {at}", where="AAC stream")
        length = ((header[3] & 0x03) << 11) | (header[4] << 3) | (header[5] >> 5)
        if length < 7 or at + length > len(data):
            raise MediaError(f"ADTS packet at byte {at} runs past the end", where="AAC stream")
        packets.append(data[at : at + length])
        at += length
    return packets


def join_halves(first: bytes, second: bytes, split_at: int, total: int) -> bytes:
    """The packets of both halves that make one stream of ``total`` samples cut at ``split_at``."""
    cut = split_at // FRAME
    ahead, behind = adts_packets(first), adts_packets(second)
    keep_first = ahead[1 : cut + 1]  # drop the priming packet; end on the one spanning the cut
    wanted = math.ceil(total / FRAME) - cut
    keep_second = behind[PRE_ROLL + 1 : PRE_ROLL + 1 + wanted]
    if len(keep_first) != cut or len(keep_second) != wanted:
        raise MediaError(
            f"the AAC halves are short: {len(keep_first)}/{cut} and {len(keep_second)}/{wanted} "
            "packets",
            where="AAC stream",
        )
    return b"".join(keep_first + keep_second)


def quiet_cut(total: int, gaps: list[tuple[int, int]]) -> int | None:
    """Where to cut ``total`` samples: the middle of the pause nearest the middle, on a frame.

    ``gaps`` are (start, end) sample ranges without speech. None when the
    sound is too short to be worth two encoders.
    """
    if total < 40 * FRAME * 10:  # under ~8.5 s at 48 kHz
        return None
    middle = total / 2
    centres = [(a + b) / 2 for a, b in gaps if b - a >= 2 * FRAME] or [middle]
    best = min(centres, key=lambda c: (abs(c - middle), c))
    cut = round(best / FRAME) * FRAME
    margin = (PRE_ROLL + POST_ROLL + 2) * FRAME
    return cut if margin <= cut <= total - margin else None


def _encode(
    source: Path, rate: int, out: Path, first: int, count: int | None, bitrate: str
) -> None:
    """Samples ``first`` to ``first + count`` (to the end when None) of a WAV at ``rate``,
    as ADTS."""
    window = ["-ss", f"{first / rate:.9f}"] if first else []
    if count is not None:
        window += ["-t", f"{count / rate:.9f}"]
    run_ffmpeg([
        *window, "-i", str(source), "-map", "0:a:0", "-ac", "1",
        *encoder_args(bitrate), *BITEXACT_OUTPUT, "-f", "adts", str(out),
    ])  # fmt: skip


def encode_split(source: Path, out: Path, split_at: int, bitrate: str) -> None:
    """``source`` (a mono WAV) as one ADTS stream in ``out``, its halves encoded at once."""
    with WavReader(source) as reader:
        total, rate = reader.frames, reader.rate
    if not PRE_ROLL * FRAME <= split_at <= total - POST_ROLL * FRAME or split_at % FRAME:
        raise MediaError(f"cannot cut {total} samples at {split_at}", where=str(source))
    halves = (out.with_name(f"{out.name}.first"), out.with_name(f"{out.name}.second"))
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            jobs = [
                pool.submit(
                    _encode, source, rate, halves[0], 0, split_at + POST_ROLL * FRAME, bitrate
                ),
                pool.submit(
                    _encode, source, rate, halves[1], split_at - PRE_ROLL * FRAME, None, bitrate
                ),
            ]
            for job in jobs:
                job.result()
        joined = join_halves(halves[0].read_bytes(), halves[1].read_bytes(), split_at, total)
        with atomic_path(out) as tmp:
            tmp.write_bytes(joined)
    finally:
        for half in halves:
            half.unlink(missing_ok=True)
