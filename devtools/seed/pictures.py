"""Demo pictures drawn on the spot with Pillow: a few logos, photos and covers, so that the
demo shows pictures beside initials. Nothing is downloaded and no binary file is kept in the
repository; each picture is drawn the same way every time from its seed text.

The pictures are simple shapes (a logo mark, an abstract portrait, a landscape); they go
through the same upload path as any upload (``core.pictures.PictureField``).
"""

from __future__ import annotations

import io
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

PALETTE = [
    (11, 92, 90),
    (138, 59, 0),
    (91, 61, 143),
    (31, 90, 153),
    (140, 29, 79),
    (62, 92, 27),
    (214, 150, 40),
    (230, 120, 90),
]
SKIN = [(241, 194, 160), (224, 172, 105), (198, 134, 66), (141, 85, 36), (92, 56, 30)]
HAIR = [(30, 24, 20), (70, 45, 25), (150, 100, 50), (200, 170, 110), (110, 110, 110)]


def _numbers(seed: str, count: int) -> list[int]:
    return [zlib.crc32(f"{seed}:{n}".encode()) for n in range(count)]


def _png(image: Image.Image, name: str) -> SimpleUploadedFile:
    output = io.BytesIO()
    image.save(output, format="PNG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/png")


def logo(seed: str) -> SimpleUploadedFile:
    """A logo mark on a transparent background (stored as PNG, transparency kept)."""
    n = _numbers(seed, 4)
    size = 480
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    main, second = PALETTE[n[0] % len(PALETTE)], PALETTE[(n[0] // 7 + 3) % len(PALETTE)]
    shape = n[1] % 3
    if shape == 0:  # rings, as people around a table
        draw.ellipse((40, 40, 440, 440), fill=main)
        for i in range(6):
            x = 240 + int(130 * [1, 0.5, -0.5, -1, -0.5, 0.5][i])
            y = 240 + int(130 * [0, 0.87, 0.87, 0, -0.87, -0.87][i])
            draw.ellipse((x - 38, y - 38, x + 38, y + 38), fill=second if i % 2 else (255, 255, 255, 255))
    elif shape == 1:  # a roof over a door: a neighbourhood
        draw.polygon([(240, 40), (450, 230), (30, 230)], fill=main)
        draw.rectangle((80, 230, 400, 440), fill=second)
        draw.rectangle((200, 300, 280, 440), fill=(255, 255, 255, 255))
    else:  # a bridge of squares: across borders
        for i in range(4):
            for j in range(4):
                if (i + j) % 2 == 0 or i == j:
                    colour = main if (i + j) % 3 else second
                    draw.rounded_rectangle((40 + i * 102, 40 + j * 102, 130 + i * 102, 130 + j * 102), 16, fill=colour)
    return _png(image, "logo.png")


def photo(seed: str) -> SimpleUploadedFile:
    """An abstract portrait: a head and shoulders on a soft background."""
    n = _numbers(seed, 5)
    size = 600
    top, bottom = PALETTE[n[0] % len(PALETTE)], PALETTE[n[1] % len(PALETTE)]
    image = Image.new("RGB", (size, size))
    draw = ImageDraw.Draw(image)
    for y in range(size):
        t = y / size
        colour = tuple(int(a + (b - a) * t * 0.6) + 40 for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (size, y)], fill=tuple(min(255, c) for c in colour))
    skin, hair = SKIN[n[2] % len(SKIN)], HAIR[n[3] % len(HAIR)]
    shirt = PALETTE[(n[4] + 2) % len(PALETTE)]
    draw.ellipse((110, 400, 490, 800), fill=shirt)
    draw.ellipse((185, 120, 415, 380), fill=hair)
    draw.ellipse((200, 150, 400, 390), fill=skin)
    if n[3] % 2:
        draw.chord((195, 130, 405, 300), 180, 360, fill=hair)
    return _png(image, "photo.png")


def cover(seed: str) -> SimpleUploadedFile:
    """A landscape: sky, sun and layers of hills."""
    n = _numbers(seed, 6)
    width, height = 1600, 800
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    sky_top, sky_bottom = (70, 130, 190), (250, 210, 160)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(sky_top, sky_bottom, strict=True))
        )
    sun_x = 200 + n[0] % 1200
    draw.ellipse((sun_x - 70, 150, sun_x + 70, 290), fill=(255, 236, 170))
    for layer in range(3):
        colour = PALETTE[(n[1] + layer * 3) % len(PALETTE)]
        base = 430 + layer * 120
        points = [(0, height)]
        for x in range(0, width + 200, 200):
            points.append((x, base - (zlib.crc32(f"{seed}:{layer}:{x}".encode()) % 140)))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    return _png(image, "cover.png")
