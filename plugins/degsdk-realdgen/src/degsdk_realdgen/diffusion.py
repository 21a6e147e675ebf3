"""The Decoupled DDPM's denoiser and sampling (paper §2.2–2.3, A.3), on diffusers.

The denoiser is a diffusers ``UNet2DModel`` that predicts the noise ε of x_t (the LR image in
[−1, 1], noised to step t) from x_t concatenated with the condition c (the modulation block's
output on the LR grid). The noise schedule is diffusers' ``DDPMScheduler`` (linear β, 500
steps by default, as A.3); the fast sampler is ``DDIMScheduler`` (η = 0) on the same betas.

Generation starts from a degraded image y0 = D(HR) noised to a start step (the forward process,
:func:`noised_start`) and denoises from there (:func:`denoise`). Every noise draw comes from the
sample's own ``torch.Generator``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
from diffusers import DDIMScheduler, DDPMScheduler, UNet2DModel
from torch import Tensor

Sampler = Literal["ddpm", "ddim"]


def build_unet(cond_channels: int, widths: Sequence[int], layers: int, groups: int
               ) -> UNet2DModel:
    """A convolutional UNet (no attention), input 3 + ``cond_channels`` channels, output ε."""
    n = len(widths)
    return UNet2DModel(in_channels=3 + cond_channels, out_channels=3,
                       down_block_types=("DownBlock2D",) * n, up_block_types=("UpBlock2D",) * n,
                       block_out_channels=tuple(widths), layers_per_block=layers,
                       norm_num_groups=groups, add_attention=False)


def make_scheduler(sampler: Sampler, steps: int, beta_start: float, beta_end: float
                   ) -> DDPMScheduler | DDIMScheduler:
    """A fresh scheduler over ``steps`` training steps (linear β from ``beta_start`` to
    ``beta_end``; x0 predictions clipped to [−1, 1])."""
    kw = {"num_train_timesteps": steps, "beta_start": beta_start, "beta_end": beta_end,
          "beta_schedule": "linear", "clip_sample": True, "prediction_type": "epsilon"}
    if sampler == "ddpm":
        return DDPMScheduler(**kw)
    return DDIMScheduler(**kw, set_alpha_to_one=False)


def start_timesteps(scheduler: DDPMScheduler | DDIMScheduler, t_steps: int,
                    ddim_steps: int) -> list[int]:
    """Set ``scheduler``'s timesteps for a start T steps into the forward process and return
    them, descending: T − 1, …, 0 for DDPM; for DDIM about ``ddim_steps`` evenly spaced ones,
    the first ≤ T − 1."""
    n_train = scheduler.config.num_train_timesteps
    if isinstance(scheduler, DDPMScheduler):
        scheduler.set_timesteps(timesteps=list(range(t_steps - 1, -1, -1)))
    else:
        stride = max(1, round(t_steps / ddim_steps))
        scheduler.set_timesteps(max(1, n_train // stride))
    return [int(t) for t in scheduler.timesteps if int(t) <= t_steps - 1]


def draw_noise(shape: Sequence[int], generators: Sequence[torch.Generator],
               device: torch.device) -> Tensor:
    """N×… standard normal noise, sample i drawn from ``generators[i]`` (on the CPU)."""
    return torch.cat([torch.randn((1, *shape[1:]), generator=g) for g in generators]).to(device)


def noised_start(scheduler: DDPMScheduler | DDIMScheduler, y0: Tensor, t: int,
                 generators: Sequence[torch.Generator]) -> Tensor:
    """x_t = √ᾱ_t·y0 + √(1 − ᾱ_t)·ε: the scheduler's forward process at step ``t``, with ε of
    sample i from ``generators[i]``."""
    noise = draw_noise(y0.shape, generators, y0.device)
    steps = torch.full((y0.shape[0],), t, dtype=torch.long, device=y0.device)
    return scheduler.add_noise(y0, noise, steps)


def guided_eps(unet: UNet2DModel, x: Tensor, t: int, cond: Tensor, null: Tensor | None,
               guidance: float) -> Tensor:
    """The UNet's ε of x at step t under ``cond``; with ``null``, guided:
    ε(null) + guidance·(ε(cond) − ε(null)), both passes in one batch."""
    n = x.shape[0]
    if null is None:
        tt = torch.full((n,), t, dtype=torch.long, device=x.device)
        return unet(torch.cat([x, cond], dim=1), tt).sample
    tt = torch.full((2 * n,), t, dtype=torch.long, device=x.device)
    both = unet(torch.cat([x.repeat(2, 1, 1, 1), torch.cat([cond, null])], dim=1), tt).sample
    eps_c, eps_0 = both[:n], both[n:]
    return eps_0 + guidance * (eps_c - eps_0)


def denoise(unet: UNet2DModel, scheduler: DDPMScheduler | DDIMScheduler, x: Tensor,
            cond: Tensor, timesteps: Sequence[int],
            generators: Sequence[torch.Generator], null: Tensor | None = None,
            guidance: float = 1.0) -> Tensor:
    """Run the reverse process from x (at ``timesteps[0]``) down to step 0 under ``cond``
    (guided against ``null`` when given, :func:`guided_eps`); DDPM's per-step noise of
    sample i comes from ``generators[i]``."""
    gens = list(generators)
    for t in timesteps:
        eps = guided_eps(unet, x, t, cond, null, guidance)
        if isinstance(scheduler, DDPMScheduler):
            x = scheduler.step(eps, t, x, generator=gens).prev_sample
        else:
            x = scheduler.step(eps, t, x, eta=0.0).prev_sample
    return x
