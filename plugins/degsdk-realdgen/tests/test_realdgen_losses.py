"""The extractor pre-training losses: the triplet loss (Eq. 4) in closed form, the degradation
grid's positives and negatives (Eq. 3), exact replay of a draw on other HR patches."""

from __future__ import annotations

import torch
from degsdk_realdgen.losses import degradation_grid, grid_triplets, triplet_loss

import degsdk
from degsdk.testing import synthetic_photos


def test_triplet_loss_is_zero_when_the_margin_holds_and_positive_otherwise() -> None:
    a = torch.zeros(1, 2)
    pos = torch.tensor([[[0.1, 0.0], [0.0, 0.2]]])  # d = 0.1, 0.2
    far = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])  # d = 1, 1
    assert triplet_loss(a, pos, far, 0.01).item() == 0.0
    near = torch.tensor([[[0.105, 0.0], [0.0, 0.15]]])  # d = 0.105, 0.15
    # max(0, 0.1 − 0.105 + 0.01) + max(0, 0.2 − 0.15 + 0.01) = 0.005 + 0.06
    assert abs(triplet_loss(a, pos, near, 0.01).item() - 0.065) < 1e-6
    # the margin alone makes equal distances cost n·margin
    assert abs(triplet_loss(a, pos, pos, 0.01).item() - 0.02) < 1e-6


def test_grid_triplets_pair_same_draws_and_same_images() -> None:
    g, m = 2, 4
    v = torch.zeros(g, m, m, 3)
    for gi in range(g):
        for i in range(m):
            for j in range(m):
                v[gi, i, j] = torch.tensor([gi, i, j])
    anchors, pos, neg = grid_triplets(v)
    assert anchors.shape == (g * m * m, 3) and pos.shape == neg.shape == (g * m * m, m - 1, 3)
    for r in range(len(anchors)):
        gi, i, j = anchors[r].tolist()
        assert (pos[r, :, 0] == gi).all() and (pos[r, :, 2] == j).all()
        assert sorted(pos[r, :, 1].tolist()) == [k for k in range(m) if k != i]
        assert (neg[r, :, 0] == gi).all() and (neg[r, :, 1] == i).all()
        assert sorted(neg[r, :, 2].tolist()) == [k for k in range(m) if k != j]


def test_degradation_grid_replays_each_draw_exactly() -> None:
    """LR[g, i, j] = D(hr[g, i], θ_j): the same draw on a copy of the same patch gives the same
    LR (noise seeds included), another draw on the same patch another LR."""
    deg = degsdk.create("realesrgan", scale=4)
    x = synthetic_photos(2, 160, seed=0)
    hr = torch.stack([x[0], x[1], x[0]])[None]  # patches 0 and 2 are the same image
    lr = degradation_grid(deg, hr, torch.Generator().manual_seed(0))
    assert lr.shape == (1, 3, 3, 3, 40, 40)
    for j in range(3):
        assert torch.equal(lr[0, 0, j], lr[0, 2, j])
        assert not torch.equal(lr[0, 0, j], lr[0, 1, j])
    assert not torch.equal(lr[0, 0, 0], lr[0, 0, 1])
