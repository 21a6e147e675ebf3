"""Recipes: validated YAML that generates LR/HR datasets (``degsdk run``)."""

from .plan import Sample, plan
from .runner import RecipeRunner, RunSummary
from .schema import (
    Crop,
    InputSource,
    Output,
    Recipe,
    RecipeSpec,
    Run,
    json_schema,
    load_recipe,
    parse_recipe,
)

__all__ = ["Crop", "InputSource", "Output", "Recipe", "RecipeRunner", "RecipeSpec", "Run",
           "RunSummary", "Sample", "json_schema", "load_recipe", "parse_recipe", "plan"]
