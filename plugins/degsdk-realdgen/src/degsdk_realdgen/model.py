"""``realdgen``: RealDGen (Peng et al., ICLR 2025) as a degsdk Degrader.

The model holds the content extractor E_cont and its HR decoder Rec_hr
(:mod:`~degsdk_realdgen.content`), the degradation extractor E_deg
(:mod:`~degsdk_realdgen.degradation`), the LR reconstruction network Rec_lr and the modulation
block M (:mod:`~degsdk_realdgen.modulation`), and the Decoupled DDPM's UNet
(:mod:`~degsdk_realdgen.diffusion`). Sizes: ``scale`` (4: HR → LR at a quarter of the size; 1:
aligned output) is fixed by the model; ``output_scale`` (degsdk's extension) makes another
scale with the same model, E_cont reading the HR resized to the model's scale × the output
grid (the DDPM works on the LR grid at any size).

Generation (paper §2.3, Algorithm 2): y0 = D(HR) (the ``start`` degrader, core ``realesrgan``
at the output scale by default), noised to step T − 1, denoised T steps (DDPM) or about
``ddim_steps`` (DDIM) under c = M(E_deg(reference LR), E_cont(HR)). With ``candidates`` K > 1,
K candidates are generated per image (each from its own seed), re-extracted, and the one with
the smallest ‖E_deg(cand) − E_deg(ref)‖² + ‖E_cont(↑cand) − E_cont(HR)‖² (means) is kept.

References: ``references`` (a folder of real LR images, read once, centre crops of at most
``reference_crop`` px a side) or, without it, the set stored with the model. Per-sample params:
``{"reference": name, "start_seed", "seeds": [K], "scores": [K], "chosen"}``; ``apply``
replays the chosen candidate only, so a sample replays exactly.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import pydantic
import torch
from diffusers import UNet2DModel
from torch import Tensor

import degsdk
from degsdk import (
    ConfigError,
    Degrader,
    DegraderConfig,
    ImageReadError,
    InputError,
    PretrainedMixin,
    SampleParams,
    read_image,
)
from degsdk.io import list_images
from degsdk.ops import mirror_pad, resize
from degsdk.seeding import draw_seed, generator_from_seed, randint

from .content import ContentExtractor, HRReconstructor, to_hr_grid
from .degradation import DegradationExtractor
from .diffusion import build_unet, denoise, make_scheduler, noised_start, start_timesteps
from .modulation import ModulationBlock
from .seeded_init import seeded_init

PRESETS: dict[str, dict[str, Any]] = {
    # trains on 2 CPU cores within the plugin's hour-and-a-half budget
    "tiny": {"cont_width": 16, "cont_layers": 1, "cont_channels": 8, "groups": 8,
             "deg_width": 32, "deg_blocks": 4, "deg_dim": 64, "mod_channels": 32,
             "cond_channels": 16, "unet_widths": [32, 64], "unet_layers": 1},
    # the paper's extractor sizes (E_deg: 16 residual blocks, a 2048-vector; a VQ-VAE f4
    # encoder); the UNet is not specified in the paper: an SR3-sized one
    "paper": {"cont_width": 128, "cont_layers": 2, "cont_channels": 3, "groups": 32,
              "deg_width": 64, "deg_blocks": 16, "deg_dim": 2048, "mod_channels": 64,
              "cond_channels": 64, "unet_widths": [128, 256, 256, 512], "unet_layers": 2},
}


class RealDGenConfig(DegraderConfig):
    scale: int = pydantic.Field(default=4, description="HR side / LR side: 1, 2, 4 or 8")
    cont_width: int = pydantic.Field(default=16, ge=4, le=512, description="E_cont width")
    cont_layers: int = pydantic.Field(default=1, ge=1, le=4, description="E_cont resnets per "
                                      "block")
    cont_channels: int = pydantic.Field(default=8, ge=1, le=256, description="content map "
                                        "channels")
    groups: int = pydantic.Field(default=8, ge=1, le=64, description="group-norm groups")
    deg_width: int = pydantic.Field(default=32, ge=4, le=512, description="E_deg width")
    deg_blocks: int = pydantic.Field(default=4, ge=1, le=64, description="E_deg residual "
                                     "blocks (paper: 16)")
    deg_dim: int = pydantic.Field(default=64, ge=2, le=4096, description="degradation vector "
                                  "size (paper: 2048)")
    mod_channels: int = pydantic.Field(default=32, ge=4, le=512, description="modulation "
                                       "width")
    cond_channels: int = pydantic.Field(default=16, ge=1, le=512, description="condition c "
                                        "channels")
    unet_widths: list[int] = pydantic.Field(default_factory=lambda: [32, 64], min_length=1,
                                            max_length=6, description="UNet block widths")
    unet_layers: int = pydantic.Field(default=1, ge=1, le=4, description="UNet resnets per "
                                      "block")
    timesteps: int = pydantic.Field(default=500, ge=2, le=4000, description="diffusion steps "
                                    "(paper: 500)")
    beta_start: float = pydantic.Field(default=1e-4, gt=0, lt=1)
    beta_end: float = pydantic.Field(default=0.02, gt=0, lt=1)
    reconstruction_heads: bool = pydantic.Field(
        default=True, description="hold Rec_hr and Rec_lr, needed only to pre-train the "
        "extractors (and to start M in the DDPM stage); a finished model can leave them out")
    use_degradation: bool = pydantic.Field(default=True, description="false: the ablation "
                                           "of Table 4, the DDPM conditioned on content only "
                                           "(E_deg's vector replaced by zeros)")
    deg_standardised: bool = pydantic.Field(
        default=False, description="E_deg's vector is standardised per dimension (the "
        "training set's mean and std, stored with the weights) before M (degsdk's departure "
        "from the paper: a camera difference is then of order one)")
    condition_dropout: float = pydantic.Field(
        default=0.0, ge=0, lt=1, description="share of DDPM training samples whose "
        "degradation vector was replaced by the null one (the standardised mean); above 0 the "
        "model can be sampled with guidance > 1")
    trained_stages: list[Literal["extractors", "ddpm"]] = pydantic.Field(
        default_factory=list, description="the training stages these weights went through")
    reference_names: list[str] = pydantic.Field(
        default_factory=list, description="names of the reference LR crops stored with the "
        "model")
    reference_size: int = pydantic.Field(default=64, ge=8, le=1024, description="side of the "
                                         "stored reference crops (LR px)")
    # -- runtime options --
    references: str | None = pydantic.Field(default=None, description="a folder of real LR "
                                            "images to copy the degradation of (default: the "
                                            "set stored with the model)")
    reference: str | None = pydantic.Field(default=None, description="always use this "
                                           "reference (a file name or stored name); default: "
                                           "drawn per sample")
    reference_crop: int = pydantic.Field(default=256, ge=8, le=4096, description="centre crop "
                                         "of folder references (px a side)")
    T: int = pydantic.Field(default=300, ge=1, description="start step: D(HR) is noised to "
                            "step T − 1 and denoised from there (paper: 300); with ddpm, T UNet "
                            "passes per candidate")
    candidates: int = pydantic.Field(default=4, ge=1, le=64, description="K candidates per "
                                     "image; the one closest to reference and HR is kept; costs "
                                     "about K times one (the default, K = 4 with ddpm: 45 s "
                                     "per 256² image on 2 CPU threads with realdgen/x4)")
    sampler: Literal["ddpm", "ddim"] = pydantic.Field(default="ddpm", description="ddpm: T "
                                                      "steps; ddim: about ddim_steps, 12× faster "
                                                      "(3.8 s per 256² image at K = 4)")
    ddim_steps: int = pydantic.Field(default=25, ge=1, le=1000,
                                     description="DDIM steps (sampler ddim)")
    guidance: float = pydantic.Field(
        default=1.0, ge=0, le=20, description="guidance on the reference: ε = ε(null) + "
        "guidance·(ε(reference) − ε(null)); 1 is the paper's sampling, above 1 follows the "
        "reference more closely at twice the UNet passes (needs a model trained with "
        "condition_dropout > 0)")
    output_scale: int | None = pydantic.Field(
        default=None, ge=1, le=8, description="HR side / output side when it differs from "
        "the model's scale (degsdk's extension: E_cont reads the HR resized to the model's "
        "scale × the output grid; the start degrader is made at this scale)")
    start: dict[str, Any] | None = pydantic.Field(
        default=None, description="the degrader D whose output is noised (a config "
        "{name, params}); default realesrgan at the model's scale")

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> RealDGenConfig:
        if self.scale not in (1, 2, 4, 8):
            raise ValueError(f"scale must be 1, 2, 4 or 8, got {self.scale}")
        if self.timesteps < self.T:
            raise ValueError(f"T {self.T} exceeds the model's {self.timesteps} diffusion steps")
        for w in [self.cont_width, self.mod_channels, *self.unet_widths]:
            if w % self.groups:
                raise ValueError(f"width {w} is not a multiple of groups {self.groups}")
        if self.guidance != 1 and self.condition_dropout == 0:
            raise ValueError(f"guidance {self.guidance:g} needs a model trained with "
                             "condition dropout (condition_dropout > 0); this one was not: "
                             "use guidance 1")
        if len(set(self.reference_names)) != len(self.reference_names):
            raise ValueError("reference_names has duplicates")
        return self


class RealDGen(Degrader, PretrainedMixin):
    """The RealDGen model and degrader; see the module doc."""

    name = "realdgen"
    Config = RealDGenConfig
    runtime_params = ("references", "reference", "reference_crop", "T", "candidates",
                      "sampler", "ddim_steps", "guidance", "output_scale", "start")
    batch_tolerance = 1e-4  # the UNet's batched kernels round per batch size; 1e-6 grows in T steps

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.cfg: RealDGenConfig = self.config  # type: ignore[assignment]
        c = self.cfg
        (self.e_cont, self.rec_hr, self.e_deg, self.rec_lr, self.modulation,
         self.unet) = self._networks(0)
        r = c.reference_size  # stored as 8-bit values: references are 8-bit photos
        self.register_buffer("stored_references",
                             torch.zeros(len(c.reference_names), 3, r, r, dtype=torch.uint8))
        if c.deg_standardised:  # E_deg's per-dimension mean and std over the DDPM's data
            self.register_buffer("deg_mean", torch.zeros(c.deg_dim))
            self.register_buffer("deg_std", torch.ones(c.deg_dim))
        self._folder: dict[str, Tensor] | None = None
        if c.references is not None:
            self._folder = read_references(Path(c.references), c.reference_crop)
        if c.reference is not None and c.reference not in self.reference_names():
            raise ConfigError(f"realdgen: reference {c.reference!r} is not among the "
                              f"references ({_listing(self.reference_names())})")
        self.start = self._start_degrader()
        if "ddpm" not in c.trained_stages:
            degsdk.warn_user("realdgen: this model's DDPM is untrained (trained stages: "
                             f"{c.trained_stages or 'none'}); train it with degsdk train "
                             "realdgen --stage ddpm")
        self.eval()

    def _networks(self, seed: int) -> tuple[ContentExtractor, HRReconstructor | None,
                                            DegradationExtractor, ModulationBlock | None,
                                            ModulationBlock, UNet2DModel]:
        c = self.cfg
        heads = c.reconstruction_heads
        with seeded_init(seed):
            return (ContentExtractor(c.scale, c.cont_width, c.cont_layers, c.cont_channels,
                                     c.groups),
                    HRReconstructor(c.scale, c.cont_width, c.cont_layers, c.cont_channels,
                                    c.groups) if heads else None,
                    DegradationExtractor(c.deg_width, c.deg_blocks, c.deg_dim),
                    ModulationBlock(c.cont_channels, c.deg_dim, c.mod_channels, 3)
                    if heads else None,
                    ModulationBlock(c.cont_channels, c.deg_dim, c.mod_channels,
                                    c.cond_channels),
                    build_unet(c.cond_channels, c.unet_widths, c.unet_layers, c.groups))

    def reset_parameters(self, seed: int) -> None:
        """Re-initialise every network from ``seed`` only (the global RNG is untouched)."""
        mine = (self.e_cont, self.rec_hr, self.e_deg, self.rec_lr, self.modulation, self.unet)
        for net, new in zip(mine, self._networks(seed), strict=True):
            if net is not None and new is not None:
                net.load_state_dict(new.state_dict())

    # -- sizes ----------------------------------------------------------------------------
    @property
    def scale(self) -> float:
        """HR side / output side: the model's scale, or ``output_scale``."""
        return float(self.cfg.output_scale or self.cfg.scale)

    @property
    def lr_multiple(self) -> int:
        """LR sides are padded to multiples of this (the UNet's 2^(levels − 1))."""
        return 2 ** (len(self.cfg.unet_widths) - 1)

    # -- references -----------------------------------------------------------------------
    def reference_names(self) -> list[str]:
        """The names a sample's ``reference`` param may take, sorted."""
        return sorted(self._folder) if self._folder is not None else list(
            self.cfg.reference_names)

    def reference_image(self, name: str) -> Tensor:
        """Reference ``name`` as 1×3×h×w."""
        if self._folder is not None:
            if name not in self._folder:
                raise InputError(f"realdgen: reference {name!r} is not in "
                                 f"{self.cfg.references}")
            return self._folder[name][None]
        if name not in self.cfg.reference_names:
            raise InputError(f"realdgen: reference {name!r} is not stored with the model "
                             f"({_listing(self.cfg.reference_names)})")
        i = self.cfg.reference_names.index(name)
        return self.stored_references[i][None].float() / 255

    def degradation_of(self, names: Sequence[str]) -> Tensor:
        """E_deg of each named reference, each run alone: N×dim."""
        dev = self._device()
        cache: dict[str, Tensor] = {}
        for n in names:
            if n not in cache:
                cache[n] = self.e_deg(self.reference_image(n).to(dev))[0]
        return torch.stack([cache[n] for n in names])

    # -- the model ------------------------------------------------------------------------
    def standardised(self, degradation: Tensor) -> Tensor:
        """E_deg's vectors N×dim as M reads them: (v − mean) / std with ``deg_standardised``,
        else v."""
        if not self.cfg.deg_standardised:
            return degradation
        return (degradation - self.deg_mean) / self.deg_std

    def fuse(self, degradation: Tensor | None, content: Tensor,
             keep: Tensor | None = None) -> Tensor:
        """c = M(degradation, content). ``degradation`` None (or ``use_degradation`` off):
        the null vector, zeros after standardisation (the training set's mean vector); with
        ``keep`` (N booleans), the samples where it is False get the null vector."""
        n, dim = content.shape[0], self.cfg.deg_dim
        if degradation is None or not self.cfg.use_degradation:
            v = content.new_zeros(n, dim)
        else:
            v = self.standardised(degradation)
        if keep is not None:
            v = v * keep.to(v.dtype)[:, None]
        return self.modulation(v, content)

    def content_of(self, hr: Tensor) -> Tensor:
        """E_cont of HR images N×3×H×W whose LR is H/k×W/k (k = :attr:`scale`): the content
        map on that LR grid. With ``output_scale`` k ≠ the model's s, the HR is first resized
        (bicubic, antialiased) to s × the LR grid, the size E_cont reads."""
        s, k = self.cfg.scale, int(self.scale)
        if k != s:
            hr = resize(hr, (hr.shape[-2] // k * s, hr.shape[-1] // k * s), "bicubic",
                        antialias=True).clamp(0, 1)
        return self.e_cont(hr)

    def condition(self, degradation: Tensor, hr: Tensor) -> Tensor:
        """c = M(E_deg(·), E_cont(HR)): N×cond_channels×(LR grid)."""
        return self.fuse(degradation, self.content_of(hr))

    def condition_from_lr(self, lr: Tensor, keep: Tensor | None = None) -> Tensor:
        """The training condition of a real LR image (§2.2): M(E_deg(x), E_cont(↑x))
        (``keep``: as :meth:`fuse`)."""
        return self.fuse(self.e_deg(lr), self.e_cont(to_hr_grid(lr, self.cfg.scale)), keep)

    def generate(self, start: Tensor, cond: Tensor, generators: Sequence[torch.Generator],
                 t_steps: int | None = None, null: Tensor | None = None) -> Tensor:
        """Noise ``start`` (D(HR), N×3×h×w in [0, 1]) to step T − 1 and denoise under
        ``cond``; sample i's noise from ``generators[i]``. With ``guidance`` ≠ 1, ``null``
        (the condition with the null vector, as ``cond``) is needed. N×3×h×w in [0, 1]."""
        c = self.cfg
        t_steps = c.T if t_steps is None else t_steps
        sched = make_scheduler(c.sampler, c.timesteps, c.beta_start, c.beta_end)
        steps = start_timesteps(sched, t_steps, c.ddim_steps)
        x = noised_start(sched, start * 2 - 1, steps[0], generators)
        if c.guidance == 1:
            null = None
        elif null is None:
            raise ValueError("realdgen: guidance needs the null condition")
        y = denoise(self.unet, sched, x, cond, steps, generators, null, c.guidance)
        return ((y + 1) / 2).clamp(0, 1)

    def _null(self, content: Tensor, k: int) -> Tensor | None:
        """The null condition for ``content`` (N×C×h×w; with k > 1, one map expanded to k),
        or None when ``guidance`` is 1 and it is not needed."""
        if self.cfg.guidance == 1:
            return None
        null = self.fuse(None, content)
        return null if k == 1 else null.expand(k, -1, -1, -1)

    def filter_scores(self, candidates: Tensor, reference_deg: Tensor, hr_content: Tensor
                      ) -> Tensor:
        """Per candidate (K×3×h×w): mean ‖E_deg(cand) − E_deg(ref)‖² + mean ‖E_cont(↑cand) −
        E_cont(HR)‖² (reference_deg: dim or K×dim; hr_content: C×h×w or K×C×h×w)."""
        deg = (self.e_deg(candidates) - reference_deg).pow(2).mean(dim=1)
        cont = (self.e_cont(to_hr_grid(candidates, self.cfg.scale)) - hr_content).pow(2)
        return deg + cont.mean(dim=(1, 2, 3))

    # -- the Degrader contract ------------------------------------------------------------
    def _device(self) -> torch.device:
        return self.stored_references.device

    def _start_degrader(self) -> Degrader:
        spec = self.cfg.start or {"name": "realesrgan", "params": {"scale": int(self.scale)}}
        deg = degsdk.from_config(spec)
        if deg.scale != self.scale:
            raise ConfigError(f"realdgen: start degrader {spec.get('name')!r} has scale "
                              f"{deg.scale:g}, the output {self.scale:g}")
        return deg

    def _starts(self, hr: Tensor, seeds: Sequence[int]) -> Tensor:
        """D(HR) per sample with its own seed; HR smaller than D needs is mirror-padded and
        D's output cropped back."""
        h, w = hr.shape[-2:]
        s = int(self.scale)
        need = getattr(self.start, "min_size", lambda: 0)()
        ph, pw = max(0, need - h), max(0, need - w)
        ph, pw = ph + (-(h + ph)) % s, pw + (-(w + pw)) % s
        x = mirror_pad(hr, 0, pw, 0, ph)
        out = [self.start.sample_and_apply(x[i : i + 1], [generator_from_seed(seed)])[0]
               for i, seed in enumerate(seeds)]
        return torch.cat(out)[..., : h // s, : w // s]

    def _pad(self, hr: Tensor) -> Tensor:
        m = self.lr_multiple * int(self.scale)
        return mirror_pad(hr, 0, -hr.shape[-1] % m, 0, -hr.shape[-2] % m)

    def sample_and_apply(self, hr: Tensor, generators: Sequence[torch.Generator]
                         ) -> tuple[Tensor, list[SampleParams]]:
        names = self.reference_names()
        if not names:
            raise ConfigError("realdgen: no references: give references: FOLDER (real LR "
                              "images) or use a model that stores some")
        k = self.cfg.candidates
        params: list[SampleParams] = []
        for g in generators:
            ref = self.cfg.reference or names[randint(g, 0, len(names) - 1)]
            params.append({"reference": ref, "start_seed": draw_seed(g),
                           "seeds": [draw_seed(g) for _ in range(k)], "scores": [],
                           "chosen": 0})
        if k > 1:
            dev = self._device()
            with torch.no_grad():
                x = self._pad(hr.to(dev))
                lr_h, lr_w = hr.shape[-2] // int(self.scale), hr.shape[-1] // int(self.scale)
                for i, p in enumerate(params):  # each image's K candidates as one batch
                    start = self._starts(x[i : i + 1], [p["start_seed"]]).expand(k, -1, -1, -1)
                    deg = self.degradation_of([p["reference"]])
                    content = self.content_of(x[i : i + 1])
                    cond = self.fuse(deg, content).expand(k, -1, -1, -1)
                    null = self._null(content, k)
                    cands = self.generate(start, cond, [generator_from_seed(s)
                                                        for s in p["seeds"]], null=null)
                    cands = cands[..., :lr_h, :lr_w]
                    scores = self.filter_scores(cands, deg, content[..., :lr_h, :lr_w])
                    p["scores"] = [float(v) for v in scores]
                    p["chosen"] = int(torch.argmin(scores))
        return self.apply(hr, params), params

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        dev = self._device()
        h, w = hr.shape[-2:]
        s = int(self.scale)
        for p in params:
            if not 0 <= int(p["chosen"]) < len(p["seeds"]):
                raise InputError(f"realdgen: chosen {p['chosen']} is not a candidate index "
                                 f"(0–{len(p['seeds']) - 1})")
        with torch.no_grad():
            x = self._pad(hr.to(dev))
            start = self._starts(x, [int(p["start_seed"]) for p in params])
            content = self.content_of(x)
            cond = self.fuse(self.degradation_of([str(p["reference"]) for p in params]),
                             content)
            gens = [generator_from_seed(int(p["seeds"][int(p["chosen"])])) for p in params]
            y = self.generate(start, cond, gens, null=self._null(content, 1))
        return y[..., : h // s, : w // s].to(hr.device, torch.float32).contiguous()

    # -- storing references ---------------------------------------------------------------
    def rebuilt(self, stored: dict[str, Tensor] | None = None, **changes: Any) -> RealDGen:
        """A copy with the same weights and architecture ``changes`` (e.g.
        ``trained_stages``); with ``stored`` (name → 3×h×w, centre-cropped to
        ``reference_size``), those images become its stored default references."""
        params = {**self.cfg.model_dump(), **changes}
        state = dict(self.state_dict())
        if stored is not None:
            r = params["reference_size"]
            names = sorted(stored)
            small = [n for n in names if min(stored[n].shape[-2:]) < r]
            if small:
                raise InputError(f"realdgen: references smaller than {r} px: {small}")
            crops = torch.stack([centre_crop(stored[n], r) for n in names]) if names else \
                torch.zeros(0, 3, r, r)
            state["stored_references"] = (crops * 255).round().to(torch.uint8)
            params.update(reference_names=names, references=None, reference=None)
            params.update({k: v for k, v in changes.items() if k in ("references",
                                                                     "reference")})
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "realdgen: this model's DDPM is untrained")
            new = RealDGen(**params)
        if not new.cfg.reconstruction_heads:
            state = {k: v for k, v in state.items() if not k.startswith(("rec_hr.", "rec_lr."))}
        new.load_state_dict(state, strict=True)
        return new.to(self._device()).eval()


def centre_crop(image: Tensor, side: int) -> Tensor:
    """The centre ``side``×``side`` of 3×H×W (or all of a side that is shorter)."""
    h, w = image.shape[-2:]
    t, s = max(0, (h - side) // 2), max(0, (w - side) // 2)
    return image[..., t : t + min(side, h), s : s + min(side, w)]


def read_references(folder: Path, crop: int) -> dict[str, Tensor]:
    """Every image of ``folder`` (name relative to it → centre crop, 3×h×w)."""
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        raise ConfigError(f"realdgen: references={folder}: {what}; expected a folder of real "
                          "LR images of the camera to imitate")
    try:
        files = list_images([folder], recursive=True)
    except ImageReadError as exc:
        detail = str(exc).removeprefix(f"{folder}: ").removeprefix("folder ")
        raise ConfigError(f"realdgen: references={folder}: {detail}") from None
    out = {}
    for f in files:
        img = read_image(f)
        if min(img.shape[-2:]) < 8:
            raise InputError(f"realdgen: reference {f} is {img.shape[-2]}×{img.shape[-1]}; "
                             "at least 8×8 expected")
        out[f.relative_to(folder).as_posix()] = centre_crop(img, crop)
    return out


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(names[:5]) + (f", … ({len(names)} in all)" if len(names) > 5 else "")
    return shown or "none"

