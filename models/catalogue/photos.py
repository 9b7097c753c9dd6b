"""Reward photos uploaded as files (the console), made safe before they are kept.

A file is taken only if its first bytes say JPEG, PNG or WebP (not its name or declared
type), it is at most :data:`MAX_BYTES` and :data:`MAX_PIXELS`, and Pillow decodes it as
that very format. What is kept is never the upload: the pixels are re-encoded as a
fresh JPEG (at most :data:`MAX_SIDE` px a side, no metadata), so a polyglot, a script in
a comment or an EXIF location does not survive. An SVG (text, maybe with script) has
none of the three signatures and is refused before any decoder sees it. The chat sends
these bytes with the reward's card (Telegram then gives a ``file_id`` for next time).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1280
QUALITY = 85
SIGNATURES = {"JPEG": (b"\xff\xd8\xff",), "PNG": (b"\x89PNG\r\n\x1a\n",)}


@dataclass(frozen=True)
class InvalidPhoto:
    """``reason``: type (not JPEG, PNG or WebP by its bytes) | size | pixels | broken."""

    reason: str


def sniff(data: bytes) -> str | None:
    """The format the first bytes announce (``JPEG``, ``PNG``, ``WEBP``), else None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next((f for f, marks in SIGNATURES.items() if data.startswith(marks)), None)


def clean(data: bytes) -> bytes | InvalidPhoto:
    """The upload re-encoded as a plain JPEG, or why it is refused (CPU work: run it in a
    thread)."""
    if len(data) > MAX_BYTES:
        return InvalidPhoto("size")
    announced = sniff(data)
    if announced is None:
        return InvalidPhoto("type")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[announced]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return InvalidPhoto("pixels")
                image.load()
                upright = ImageOps.exif_transpose(image).convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return InvalidPhoto("pixels")
    except (OSError, ValueError, SyntaxError):
        return InvalidPhoto("broken")
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()
