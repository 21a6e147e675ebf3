"""The content extractor E_cont and the HR reconstruction network Rec_hr (paper §2.1, A.1–A.2).

E_cont is a VQ-VAE-style encoder (diffusers' ``Encoder``: residual down blocks, a mid block,
no quantisation: the content map is the pre-quantisation latent) that reads an image **at HR
size** and returns a ``channels``×H/s×W/s content map on the LR grid of that image (s the
model's scale, a power of two: log2 s stride-2 stages). Rec_hr is the matching VQ-VAE decoder,
content map → HR image.

**Convention for LR inputs**: an LR image reaches E_cont upsampled ×s to HR size by bicubic
interpolation (clamped to [0, 1]), :func:`to_hr_grid`. Pre-training (Eq. 1), DDPM training
(content of real LR), generation (content of the HR), filtering (content of a candidate) and the
``realdgen_content`` extractor all follow it.
"""

from __future__ import annotations

import math

import torch
from diffusers.models.autoencoders.vae import Decoder, Encoder
from torch import Tensor, nn

from degsdk.ops import resize


def widths(width: int, scale: int) -> tuple[int, ...]:
    """Channels per resolution: ``width``·(1, 2, 4, 4, …), log2(scale) + 1 entries."""
    return tuple(width * min(2 ** i, 4) for i in range(int(math.log2(scale)) + 1))


def to_hr_grid(lr: Tensor, scale: int) -> Tensor:
    """LR N×3×h×w in [0, 1] → N×3×(h·s)×(w·s): how an LR image reaches E_cont."""
    if scale == 1:
        return lr
    size = (lr.shape[-2] * scale, lr.shape[-1] * scale)
    return resize(lr, size, "bicubic").clamp(0, 1)


class ContentExtractor(nn.Module):
    """E_cont: N×3×H×W in [0, 1] (HR size) → N×channels×H/s×W/s."""

    def __init__(self, scale: int, width: int, layers: int, channels: int, groups: int) -> None:
        super().__init__()
        w = widths(width, scale)
        self.encoder = Encoder(in_channels=3, out_channels=channels,
                               down_block_types=("DownEncoderBlock2D",) * len(w),
                               block_out_channels=w, layers_per_block=layers,
                               norm_num_groups=groups, double_z=False,
                               mid_block_add_attention=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.encoder(x * 2 - 1)

    def first_block(self) -> list[nn.Parameter]:
        """The parameters fine-tuned in the DDPM stage (A.5): the input conv and the first
        down block."""
        return [*self.encoder.conv_in.parameters(), *self.encoder.down_blocks[0].parameters()]


class HRReconstructor(nn.Module):
    """Rec_hr: content map N×channels×h×w → HR N×3×(h·s)×(w·s) (not clamped)."""

    def __init__(self, scale: int, width: int, layers: int, channels: int, groups: int) -> None:
        super().__init__()
        w = widths(width, scale)
        self.decoder = Decoder(in_channels=channels, out_channels=3,
                               up_block_types=("UpDecoderBlock2D",) * len(w),
                               block_out_channels=w, layers_per_block=layers,
                               norm_num_groups=groups, mid_block_add_attention=False)

    def forward(self, content: Tensor) -> Tensor:
        return (self.decoder(content) + 1) / 2


def content_loss(e_cont: ContentExtractor, rec_hr: HRReconstructor, degraded: Tensor,
                 hr: Tensor, scale: int) -> Tensor:
    """Eq. 1–2: ‖Rec_hr(E_cont(↑ D(X))) − X‖² (mean)."""
    return torch.mean((rec_hr(e_cont(to_hr_grid(degraded, scale))) - hr) ** 2)
