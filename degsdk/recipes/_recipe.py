"""``Recipe``: a loaded recipe that describes and runs itself:
``Recipe.from_yaml(path).run()``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._bounded import check_bounded
from ._runner import RecipeRunner, RunSummary
from ._schema import RecipeSpec, load_recipe, validate_recipe


class Recipe:
    """A loaded recipe: ``Recipe.from_yaml(path).run()``. ``spec`` holds the validated fields
    (also readable as attributes, e.g. ``recipe.seed``; the ``run:`` section is
    ``recipe.spec.run`` because ``run()`` executes)."""

    def __init__(self, spec: RecipeSpec) -> None:
        self.spec = spec

    @classmethod
    def from_yaml(cls, path: str | Path, sets: list[str] | None = None) -> Recipe:
        """Read a recipe file (``sets``: ``a.b=value`` overrides)."""
        return cls(load_recipe(path, sets))

    @classmethod
    def from_dict(cls, data: dict[str, Any], base_dir: Path | None = None) -> Recipe:
        """A recipe from a mapping (as YAML would give it)."""
        check_bounded(data, "recipe")
        return cls(validate_recipe(data, "recipe", base_dir=base_dir))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.spec, name)

    def describe(self, limit: int | None = None) -> str:
        """The dry-run plan."""
        return RecipeRunner(self.spec, limit).describe()

    def run(self, resume: bool = False, limit: int | None = None,
            progress: bool = True, threads: int = 1) -> RunSummary:
        """Execute the recipe; returns a ``RunSummary``. ``threads``: torch threads of each
        worker (``degsdk run --threads``)."""
        return RecipeRunner(self.spec, limit, threads=threads).run(resume=resume,
                                                                    progress=progress)
