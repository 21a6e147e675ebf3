"""``degsdk fit`` for RealDGen: the user's real LR become the references (stored with the
model, so the fitted model folder carries them), and, when the budget allows, the DDPM stage is
fine-tuned on them (the extractors' partial fine-tuning included, paper A.5) for as many steps
as fill the method's share (runs of 2 and 6 steps time a step,
:func:`degsdk.training.steps_within`).

Starts from the shipped ``realdgen/x4`` weights; pairs at another scale k (×2, ×1 aligned) are
made with ``output_scale: k`` (E_cont reads the HR resized to 4 × the LR grid). For the many
pairs ``degsdk fit`` scores, generation uses DDIM with ``FIT_DDIM_STEPS`` steps and
``FIT_CANDIDATES`` candidates (the paper's DDPM with T steps is about 10× slower on a CPU; its
realism cost is in docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import degsdk
from degsdk import Fitter
from degsdk.fit import FitContext, FitData, FitResult, plan_training
from degsdk.hub import read_config, resolve
from degsdk.io import image_size, list_images, pair_dirs

from .extractors import load_model
from .model import centre_crop
from .train import train_realdgen

MIN_FINETUNE_S = 120.0  # below this the DDPM is not fine-tuned, only the references change
FINETUNE_LR = 2e-5
FIT_DDIM_STEPS = 10
FIT_CANDIDATES = 1
MAX_REFERENCES = 64


BASE_WEIGHTS = "realdgen/x4"


def base_weights() -> str | None:
    """The shipped weights fitting starts from, or None when they are not installed."""
    return BASE_WEIGHTS if BASE_WEIGHTS in degsdk.list_weights() else None


def real_lr_folder(data: FitData) -> Path:
    """The camera's real LR: ``--real-lr``, else the LR side of ``--pairs``."""
    if data.real_lr is not None:
        return data.real_lr
    assert data.pairs is not None
    return pair_dirs(data.pairs)[1]


def check(data: FitData) -> str | None:
    """A reason RealDGen cannot be fitted to ``data``, or None."""
    if base_weights() is None:
        return f"the shipped RealDGen weights ({BASE_WEIGHTS}) are not installed"
    smallest = min(min(image_size(p)) for p in list_images([real_lr_folder(data)]))
    if smallest < 16:
        return f"the real LR images are too small ({smallest} px; at least 16 needed)"
    return None


def _params(weights: str, scale: int, model_scale: int) -> dict[str, object]:
    params: dict[str, object] = {"weights": weights, "sampler": "ddim",
                                 "ddim_steps": FIT_DDIM_STEPS, "candidates": FIT_CANDIDATES}
    if scale != model_scale:
        params["output_scale"] = scale
    return params


def cost_probe(data: FitData) -> dict[str, Any] | None:
    """A degrader that costs per image what the fitted one will: the shipped weights with
    the fit's sampler and output scale (set even when it is the model's own, which changes
    nothing, so the weights need not be loaded to know it)."""
    base = base_weights()
    if base is None:
        return None
    return {"name": "realdgen", "params": {**_params(base, data.scale, data.scale),
                                           "output_scale": data.scale}}


def fit_realdgen(ctx: FitContext) -> FitResult:
    """Store the real LR as references and fine-tune the DDPM within ``ctx.seconds``."""
    d = ctx.data
    base = base_weights()
    assert base is not None
    real = real_lr_folder(d)
    out = ctx.out / "model"
    files = list_images([real])
    side = min(48, *(min(image_size(p)) for p in files)) // 8 * 8
    under = ""
    if ctx.seconds >= MIN_FINETUNE_S:
        # the clean HR feed the synthetic camera pairs that keep the DDPM reading the
        # reference (issue 30), when every one is large enough for a patch
        hr_side = side * int(read_config(resolve(base).folder).architecture["scale"])
        hr = [d.clean_hr] if all(min(image_size(p)) >= hr_side
                                 for p in list_images([d.clean_hr])) else []
        common: dict[str, Any] = dict(stage="ddpm", init=base, real_lr=[real], hr=hr,
                                      lr=FINETUNE_LR, patch=side, references=MAX_REFERENCES,
                                      seed=ctx.seed)
        plan = plan_training(ctx, train_realdgen, common)
        model = train_realdgen(**common, out=out, steps=int(plan["steps"]),
                               max_seconds=max(1.0, ctx.seconds_left()), checkpoint_every=100,
                               resume=ctx.resume and (out / "checkpoint").is_dir(),
                               progress=ctx.progress, data="degsdk fit: the camera's real LR")
        how = (f"DDPM fine-tuned on the real LR for {plan['steps']} steps"
               + (" (with synthetic camera pairs of the clean HR)" if hr else ""))
    else:
        model = load_model(base)
        stored = {p.name: centre_crop(degsdk.read_image(p), side) for p in
                  files[:MAX_REFERENCES]}
        model = model.rebuilt(stored=stored, reference_size=side)
        model.save_pretrained(out, provenance={"fitted_from": base, "references": str(real)})
        how = "shipped DDPM, references only (budget under 2 min)"
        under = (f"a share under {MIN_FINETUNE_S:.0f} s is too short to fine-tune the DDPM: "
                 "only the references were replaced")
    n = len(model.cfg.reference_names)
    params = _params(str(out.resolve()), d.scale, model.cfg.scale)
    return FitResult({"name": "realdgen", "params": params},
                     {"references": n, "base": base, "fine_tuned": ctx.seconds >= MIN_FINETUNE_S},
                     notes=f"{n} real LR as references; {how}", under_budget=under)


def realdgen_fitter() -> Fitter:
    """The ``realdgen`` fitter of ``degsdk fit``."""
    return Fitter("RealDGen: the camera's real LR as diffusion references (and the DDPM "
                  "fine-tuned on them).", fit_realdgen, needs_one_of=("real_lr", "pairs"),
                  check=check, budget_weight=1.0, cost_probe=cost_probe,
                  fits="references (the real LR, stored with the model); DDPM fine-tuned on "
                  "them within the budget")
