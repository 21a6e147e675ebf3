"""Recipes: validated YAML that generates LR/HR datasets (``degsdk run``)."""

from ._card import cite_line, verify_card
from ._import import import_config, recipe_text
from ._import_result import ImportResult
from ._json_schema import recipe_json_schema as json_schema
from ._pairs import DegradedPairs, collate_pairs
from ._plan import Sample, plan
from ._recipe import Recipe
from ._runner import RecipeRunner, RunSummary
from ._schema import (
    Crop,
    InputSource,
    Output,
    RecipeSpec,
    Run,
    load_recipe,
    parse_recipe,
)

__all__ = [
    "Crop", "DegradedPairs", "ImportResult", "InputSource", "Output", "Recipe", "RecipeRunner",
    "RecipeSpec", "Run", "RunSummary", "Sample", "cite_line", "collate_pairs", "import_config",
    "json_schema", "load_recipe", "parse_recipe", "plan", "recipe_text", "verify_card",
]
