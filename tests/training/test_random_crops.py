"""The one patch sampler: aligned crops at their scales, the flip rules, the draw order, and
``dihedral`` against the 8 symmetries of the square."""

from __future__ import annotations

import pytest
import torch

from degsdk.training import dihedral, random_crops


def _scenes() -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    lrs = [torch.rand(3, 12 + i, 16, generator=g) for i in range(3)]
    return [(x, x.repeat_interleave(2, -1).repeat_interleave(2, -2)) for x in lrs]


@pytest.mark.parametrize("flips", ["none", "h", "hv", "dihedral"])
def test_crops_stay_aligned_across_scales_and_flips(flips: str) -> None:
    lr, hr = random_crops(_scenes(), 16, 6, torch.Generator().manual_seed(1), scales=(1, 2),
                          flips=flips)  # type: ignore[arg-type]
    assert lr.shape == (16, 3, 6, 6) and hr.shape == (16, 3, 12, 12)
    # the HR is the LR upsampled ×2 by pixel repetition: the crops must still be
    assert torch.equal(hr, lr.repeat_interleave(2, -1).repeat_interleave(2, -2))


def test_the_draw_order_is_scene_top_left_then_flips() -> None:
    scenes = _scenes()
    g = torch.Generator().manual_seed(4)
    (crop,) = random_crops([(lr,) for lr, _ in scenes], 1, 5, g, flips="h")
    r = torch.Generator().manual_seed(4)
    i = int(torch.randint(3, (1,), generator=r))
    x = scenes[i][0]
    t = int(torch.randint(x.shape[-2] - 4, (1,), generator=r))
    s = int(torch.randint(x.shape[-1] - 4, (1,), generator=r))
    expect = x[:, t : t + 5, s : s + 5]
    if bool(torch.rand((), generator=r) < 0.5):
        expect = expect.flip(-1)
    assert torch.equal(crop[0], expect)
    assert torch.equal(g.get_state(), r.get_state())  # nothing else was drawn


def test_dihedral_gives_the_eight_symmetries_of_the_square() -> None:
    x = torch.arange(9.0).view(1, 3, 3)
    images = {tuple(dihedral(x, k).flatten().tolist()) for k in range(8)}
    expected = set()
    for rot in range(4):
        r = torch.rot90(x, rot, dims=(-2, -1))
        expected |= {tuple(r.flatten().tolist()), tuple(r.flip(-1).flatten().tolist())}
    assert images == expected and len(images) == 8
    with pytest.raises(ValueError, match="2 scales for scenes of 1 images"):
        random_crops([(x,)], 1, 2, torch.Generator(), scales=(1, 2))
