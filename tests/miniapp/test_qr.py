"""The card and voucher QR codes the page shows decode to their deep links."""

from __future__ import annotations

import base64

import zxingcpp
from PIL import Image

from api.miniapp.common import qr_data_uri, qr_matrix

LINK = "https://t.me/jifen_test_bot?start=m-" + "A" * 32


def test_the_matrix_scans_as_the_link() -> None:
    matrix = qr_matrix(LINK)
    scale = 6
    picture = Image.new("L", (len(matrix) * scale, len(matrix) * scale), 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                picture.paste(0, (x * scale, y * scale, (x + 1) * scale, (y + 1) * scale))
    assert [found.text for found in zxingcpp.read_barcodes(picture)] == [LINK]


def test_the_svg_draws_every_dark_module_once() -> None:
    svg = base64.b64decode(qr_data_uri(LINK).removeprefix("data:image/svg+xml;base64,")).decode()
    dark = sum(sum(row) for row in qr_matrix(LINK))
    widths = [int(run.split("h")[1].split("v")[0]) for run in svg.split('d="')[1].split("z")[:-1]]
    assert sum(widths) == dark and svg.startswith("<svg")
