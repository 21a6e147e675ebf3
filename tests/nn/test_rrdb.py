"""The RRDB condition encoder: multi-scale outputs, SRFlow's taps, errors."""

from __future__ import annotations

import pytest
import torch

from degsdk.nn.rrdb import RRDBEncoder, default_taps


def test_default_taps_match_srflow_for_23_blocks() -> None:
    assert default_taps(23) == (1, 8, 15, 22)
    assert default_taps(2) == (1,)
    assert default_taps(1) == (0,)


def test_outputs_at_every_requested_size() -> None:
    enc = RRDBEncoder(nf=8, blocks=3, gc=4, upsample=2)
    assert enc.out_channels == 8 * (1 + len(enc.taps))
    h = torch.rand(2, 3, 10, 12, generator=torch.Generator().manual_seed(0))
    outs = enc(h, [(40, 48), (20, 24), (10, 12), (5, 6)])
    assert [tuple(o.shape) for o in outs] == [(2, enc.out_channels, s, t) for s, t in
                                              [(40, 48), (20, 24), (10, 12), (5, 6)]]
    # per-sample: the encoder has no batch coupling
    torch.testing.assert_close(enc(h[1:], [(20, 24)])[0], outs[1][1:], atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="cannot reach"):
        enc(h, [(80, 96)])
    with pytest.raises(ValueError, match="taps"):
        RRDBEncoder(nf=8, blocks=2, gc=4, taps=(5,))


def test_seeded_and_global_rng_untouched() -> None:
    state = torch.get_rng_state()
    a = RRDBEncoder(nf=8, blocks=2, gc=4, generator=torch.Generator().manual_seed(1))
    b = RRDBEncoder(nf=8, blocks=2, gc=4, generator=torch.Generator().manual_seed(1))
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(),
                                                 b.state_dict().values(), strict=True))
    assert all(bool(torch.isfinite(p).all()) for p in a.parameters())
