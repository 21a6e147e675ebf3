"""The multi-level conditional flow: L levels of squeeze → unconditional steps → K conditional
steps → split."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from .flow_step import FlowStep
from .layer import default_generator
from .split import Split
from .squeeze import squeeze2d, unsqueeze2d


class ConditionalFlow(nn.Module):
    """SRFlow/DeFlow-style flow over N×C×H×W images (H, W multiples of 2^L).

    Level l (0-based, resolution H/2^(l+1)): squeeze ×2, ``unconditional_steps`` steps of
    ActNorm + 1×1 conv, ``steps`` conditional :class:`FlowStep` s fed ``conds[l]``
    (N×``cond_channels``×H/2^(l+1)×W/2^(l+1)), then a :class:`Split` if l is in
    ``split_levels``. The default ``split_levels`` reproduces the official code (a split after
    levels 0 … L−3: with L = 3 only the first level splits; with L = 2 none).

    ``encode`` returns the latents ``[ε of each split level …, z_final]`` and log|det|;
    ``decode`` inverts it. For a 3×160² input with L = 3: ε₀ 6×80², z 96×20²."""

    def __init__(self, in_channels: int = 3, levels: int = 3, steps: int = 16,
                 cond_channels: int = 64, hidden: int = 64, eps: float = 1e-3,
                 unconditional_steps: int = 2, lu: bool = True, mult_reverse: bool = True,
                 split_levels: Sequence[int] | None = None,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        g = default_generator(generator)
        self.levels = levels
        self.split_levels = tuple(range(max(0, levels - 2)) if split_levels is None
                                  else split_levels)
        if any(not 0 <= s < levels - 1 for s in self.split_levels):
            raise ValueError(f"split_levels {self.split_levels}: each must be in 0…{levels - 2}")
        self.steps = nn.ModuleList()
        self.splits = nn.ModuleDict()
        c = in_channels
        for level in range(levels):
            c *= 4
            block = [FlowStep(c, 0, lu=lu, generator=g) for _ in range(unconditional_steps)]
            block += [FlowStep(c, cond_channels, hidden, eps, lu, mult_reverse, g)
                      for _ in range(steps)]
            self.steps.append(nn.ModuleList(block))
            if level in self.split_levels:
                self.splits[str(level)] = Split(c)
                c -= c // 2
        self.in_channels = in_channels

    def latent_shapes(self, height: int, width: int) -> list[tuple[int, int, int]]:
        """(C, H, W) of each latent for an input of ``height``×``width``."""
        c, shapes = self.in_channels, []
        for level in range(self.levels):
            c, height, width = c * 4, height // 2, width // 2
            if level in self.split_levels:
                shapes.append((c // 2, height, width))
                c -= c // 2
        return [*shapes, (c, height, width)]

    def level_sizes(self, height: int, width: int) -> list[tuple[int, int]]:
        """The spatial size at each level (where ``conds[l]`` must match)."""
        return [(height >> (level + 1), width >> (level + 1)) for level in range(self.levels)]

    def _check(self, x: Tensor, conds: Sequence[Tensor]) -> None:
        m = 2 ** self.levels
        if x.shape[-2] % m or x.shape[-1] % m:
            raise ValueError(f"ConditionalFlow: {tuple(x.shape[-2:])} is not a multiple of {m}")
        if len(conds) != self.levels:
            raise ValueError(f"ConditionalFlow: {len(conds)} condition maps for {self.levels} "
                             "levels")

    def encode(self, x: Tensor, conds: Sequence[Tensor]) -> tuple[list[Tensor], Tensor]:
        """Image N×C×H×W → (latents, log|det ∂latents/∂x| per sample)."""
        self._check(x, conds)
        logdet = x.new_zeros(x.shape[0])
        latents: list[Tensor] = []
        for level, block in enumerate(self.steps):
            x = squeeze2d(x)
            for step in block:
                x, logdet = step(x, logdet, conds[level])
            if str(level) in self.splits:
                x, eps, d = self.splits[str(level)].encode(x)
                latents.append(eps)
                logdet = logdet + d
        return [*latents, x], logdet

    def decode(self, latents: Sequence[Tensor], conds: Sequence[Tensor]) -> tuple[Tensor,
                                                                                  Tensor]:
        """Latents → (image, −log|det ∂latents/∂x| per sample): the inverse of ``encode``."""
        if len(conds) != self.levels:
            raise ValueError(f"ConditionalFlow: {len(conds)} condition maps for {self.levels} "
                             "levels")
        if len(latents) != len(self.split_levels) + 1:
            raise ValueError(f"ConditionalFlow: {len(latents)} latents, expected "
                             f"{len(self.split_levels) + 1}")
        x = latents[-1]
        logdet = x.new_zeros(x.shape[0])
        eps_iter = iter(reversed(latents[:-1]))
        for level in reversed(range(self.levels)):
            if str(level) in self.splits:
                x, d = self.splits[str(level)].decode(x, next(eps_iter))
                logdet = logdet + d
            for step in reversed(self.steps[level]):
                x, logdet = step(x, logdet, conds[level], reverse=True)
            x = unsqueeze2d(x)
        return x, logdet
