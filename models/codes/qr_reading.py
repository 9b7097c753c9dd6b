"""Reading QR codes from pictures (zxing-cpp): a cashier's photo of a card or voucher,
sent in chat or chosen in the Mini App where there is no camera scanner."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image


def decode(image: bytes) -> list[str]:
    """Texts of the QR codes in an image (empty when none or not an image)."""
    try:
        with Image.open(io.BytesIO(image)) as picture:
            return [found.text for found in zxingcpp.read_barcodes(picture)]
    except (OSError, ValueError, Image.DecompressionBombError):
        return []
