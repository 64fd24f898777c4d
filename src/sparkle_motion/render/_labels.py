"""Text on frames: fitting text to a width, and legible labels on any backdrop."""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFont

__all__ = ["ELLIPSIS", "Labels", "ellipsize", "text_width", "wrap"]

ELLIPSIS = "…"

Font = ImageFont.FreeTypeFont
Color = tuple[int, int, int]


def text_width(text: str, font: Font) -> float:
    return font.getlength(text)


def ellipsize(text: str, font: Font, max_width: float) -> str:
    """``text``, shortened with an ellipsis until it fits ``max_width`` pixels."""
    if text_width(text, font) <= max_width:
        return text
    cut = len(text)
    while cut > 0 and text_width(text[:cut].rstrip() + ELLIPSIS, font) > max_width:
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS if cut else ""


def wrap(text: str, font: Font, max_width: float, max_lines: int) -> list[str]:
    """Greedy word wrap to ``max_width`` pixels; what does not fit ends in an ellipsis."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", font) <= max_width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words and lines:
        lines[-1] = ellipsize(f"{lines[-1]} {' '.join(words)}", font, max_width)
    return [ellipsize(line, font, max_width) for line in lines]


@dataclass
class _Label:
    x: float
    y: float
    lines: list[str]
    font: Font
    ink: Color
    box: tuple[int, int, int, int]
    border: Color | None


@dataclass
class Labels:
    """Labels collected, then painted at once: translucent boxes first, text on top."""

    pad: float
    labels: list[_Label] = field(default_factory=list)

    def size(self, lines: list[str], font: Font) -> tuple[float, float]:
        """Outer width and height of a label holding ``lines``."""
        width = max((text_width(line, font) for line in lines), default=0.0)
        return width + 2 * self.pad, self._line_height(font) * len(lines) + 2 * self.pad

    def add(
        self,
        x: float,
        y: float,
        lines: list[str],
        font: Font,
        *,
        ink: Color = (255, 255, 255),
        box: tuple[int, int, int, int] = (0, 0, 0, 150),
        border: Color | None = None,
    ) -> None:
        """A label whose outer top-left corner is at (x, y)."""
        if lines:
            self.labels.append(_Label(x, y, lines, font, ink, box, border))

    def paint(self, canvas: Image.Image) -> None:
        overlay = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
        boxes = ImageDraw.Draw(overlay)
        for label in self.labels:
            width, height = self.size(label.lines, label.font)
            outline_width = max(1, round(self.pad / 3)) if label.border else 0
            boxes.rounded_rectangle(
                (label.x, label.y, label.x + width, label.y + height),
                radius=self.pad,
                fill=label.box,
                outline=label.border,
                width=outline_width,
            )
        canvas.paste(Image.alpha_composite(canvas.convert("RGBA"), overlay).convert("RGB"))
        text = ImageDraw.Draw(canvas)
        for label in self.labels:
            step = self._line_height(label.font)
            for row, line in enumerate(label.lines):
                top = label.y + self.pad + row * step
                text.text((label.x + self.pad, top), line, font=label.font, fill=label.ink)

    @staticmethod
    def _line_height(font: Font) -> float:
        ascent, descent = font.getmetrics()
        return float(ascent + descent)
