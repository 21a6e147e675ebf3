"""How blurred the edges of a set of images are, per edge orientation: the statistic that the
PSF is fitted to when there are no pairs.

At a step edge blurred by a Gaussian of width w (along the edge normal), the gradient
magnitude falls by ``√((w² + σd²) / (w² + σd² + σr²))`` when the image is blurred once more by
σr (the re-blur ratio of Zhuo & Sim, "Defocus map estimation from a single image", 2011), so
``w² = σr² / (R² − 1) − σd²`` with R the ratio and σd the derivative filter's own smoothing
(less the constant that central differences on the pixel grid add).
Measured at the strongest edge pixels (local maxima of the gradient across the edge), binned
by the edge normal's angle, the median w² per bin is a blur width per direction that hardly
depends on the edge's contrast, so images of different scenes can be compared: the PSF is
adjusted until the LR made from clean HR have the real LR's widths.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from .._filtering import filter_separable, gaussian_kernel1d
from .._luma import luma

DERIVATIVE_SIGMA = 0.8  # px
REBLUR_SIGMA = 1.0  # px
ORIENTATIONS = 4  # bins of the edge normal's angle, centred on 0°, 45°, 90°, 135°
STRONGEST = 0.25  # the fraction of the edge pixels kept, by gradient magnitude, per image
GRID_WIDTH2 = 0.55  # px²: what central differences on the pixel grid add to w² (measured on
#                     sampled Gaussian-blurred steps of σ 0.7–3; tests/calibrate)
BOOTSTRAP = 64  # resamples of the images for the medians' standard errors


@dataclass
class EdgeWidths:
    """Median squared edge width (LR px²) per orientation bin ``angles`` (radians), its
    standard error ``se`` (bootstrap over the images) and the number of edge pixels each
    median came from."""

    angles: list[float]
    width2: list[float]
    se: list[float]
    count: list[int]

    def to_dict(self) -> dict[str, list[float] | list[int]]:
        return {"angles_deg": [round(math.degrees(a), 1) for a in self.angles],
                "width2": [round(v, 4) for v in self.width2],
                "se": [round(v, 4) for v in self.se], "count": self.count}


def _smooth(x: Tensor, sigma: float) -> Tensor:
    size = 2 * math.ceil(3 * sigma) + 1
    k = gaussian_kernel1d(torch.full((x.shape[0],), sigma, dtype=torch.float64), size)
    return filter_separable(x, k.to(x.device))


def _gradient(y: Tensor) -> tuple[Tensor, Tensor]:
    s = _smooth(y, DERIVATIVE_SIGMA)
    gx = F.pad(s[..., :, 2:] - s[..., :, :-2], (1, 1, 0, 0), mode="replicate") / 2
    gy = F.pad(s[..., 2:, :] - s[..., :-2, :], (0, 0, 1, 1), mode="replicate") / 2
    return gx, gy


def _edge_samples(image: Tensor, border: int = 6) -> tuple[Tensor, Tensor]:
    """(angle of the edge normal in [0, π), w²) at the strongest edge pixels of 3×H×W."""
    y = luma(image[None].double())
    gx, gy = _gradient(y)
    mag = torch.sqrt(gx * gx + gy * gy)
    rx, ry = _gradient(_smooth(y, REBLUR_SIGMA))
    mag_r = torch.sqrt(rx * rx + ry * ry)
    angle = torch.atan2(gy, gx).remainder(math.pi)
    # non-maximum suppression across the edge (the normal rounded to 45°)
    octant = ((angle / (math.pi / 4)).round().long() % 4)
    padded = F.pad(mag, (1, 1, 1, 1), mode="replicate")
    h, w = mag.shape[-2:]
    keep = torch.zeros_like(mag, dtype=torch.bool)
    for o, (dy, dx) in enumerate(((0, 1), (1, 1), (1, 0), (1, -1))):
        ahead = padded[..., 1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]
        behind = padded[..., 1 - dy : 1 - dy + h, 1 - dx : 1 - dx + w]
        keep |= (octant == o) & (mag >= ahead) & (mag > behind)
    b = border
    inner = torch.zeros_like(keep)
    inner[..., b : h - b, b : w - b] = True
    keep &= inner & (mag > 0)
    if int(keep.sum()) < 4:
        return torch.zeros(0, dtype=torch.float64), torch.zeros(0, dtype=torch.float64)
    m = mag[keep]
    strong = m >= torch.quantile(m, 1 - STRONGEST)
    ratio = (mag[keep] / mag_r[keep].clamp(min=1e-12))[strong]
    w2 = REBLUR_SIGMA**2 / (ratio * ratio - 1).clamp(min=1e-3) - DERIVATIVE_SIGMA**2 \
        - GRID_WIDTH2
    return angle[keep][strong], w2


def edge_widths(images: Sequence[Tensor]) -> EdgeWidths:
    """The median squared edge width per orientation of ``images`` (each 3×H×W in [0, 1]),
    pooled over the images (module doc)."""
    step = math.pi / ORIENTATIONS
    per_image = []
    for x in images:
        angle, w2 = _edge_samples(x)
        which = ((angle + step / 2) // step).long() % ORIENTATIONS
        per_image.append([w2[which == k] for k in range(ORIENTATIONS)])

    def medians(chosen: Sequence[int]) -> list[float]:
        out = []
        for k in range(ORIENTATIONS):
            sel = torch.cat([per_image[i][k] for i in chosen])
            out.append(float(sel.median()) if sel.numel() else math.nan)
        return out

    n = len(per_image)
    width2 = medians(range(n))
    gen = torch.Generator().manual_seed(0)  # the resampling is part of the statistic
    boots = torch.tensor([medians(torch.randint(0, n, (n,), generator=gen).tolist())
                          for _ in range(BOOTSTRAP)], dtype=torch.float64)
    se = [float(v) for v in boots.std(0)] if n > 1 else [math.nan] * ORIENTATIONS
    count = [sum(int(p[k].numel()) for p in per_image) for k in range(ORIENTATIONS)]
    return EdgeWidths([k * step for k in range(ORIENTATIONS)], width2, se, count)
