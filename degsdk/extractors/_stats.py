"""``degradation_stats``: a weight-free extractor of degradation statistics (dim 38).

Per image (float64, luma Y = 0.299 R + 0.587 G + 0.114 B where noted):

- high-frequency residual r = x − GaussianBlur_σ=1(x) at scales 1, ½, ¼ (area downscale), per
  channel: standard deviation, mean |r|, and the standardised 4th moment (log1p) — 27;
- noise σ per channel from the finest Haar diagonal band (median |HH| / 0.6745, Donoho) — 3;
- JPEG blockiness of Y: mean |horizontal/vertical step| across 8-pixel block boundaries over the
  mean step elsewhere (1 when there are no blocks) — 2;
- gradient energy of Y at the three scales (mean |∇Y|) — 3;
- correlation of the residuals between channel pairs RG, RB, GB (gray noise → 1) — 3.

Every statistic is computed per image, so features do not depend on the batch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .._filtering import filter_separable, gaussian_kernel1d
from .._interfaces import Extractor
from .._luma import luma


def _residual(x: Tensor) -> Tensor:
    k = gaussian_kernel1d(torch.ones(x.shape[0], dtype=torch.float64), 7).to(torch.float64)
    return x - filter_separable(x, k)


def _blockiness(y: Tensor) -> Tensor:
    """y: N×H×W → (N, 2) boundary/non-boundary step ratios (horizontal, vertical)."""
    out = []
    for d, dim in ((y[..., :, 1:] - y[..., :, :-1], -1), (y[..., 1:, :] - y[..., :-1, :], -2)):
        steps = d.abs().mean(dim=-2 if dim == -1 else -1)  # (N, positions)
        pos = torch.arange(steps.shape[-1])
        boundary = (pos % 8) == 7
        if boundary.any() and (~boundary).any():
            ratio = steps[:, boundary].mean(-1) / steps[:, ~boundary].mean(-1).clamp(min=1e-8)
        else:
            ratio = torch.ones(steps.shape[0], dtype=steps.dtype)
        out.append(ratio)
    return torch.stack(out, dim=1)


class DegradationStats(Extractor):
    """Degradation statistics (no weights); see the module doc. Output (N, 38) float32."""

    name = "degradation_stats"
    dim = 38

    def __init__(self) -> None:
        super().__init__()

    def forward(self, images: Tensor) -> Tensor:
        x = images.detach().to("cpu", torch.float64)
        feats = []
        grads = []
        cur = x
        for scale in range(3):
            if scale:
                cur = F.avg_pool2d(cur, 2) if min(cur.shape[-2:]) >= 16 else cur
            r = _residual(cur)
            flat = r.flatten(2)
            std = flat.std(-1)
            m4 = (flat**4).mean(-1) / (flat.var(-1) ** 2).clamp(min=1e-12)
            feats += [std, flat.abs().mean(-1), torch.log1p(m4)]
            yl = luma(cur)[:, 0]
            gx = (yl[..., :, 1:] - yl[..., :, :-1]).abs().flatten(1).mean(1)
            gy = (yl[..., 1:, :] - yl[..., :-1, :]).abs().flatten(1).mean(1)
            grads.append(gx + gy)
        h, w = x.shape[-2] // 2 * 2, x.shape[-1] // 2 * 2
        xe = x[..., :h, :w]
        hh = (xe[..., 0::2, 0::2] - xe[..., 0::2, 1::2] - xe[..., 1::2, 0::2]
              + xe[..., 1::2, 1::2]) / 2
        noise = hh.abs().flatten(2).median(-1).values / 0.6745
        r = _residual(x).flatten(2)
        r = r - r.mean(-1, keepdim=True)
        norm = r.norm(dim=-1).clamp(min=1e-12)
        corr = [(r[:, i] * r[:, j]).sum(-1) / (norm[:, i] * norm[:, j])
                for i, j in ((0, 1), (0, 2), (1, 2))]
        out = torch.cat([torch.cat(feats, 1), noise, _blockiness(luma(x)[:, 0]),
                         torch.stack(grads, 1), torch.stack(corr, 1)], dim=1)
        return out.to(torch.float32).to(images.device)
