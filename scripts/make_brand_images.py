"""Draw the integration's brand images (original artwork, not Zoom's mark).

A broadcast symbol: a dot with two pairs of radio-wave arcs, white on a dark
teal rounded square. Run it to regenerate custom_components/zoom_livestream/brand/.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = Path(__file__).parent.parent / "custom_components" / "zoom_livestream" / "brand"
BACKGROUND = (17, 94, 89, 255)
ACCENT = (255, 255, 255, 255)
LIVE = (239, 68, 68, 255)
SUPERSAMPLE = 4


def draw_symbol(size: int, *, background: bool) -> Image.Image:
    """Draw the symbol on a transparent (or rounded teal) square of `size` pixels."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if background:
        draw.rounded_rectangle(
            (0, 0, big - 1, big - 1), radius=big // 5, fill=BACKGROUND
        )
    colour = ACCENT if background else BACKGROUND
    centre = big // 2
    dot = big // 11
    draw.ellipse((centre - dot, centre - dot, centre + dot, centre + dot), fill=LIVE)
    width = big // 22
    for radius in (big * 0.22, big * 0.34):
        box = (centre - radius, centre - radius, centre + radius, centre + radius)
        # Two arcs on each side, like waves leaving the dot.
        draw.arc(box, start=140, end=220, fill=colour, width=width)
        draw.arc(box, start=-40, end=40, fill=colour, width=width)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write icon.png (256), icon@2x.png (512) and logo.png (256 high)."""
    BRAND.mkdir(parents=True, exist_ok=True)
    draw_symbol(256, background=True).save(BRAND / "icon.png", optimize=True)
    draw_symbol(512, background=True).save(BRAND / "icon@2x.png", optimize=True)
    draw_symbol(256, background=True).save(BRAND / "logo.png", optimize=True)


if __name__ == "__main__":
    main()
