"""``ContractCase``: what a plugin declares, when it registers a degrader, extractor or SR
model, so that the registry-wide contract test can make and run it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ContractCase:
    """How the registry-wide contract test makes and runs a degrader, extractor or SR model
    (``degsdk.testing``): ``params`` for ``create`` (or a callable returning them, for values
    that are not JSON, such as a torch module), and ``size``, the side of the test images
    (``example_images``). A component registered without one is made from its defaults on
    64-pixel images."""

    params: Mapping[str, Any] | Callable[[], Mapping[str, Any]] = field(default_factory=dict)
    size: int = 64

    def make_params(self) -> dict[str, Any]:
        """The parameters, made now."""
        return dict(self.params() if callable(self.params) else self.params)
