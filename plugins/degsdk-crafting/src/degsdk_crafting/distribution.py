"""``binned``: a crafted degradation distribution as a Degrader (paper §3.3–3.4). Each sample
draws a bin with probability ``bin_probs[i]``, then every axis value uniformly inside that
bin, then runs the pipeline template with those values."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import pydantic
import torch
from torch import Tensor

from degsdk import ConfigError, Degrader, DegraderConfig, PretrainedMixin, SampleParams
from degsdk.seeding import choice, uniform

from .space import DegradationSpace, default_space


class BinnedConfig(DegraderConfig):
    space: dict[str, Any] = pydantic.Field(
        default_factory=lambda: default_space().model_dump(),
        description="the DegradationSpace: pipeline template and binned axes")


class BinnedDistribution(Degrader, PretrainedMixin):
    """Params per sample: ``{"bin": i, "values": {axis: value}, "ops": [...]}`` (the last are
    the pipeline's own per-op params, e.g. the noise seed), so ``apply`` replays exactly."""

    name = "binned"
    Config = BinnedConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        cfg: BinnedConfig = self.config  # type: ignore[assignment]
        try:
            self.space = DegradationSpace.model_validate(cfg.space)
        except pydantic.ValidationError as exc:
            raise ConfigError(f"binned: invalid space: {exc}") from None
        n = self.space.num_bins
        self.register_buffer("bin_probs", torch.full((n,), 1.0 / n, dtype=torch.float64))
        self._scale = self.space.scale()

    @property
    def scale(self) -> float:
        return self._scale

    @property
    def bin_weights(self) -> Tensor:
        """Deprecated spelling of the ``bin_probs`` buffer."""
        warnings.warn("binned: bin_weights is now bin_probs", DeprecationWarning, stacklevel=2)
        return self.bin_probs

    @property
    def bin_ranges(self) -> list[dict[str, tuple[float, float]]]:
        """For every bin, axis name → (low, high)."""
        return self.space.bin_ranges()

    def set_bin_probs(self, probs: Sequence[float] | Tensor) -> None:
        """Replace the bin sampling probabilities ``bin_probs`` (N_bins values, non-negative,
        not all zero; normalised to sum 1), e.g. eq. 4's crafted bin weights."""
        w = torch.as_tensor(probs, dtype=torch.float64).flatten()
        if w.numel() != self.space.num_bins:
            raise ConfigError(f"binned: {w.numel()} probabilities for {self.space.num_bins} "
                              "bins")
        if bool((w < 0).any()) or not bool(torch.isfinite(w).all()) or float(w.sum()) <= 0:
            raise ConfigError("binned: probabilities must be finite, non-negative and not all "
                              "zero")
        self.bin_probs.copy_(w / w.sum())

    def set_weights(self, weights: Sequence[float] | Tensor) -> None:
        """Deprecated spelling of :meth:`set_bin_probs`."""
        warnings.warn("binned: set_weights is now set_bin_probs", DeprecationWarning,
                      stacklevel=2)
        self.set_bin_probs(weights)

    def _draw(self, g: torch.Generator) -> tuple[int, dict[str, float]]:
        b = choice(g, self.bin_probs.tolist())
        return b, {name: uniform(g, lo, hi) for name, (lo, hi) in self.bin_ranges[b].items()}

    def sample_and_apply(self, hr: Tensor, generators: Sequence[torch.Generator],
                         ) -> tuple[Tensor, list[SampleParams]]:
        """Build each sample's pipeline once and run it once (its own ``sample`` already runs
        the chain, so sampling then applying would degrade every image twice)."""
        outs, params = [], []
        for i, g in enumerate(generators):
            b, values = self._draw(g)
            lr, ops = self.space.degrader(values).sample_and_apply(hr[i : i + 1], [g])
            outs.append(lr)
            params.append({"bin": b, "values": values, "ops": ops[0]})
        return torch.cat(outs), params

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        outs = [self.space.degrader(p["values"]).apply(hr[i : i + 1], [p["ops"]])
                for i, p in enumerate(params)]
        return torch.cat(outs)
