"""Generate ``docs/recipes.md`` from the recipe schema:

    python -m degsdk.recipes._docs docs/recipes.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pydantic

from ..io._atomic import write_text_atomic
from ._schema import Crop, InputSource, Output, RecipeSpec, Run

INTRO = """\
# Recipes reference

*Generated from the schema by `python -m degsdk.recipes._docs docs/recipes.md`; do not edit.*

A recipe is YAML that turns folders of clean HR images into an LR/HR training set:

```bash
degsdk run recipes/realesrgan-x4.yaml --set inputs.0.path=/data/HR --set output.dir=/data/out
degsdk run RECIPE.yaml --dry-run          # the plan: counts, size estimate, resolved degrader
degsdk run RECIPE.yaml --resume           # complete an interrupted run
```

```python
import degsdk

summary = degsdk.Recipe.from_yaml("recipes/bsrgan-x4.yaml").run()
from degsdk.recipes import DegradedPairs, collate_pairs   # the same pairs, on the fly
```

Paths are relative to the recipe file. Unknown keys are errors; errors name the field path and
the YAML line. `--set a.b=value` overrides any field (YAML values; list items by index, e.g.
`inputs.0.path`).

**Determinism.** Sample *i* is the *i*-th crop of the plan (inputs in order, each folder's files
sorted). Its files depend only on (recipe, seed, *i*): the degrader draws from `(seed, i)`, the
`hr_transform` from `(derive_seed(seed, 0, Stream.HR_TRANSFORM), i)`, every worker runs torch
with one intra-op thread, and no file carries a timestamp — so batch size, worker count and
backend do not change a byte. The HR is quantised to the output bit depth before it is degraded,
so the saved HR is exactly the degraded image and a manifest line replays its LR.

**`DegradedPairs` vs the files.** The dataset yields the same HR as `hr/` and the LR before it is
written: a float tensor, while `lr/` holds it rounded to the output bit depth, so the two differ
by at most half a level (0.5/255 at 8 bits). Round the dataset's LR (`(lr * 255).round() / 255`)
to match the files bit for bit.

**Bit depth.** `output.bit_depth` (8 by default) sets both outputs: a 16-bit input is written as
8-bit unless you set `bit_depth: 16` (PNG only). `degsdk degrade` likewise writes 8-bit unless
`--bit-depth 16`.

**Output** (`layout: basicsr`): `hr/` and `lr/` with matching names (`0000042_<stem>_<k>.png`),
`meta_info.txt` (`name (h,w,3)` per line), `manifest.jsonl` (one line per sample in index
order: source, crop box, every sampled parameter, output sha256s), `run.json` (versions, the
resolved degrader config and its hash, weights with revision and sha256, seeds), `card.json`
(the degradation card, below) and `preview.png`. Files are written atomically;
`.degsdk-run/` holds per-sample records while a run is unfinished and is removed at the end.
"""


_ANY: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(Any)


def _type(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return " \\| ".join(json.dumps(v) for v in prop["enum"])
    if "const" in prop:
        return json.dumps(prop["const"])
    if "anyOf" in prop:
        return " \\| ".join(_type(p) for p in prop["anyOf"])
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if prop.get("type") == "array":
        return f"list of {_type(prop.get('items', {}))}"
    return str(prop.get("type", "any"))


def _table(model: type[pydantic.BaseModel], prefix: str) -> str:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    rows = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        prop = schema["properties"][name]
        if name in required:
            default = "**required**"
        else:
            value = field.default_factory() if field.default_factory else field.default
            default = f"`{json.dumps(_ANY.dump_python(value, mode='json'))}`"
        doc = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{prefix}{name}` | {_type(prop)} | {default} | {doc} |")
    return "\n".join(rows)


EDITOR = """`degsdk schema recipe -o recipe.schema.json` writes the JSON Schema of recipes (draft
2020-12; `degsdk.recipes.json_schema()` in Python): the fields above and, for `degrader`,
`hr_transform` and every container's children, the parameters of each registered degrader —
with the plugins installed when you run it. Regenerate it after installing a plugin.

- **VS Code** (the Red Hat YAML extension): add to `settings.json`
  `"yaml.schemas": {"./recipe.schema.json": ["recipes/*.yaml"]}`, or put
  `# yaml-language-server: $schema=./recipe.schema.json` on a recipe's first line.
- **JetBrains IDEs**: Settings → Languages & Frameworks → Schemas and DTDs → JSON Schema
  Mappings → add the file and a `recipes/*.yaml` pattern.
- **Neovim / Helix / any yaml-language-server client**: the same `yaml.schemas` setting or the
  `$schema` comment.
- **CI**: `python -m jsonschema`-style validators (`check-jsonschema --schemafile
  recipe.schema.json recipes/*.yaml`) check recipes without degsdk's plugins.

The editor underlines a misspelt degrader or parameter, a value outside its range (JPEG
quality 1–100, CRF 0–51, …), an unknown codec or filter, and offers each field's description.
`degsdk run` validates the same things (and more: files, devices, sizes) before it writes."""


CARD = """Every dataset `degsdk run` (and `degsdk degrade`) writes gets a `card.json` beside
`hr/` and `lr/`, for a model card to cite instead of "trained on the fly: yes/no":

- `dataset`: name, `made_by`, pairs, scale, layout, format, bit depth;
- `pipeline`: the degrader and HR-transform configs as run (every default filled in) and the
  degrader's sha256;
- `parameters`: every configured parameter by path, ranges as written
  (`degrader.sequential.ops[3].jpeg.quality: [40, 90]`);
- `drawn`: what the samples actually drew, by path in `manifest.jsonl`'s params: numbers as
  n/min/max/mean, choices counted;
- `seeds`: the recipe seed and the HR transform's;
- `software`: degsdk, torch, Python and every plugin's version;
- `weights`: provenance of learned weights (ref, revision, sha256);
- `inputs`, `outputs`: file counts and one sha256 per folder over `"<path>\\t<sha256>\\n"`
  lines sorted by path;
- `card_id`: sha256 of the card's canonical JSON without `card_id`.

`degsdk.recipes.verify_card(folder)` re-hashes the files and the card and names what differs;
`degsdk.recipes.cite_line(card)` gives a line such as `realesrgan-x4: 3200 LR/HR pairs (×4) made
by degsdk 0.1.0 with realesrgan (seed 0); degradation card 8e19d578594f127f`. The card does not
depend on `run` (workers, batch size, backend): the same recipe gives the same card."""


def render_markdown() -> str:
    parts = [INTRO, "## Top level", "", _table(RecipeSpec, ""), ""]
    for title, model, prefix in (("`inputs[]`", InputSource, "inputs.N."),
                                 ("`crop`", Crop, "crop."), ("`output`", Output, "output."),
                                 ("`run`", Run, "run.")):
        parts += [f"## {title}", "", (model.__doc__ or "").strip(), "", _table(model, prefix),
                  ""]
    parts += ["## JSON Schema: recipes checked in your editor", "", EDITOR, ""]
    parts += ["## The degradation card", "", CARD, ""]
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = render_markdown()
    if argv:
        write_text_atomic(Path(argv[0]), text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
