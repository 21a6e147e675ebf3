"""InterFlow's training losses (paper eq. 5, 8, 9, 10; normalisations as the official code).

- **NLL** (eq. 5): −log p(I_s | I_HR) = −(log|det Df| + log N(f(I_s); μ_s, Σ_s)) with 8-bit
  dequantisation, in bits per dimension.
- **LR-consistency** (eq. 8): two adjacent trained levels s₁ < s₂ and a weight w ~ U(0, 1) per
  sample; the latents are blended (1 − w)·z₁ + w·z₂ and decoded, and compared by the L1 mean
  after an antialiased bicubic ↓``down`` against the same blend of the two real LR images.
- **Information bottleneck** (eq. 9): the per-level log-likelihoods ll_t = log N(z; μ_t, Σ_t)
  divided by the number of pixels H·W, a log-softmax over the levels, and the true level's
  negative mean.

Total = NLL + λ_cons·L_cons + λ_IB·L_IB (λ_cons = 10, λ_IB = 1 in the paper); a λ of 0 switches
its loss off (the paper's ablation, Table 2).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from degsdk.nn.flow import bits_per_dim, dequantize
from degsdk.seeding import randint, uniform

from .model import InterFlow


def information_bottleneck(table: Tensor, target: Tensor, pixels: int) -> Tensor:
    """Eq. 9 from ``table`` (N×n: log N(z_i; μ_t, Σ_t)) and the true level index of each
    sample (N): −mean_i log_softmax_t(table / pixels)[i, target_i]."""
    logp = torch.log_softmax(table / pixels, dim=1)
    return -logp.gather(1, target.view(-1, 1).to(logp.device)).mean()


def downscale(x: Tensor, factor: int) -> Tensor:
    """Antialiased bicubic ↓``factor`` (differentiable, not clamped)."""
    size = (max(1, x.shape[-2] // factor), max(1, x.shape[-1] // factor))
    return F.interpolate(x, size=size, mode="bicubic", align_corners=False, antialias=True)


def lr_consistency(decoded: Tensor, lr_low: Tensor, lr_high: Tensor, weight: Tensor,
                   down: int = 4) -> Tensor:
    """Eq. 8: L1 mean of ↓(decoded) − ↓((1 − w)·lr_low + w·lr_high), ``weight`` w per sample
    (N)."""
    w = weight.view(-1, 1, 1, 1).to(decoded)
    target = (1 - w) * lr_low + w * lr_high
    return (downscale(decoded, down) - downscale(target, down)).abs().mean()


def training_losses(model: InterFlow, hr: Tensor, lrs: Tensor,
                    generators: Sequence[torch.Generator], lambda_cons: float = 10.0,
                    lambda_ib: float = 1.0, down: int = 4) -> dict[str, Tensor]:
    """The loss terms for a batch: ``hr`` N×3×H×W, ``lrs`` N×n×3×H×W (every trained level of
    each scene, in the order of ``model.cfg.trained_levels``), one generator per scene (its
    dequantisation noise, adjacent pair and weight). Returns ``nll``, ``cons``, ``ib`` (the
    last two 0 when switched off) and ``total``."""
    n_img, n_lv = lrs.shape[:2]
    if n_lv != len(model.priors):
        raise ValueError(f"training_losses: {n_lv} levels per scene, the model has "
                         f"{len(model.priors)}")
    conds = model.conditions(hr)
    flat = lrs.reshape(n_img * n_lv, *lrs.shape[2:])
    per_lr = [g for g in generators for _ in range(n_lv)]
    xq, const = dequantize(flat, model.cfg.bins, per_lr)
    z, logdet = model.encode(xq, [c.repeat_interleave(n_lv, 0) for c in conds])
    target = torch.arange(n_lv, device=z.device).repeat(n_img)
    table = model.priors.log_prob_table(z)
    log_prior = table.gather(1, target.view(-1, 1))[:, 0]
    nll = bits_per_dim(logdet + log_prior + const, flat[0].numel()).mean()
    zero = nll.new_zeros(())
    ib = (information_bottleneck(table, target, flat.shape[-2] * flat.shape[-1])
          if lambda_ib else zero)
    cons = zero
    if lambda_cons:
        lows = [randint(g, 0, n_lv - 2) for g in generators]
        ws = torch.tensor([uniform(g, 0.0, 1.0) for g in generators], device=z.device)
        zv, qv = z.view(n_img, n_lv, *z.shape[1:]), xq.view(n_img, n_lv, *xq.shape[1:])
        rows = torch.arange(n_img, device=z.device)
        lo = torch.tensor(lows, device=z.device)
        w4 = ws.view(-1, 1, 1, 1)
        blended = (1 - w4) * zv[rows, lo] + w4 * zv[rows, lo + 1]
        cons = lr_consistency(model.decode(blended, conds), qv[rows, lo], qv[rows, lo + 1],
                              ws, down)
    return {"nll": nll, "cons": cons, "ib": ib,
            "total": nll + lambda_cons * cons + lambda_ib * ib}
