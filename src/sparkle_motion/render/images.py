"""Still images in: load them safely, check their size, fit them to a frame."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from sparkle_motion.errors import MediaError

__all__ = ["MAX_PIXELS", "MAX_SIDE", "check_image_size", "cover_fit", "load_image", "to_rgb"]

MAX_SIDE = 16384
# 64 Mpx (200 MB as RGB) is the most one still may cost; it is also below the
# size at which Pillow starts warning about decompression bombs.
MAX_PIXELS = 8192 * 8192

# What Pillow raises for files it cannot decode, depending on the format plugin.
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError)


def check_image_size(size: tuple[int, int], *, where: str) -> None:
    """Refuse empty or absurdly large images before any pixel is decoded."""
    width, height = size
    if width < 1 or height < 1:
        raise MediaError(f"the image is empty ({width}x{height} px)", where=where)
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise MediaError(
            f"the image is too large ({width}x{height} px; the limit is {MAX_SIDE} px a side"
            f" and {MAX_PIXELS // 1_000_000} Mpx)",
            where=where,
            hint="downscale it to the output resolution or a little above",
        )


def to_rgb(image: Image.Image) -> Image.Image:
    """RGB copy of ``image``; transparent areas are flattened onto black."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        flat.alpha_composite(rgba)
        return flat.convert("RGB")
    return image.convert("RGB")


def load_image(path: Path, *, keep_alpha: bool = False) -> Image.Image:
    """Decode ``path`` into an upright RGB (or, with ``keep_alpha``, RGBA) image.

    Raises :class:`MediaError`. The declared size is checked before decoding,
    so a file that claims to be huge costs nothing. Animated images give
    their first frame.
    """
    where = str(path)
    try:
        with Image.open(path) as opened:
            check_image_size(opened.size, where=where)
            opened.load()
            upright = ImageOps.exif_transpose(opened)  # a copy: outlives the file
            return upright.convert("RGBA") if keep_alpha else to_rgb(upright)
    except MediaError:
        raise
    except FileNotFoundError as exc:
        raise MediaError("the image file does not exist", where=where) from exc
    except UnidentifiedImageError as exc:
        raise MediaError(
            "the file is not an image Pillow can read", where=where, hint="use PNG or JPEG"
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow refuses (or, with warnings as errors, warns about) the declared
        # size inside Image.open, before check_image_size sees it.
        raise MediaError(f"the image is too large: {exc}", where=where) from exc
    except _DECODE_ERRORS as exc:
        raise MediaError(f"the image cannot be decoded: {exc}", where=where) from exc


def cover_fit(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale ``image`` to cover ``size`` and crop the centre (like CSS ``object-fit: cover``)."""
    return ImageOps.fit(image, size, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
