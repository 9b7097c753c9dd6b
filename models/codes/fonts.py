"""A font for printed sheets and charts that has Chinese letters.

Pillow's and matplotlib's default fonts have no CJK glyphs: Chinese would print as boxes.
:func:`cjk_font_file` finds one installed: ``JIFEN_CJK_FONT``, then Debian's
``fonts-wqy-microhei`` / ``fonts-noto-cjk`` and a few others (``.ci/run`` installs
wqy-microhei). :func:`sheet_font` gives it to Pillow at a size, falling back to Pillow's
own font (Latin only) with a warning when there is none.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from pathlib import Path

from PIL import ImageFont

log = logging.getLogger(__name__)

CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def cjk_font_candidates() -> list[str]:
    """Font files to try, in order (``JIFEN_CJK_FONT`` first, when set)."""
    return [p for p in (os.environ.get("JIFEN_CJK_FONT", ""), *CJK_FONT_FILES) if p]


@cache
def cjk_font_file() -> str | None:
    """The first candidate Pillow can load, or None."""
    for path in cjk_font_candidates():
        if Path(path).is_file():
            try:
                ImageFont.truetype(path, 12)
                return path
            except OSError as exc:  # a broken font file
                log.warning("cannot load CJK font %s: %s", path, exc)
    log.warning(
        "no CJK font found (install Debian's fonts-wqy-microhei or set JIFEN_CJK_FONT);"
        " Chinese on printed sheets will show as boxes"
    )
    return None


@cache
def sheet_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A Pillow font of ``size`` pixels with Chinese letters where one is installed."""
    path = cjk_font_file()
    if path is not None:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)
