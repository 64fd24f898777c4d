"""The Video Engine's render primitives.

Plain values in, media files out; nothing here knows about stories:

- :mod:`.frames`    storyboard frames drawn with Pillow
- :mod:`.motion`    camera rectangles for a movement (pure math)
- :mod:`.clips`     one shot encoded to H.264 from a still and a movement
- :mod:`.assemble`  clips joined, audio muxed (stream copy where possible)
- :mod:`.captions`  caption cues from timed speech; SRT and WebVTT sidecars
- :mod:`.fonts`     the bundled Noto Sans font
- :mod:`.images`    loading and fitting still images safely

Every output is byte-for-byte deterministic for the same inputs and software
versions.
"""
