"""Conditional normalizing-flow layers (Glow / SRFlow / DeFlow style).

Every layer maps ``(x, logdet, cond) → (y, logdet)``. ``reverse=False`` is the *encode*
direction (image → latent) and adds log|det ∂y/∂x| per sample to ``logdet`` (shape N);
``reverse=True`` runs the exact inverse and subtracts the same quantity, so an encode followed by
a decode returns the input and the starting ``logdet``. Tensors are NCHW; ``cond`` is a feature
map at the layer's resolution (or ``None`` for unconditional layers).

Randomness at construction (the 1×1 convolutions' orthogonal init, conv weights) comes from an
explicit ``torch.Generator``; the global RNG is never used.
"""

from .actnorm import ActNorm
from .coupling import AffineInjector, ConditionalAffineCoupling, CouplingNet, ZeroConv2d
from .dequantize import dequantize
from .flow_step import FlowStep
from .invconv import InvertibleConv1x1
from .layer import FlowLayer
from .likelihood import bits_per_dim, full_cov_gaussian_log_prob, standard_normal_log_prob
from .multiscale import ConditionalFlow
from .split import Split
from .squeeze import Squeeze, squeeze2d, unsqueeze2d

__all__ = [
    "ActNorm", "AffineInjector", "ConditionalAffineCoupling", "ConditionalFlow",
    "CouplingNet", "FlowLayer", "FlowStep", "InvertibleConv1x1", "Split", "Squeeze",
    "ZeroConv2d", "bits_per_dim", "dequantize", "full_cov_gaussian_log_prob",
    "squeeze2d", "standard_normal_log_prob", "unsqueeze2d",
]
