"""The README picture: one held-out HR crop (Kodak24) rendered ×4 with the degradation of
several real LR references, each generated LR beside its reference (both shown ×4, nearest),
with the HR's bicubic ↓4 and the ``realesrgan`` start D(HR) for comparison.

    .venv/bin/python plugins/degsdk-realdgen/benchmarks/realdgen_picture.py [--weights REF]

Writes plugins/degsdk-realdgen/images/references.png. Generation: the degrader's defaults
(DDPM, T = 300, K = 4). Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

import degsdk

PLUGIN = Path(__file__).resolve().parents[1]
DATA = PLUGIN.parents[2] / "shared" / "data"
HR = ("kodak24/kodim03.png", 160, 280)  # file, top, left of the 256² crop
REFERENCES = ("realsrset/oldphoto2.png", "rni6/Marilyn.png", "realesrgan_inputs/0030.jpg",
              "realsrset/dped_crop00061.png")
SHOW = 4  # display magnification of the 64² images


def _pil(x: torch.Tensor, zoom: int = 1) -> Image.Image:
    a = (x.clamp(0, 1).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    im = Image.fromarray(a)
    return im.resize((im.width * zoom, im.height * zoom), Image.NEAREST) if zoom > 1 else im


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", default="realdgen/x4")
    ap.add_argument("--out", type=Path, default=PLUGIN / "images" / "references.png")
    a = ap.parse_args()
    f, top, left = HR
    hr = degsdk.read_image(DATA / "hr" / f)[:, top : top + 256, left : left + 256][None]
    tiles: list[list[tuple[str, Image.Image]]] = [[
        ("HR (Kodak24, held out)", _pil(hr[0])),
        ("bicubic, 1/4 size", _pil(degsdk.create("bicubic", scale=4)(hr, seed=0).lr[0], SHOW)),
        ("realesrgan start D(HR)", _pil(degsdk.create("realesrgan", scale=4)(hr, seed=0).lr[0],
                                        SHOW))]]
    with tempfile.TemporaryDirectory() as tmp:
        for r in REFERENCES:
            shutil.copy(DATA / "real_lr" / r, Path(tmp) / Path(r).name)
        for r in REFERENCES:
            name = Path(r).name
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                deg = degsdk.load(a.weights, references=tmp, reference=name)
            with torch.no_grad():
                lr = deg(hr, seed=0).lr[0]
            ref = deg.reference_image(name)[0]
            h, w = ref.shape[-2:]
            ref = ref[:, (h - 64) // 2 : (h - 64) // 2 + 64, (w - 64) // 2 : (w - 64) // 2 + 64]
            tiles.append([(f"reference {r}", _pil(ref, SHOW)),
                          ("RealDGen LR with its degradation", _pil(lr, SHOW))])
            print(f"done {r}", flush=True)
    side, pad, label = 256, 8, 18
    cols = max(len(row) for row in tiles)
    canvas = Image.new("RGB", (cols * (side + pad) + pad, len(tiles) * (side + label + pad) + pad),
                       "white")
    draw = ImageDraw.Draw(canvas)
    for i, row in enumerate(tiles):
        for j, (text, im) in enumerate(row):
            x, y = pad + j * (side + pad), pad + i * (side + label + pad)
            draw.text((x, y), text, fill="black")
            canvas.paste(im, (x, y + label))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(a.out)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
