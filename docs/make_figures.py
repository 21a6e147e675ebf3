"""Regenerate the documentation figures (run from the repository root):

    .venv/bin/python docs/make_figures.py

Writes docs/images/pipelines.png: one HR crop of a sample photo and its degradations by each
classic pipeline and the synthetic camera (LR shown enlarged ×4 with nearest neighbour).
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont

import degsdk

ROOT = Path(__file__).resolve().parents[1]
TILE = 256


def _tile(x: torch.Tensor, label: str) -> Image.Image:
    x = F.interpolate(x[None], size=(TILE, TILE), mode="nearest-exact")[0]
    arr = (x.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()
    im = Image.new("RGB", (TILE, TILE + 16), "white")
    im.paste(Image.fromarray(arr), (0, 0))
    ImageDraw.Draw(im).text((4, TILE + 2), label, fill="black", font=ImageFont.load_default())
    return im


def main() -> None:
    hr = degsdk.read_image(ROOT / "samples" / "hr" / "chelsea.png")[None, :, 20:276, 96:352]
    usm = degsdk.create("usm")(hr, seed=0).lr
    panels = [("HR (256x256)", hr[0]), ("usm(HR), the Real-ESRGAN target", usm[0])]
    for name, x in (("realesrgan", usm), ("bsrgan", hr), ("bsrgan_plus", usm)):
        panels.append((f"{name} x4, seed 1", degsdk.create(name)(x, seed=1).lr[0]))
    for level in (1, 4):
        cam = degsdk.create("camera", level=level, scale=4, defocus=2.0)
        panels.append((f"camera level {level}, x4", cam(hr, seed=1).lr[0]))
    tiles = [_tile(x, label) for label, x in panels]
    sheet = Image.new("RGB", (4 * TILE + 5 * 6, 2 * (TILE + 16) + 3 * 6), "white")
    for i, t in enumerate(tiles):
        sheet.paste(t, (6 + (i % 4) * (TILE + 6), 6 + (i // 4) * (TILE + 22)))
    out = ROOT / "docs" / "images" / "pipelines.png"
    sheet.save(out, optimize=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
