"""PNG files written by eventstudy.plotting._png (read back by Pillow) and by the report."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from eventstudy.plotting._png import png_bytes


def _read(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("opaque", [True, False])
def test_pixels_read_back_as_written(opaque):
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    if opaque:
        rgba[..., 3] = 255
    image = _read(png_bytes(rgba, dpi=80))
    assert image.mode == ("RGB" if opaque else "RGBA")
    assert image.size == (53, 37)
    expected = rgba[..., :3] if opaque else rgba
    np.testing.assert_array_equal(np.asarray(image), expected)
    assert image.info["dpi"] == pytest.approx((80, 80), abs=0.01)


def test_same_image_same_bytes_and_no_text_chunks():
    rgba = np.full((10, 10, 4), 255, dtype=np.uint8)
    first, again = png_bytes(rgba), png_bytes(rgba.copy())
    assert first == again
    assert b"tEXt" not in first and b"tIME" not in first and b"pHYs" not in first


def test_report_figure_has_the_pixels_savefig_writes(tmp_path):
    from eventstudy.report.figures import _save_png

    fig, ax = plt.subplots(figsize=(3, 2), dpi=60)
    try:
        ax.plot([0, 1, 2], [1, 3, 2], marker="o")
        ax.set_title("金 (day 0)")
        saved = io.BytesIO()
        fig.savefig(saved, format="png", dpi=60)
        _save_png(fig, tmp_path / "fig.png")
    finally:
        plt.close(fig)
    ours = np.asarray(_read((tmp_path / "fig.png").read_bytes()).convert("RGBA"))
    theirs = np.asarray(_read(saved.getvalue()).convert("RGBA"))
    np.testing.assert_array_equal(ours, theirs)
