"""Detail-preserving image downscaling (DPID; Weber, Waechter, Amend, Guthe and Goesele, "Rapid,
Detail-Preserving Image Downscaling", SIGGRAPH Asia 2016): ``dpid`` (functional) and the
``dpid`` degrader with a per-sample λ (wtp_dataset_destroyer's and chaiNNer's ``dpid``).

Each output pixel p covers a footprint Ω_p of the input (fractional at its edges: an input
pixel q enters with the area c(p, q) of it that the footprint covers). With the guidance
G = the box-downscaled image (area average over Ω_p) smoothed by the 3×3 kernel
[1 2 1]ᵀ[1 2 1]/16 (renormalised at the border),

    O(p) = Σ_q c(p, q)·w(p, q)·I(q) / Σ_q c(p, q)·w(p, q),   w(p, q) = (‖I(q) − G(p)‖ / √3)^λ,

the RGB distance over its largest value √3. λ = 0 is the box average; larger λ weights the
pixels that differ from their surroundings, keeping thin details. Where every weight is 0 (a
flat footprint) the output is the box average. Vectorised over footprints: runs on the input's
device.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

import pydantic
import torch
import torch.nn.functional as F
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import FloatRange, within
from ..seeding import draw_float


def footprints(size_in: int, size_out: int) -> tuple[Tensor, Tensor]:
    """Along one axis: ``(index, coverage)``, both size_out×K — the input pixels each output
    pixel's footprint touches and the length of each that it covers (rows sum to
    size_in/size_out; unused slots have coverage 0 and a valid index)."""
    s = size_in / size_out
    first = [math.floor(i * s) for i in range(size_out)]
    last = [min(size_in, math.ceil((i + 1) * s)) for i in range(size_out)]
    k = max(b - a for a, b in zip(first, last, strict=True))
    idx = torch.zeros(size_out, k, dtype=torch.int64)
    cov = torch.zeros(size_out, k, dtype=torch.float64)
    for i, a in enumerate(first):
        for j in range(k):
            q = a + j
            lo, hi = max(i * s, q), min((i + 1) * s, q + 1)
            if q < size_in and hi > lo:
                idx[i, j], cov[i, j] = q, hi - lo
            else:
                idx[i, j] = min(q, size_in - 1)
    return idx, cov


def _smooth3(x: Tensor) -> Tensor:
    """The 3×3 binomial [1 2 1]ᵀ[1 2 1]/16 over N×C×H×W, weights renormalised at the border."""
    k1 = torch.tensor([1.0, 2.0, 1.0], dtype=x.dtype, device=x.device)
    k = (k1[:, None] * k1[None, :]).expand(x.shape[1], 1, 3, 3)
    num = F.conv2d(F.pad(x, (1, 1, 1, 1)), k, groups=x.shape[1])
    ones = torch.ones_like(x[:, :1])
    den = F.conv2d(F.pad(ones, (1, 1, 1, 1)), k[:1])
    return num / den


def dpid(x: Tensor, size: tuple[int, int], lam: Sequence[float]) -> Tensor:
    """Downscale N×3×H×W in [0, 1] to ``size`` = (h, w) (each ≤ the input's) with DPID at
    λ = ``lam[i]`` (≥ 0) per sample; same dtype and device."""
    c, h_in, w_in = x.shape[1:]
    h, w = size
    if not (1 <= h <= h_in and 1 <= w <= w_in):
        raise ValueError(f"dpid only downscales: {h_in}×{w_in} → {h}×{w}")
    iy, cy = (t.to(x.device) for t in footprints(h_in, h))
    ix, cx = (t.to(x.device) for t in footprints(w_in, w))
    cy, cx = cy.to(x.dtype), cx.to(x.dtype)
    patches = x[:, :, iy[:, :, None, None], ix[None, None, :, :]]  # N×C×h×Ky×w×Kx
    cov = cy[:, :, None, None] * cx[None, None, :, :]  # h×Ky×w×Kx
    area = cov.sum(dim=(1, 3))
    avg = (patches * cov).sum(dim=(3, 5)) / area
    guide = _smooth3(avg)
    dist = (patches - guide[:, :, :, None, :, None]).pow(2).sum(1, keepdim=True).sqrt()
    lams = torch.as_tensor([float(v) for v in lam], dtype=x.dtype, device=x.device)
    weight = (dist / math.sqrt(c)).pow(lams.view(-1, 1, 1, 1, 1, 1)) * cov
    total = weight.sum(dim=(3, 5))
    out = (patches * weight).sum(dim=(3, 5)) / total.clamp_min(torch.finfo(x.dtype).tiny)
    return torch.where(total > 0, out, avg)


class DPIDConfig(DegraderConfig):
    factor: float = pydantic.Field(default=0.25, gt=0, le=1,
                                   description="output size / input size (0.25: ×4 down)")
    lam: Annotated[FloatRange, within(0, 10, name="λ")] = pydantic.Field(
        default=(0.5, 0.5), description="λ ≥ 0 (0: box average; 1: most detail), or "
        "[low, high] drawn per sample")


class DPID(Degrader):
    """Detail-preserving downscaling by ``factor``. Params: ``{"lam": float}``."""

    name = "dpid"
    Config = DPIDConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        cfg: DPIDConfig = self.config  # type: ignore[assignment]
        self.factor, self.lam = cfg.factor, cfg.lam

    @property
    def scale(self) -> float:
        return 1.0 / self.factor

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"lam": draw_float(g, self.lam)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        size = self.output_size(hr.shape[-2], hr.shape[-1])
        return dpid(hr, size, [float(p["lam"]) for p in params]).clamp(0, 1)
