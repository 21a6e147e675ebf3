"""Options field types that parse at the edge: ``ZoomLevels`` (``--name LEVEL=DIR``, repeated)
and ``WeightsRefOption`` (a weights ref parsed on validation, hf:// intact)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from pydantic import Field

import degsdk
from degsdk import ConfigError, Options, ZoomLevels
from degsdk._options import add_options
from degsdk.hub import WeightsRef, WeightsRefOption


class _Opts(Options):
    levels: ZoomLevels = Field(default_factory=dict, description="LEVEL=DIR")
    init: WeightsRefOption | None = Field(None, description="a ref")


def test_zoom_levels_from_the_command_line_and_from_python(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_options(parser, _Opts)
    parsed = vars(parser.parse_args(["--levels", "4=b", "--levels", "2.5=a"]))
    o = _Opts.of(**parsed)
    assert o.levels == {2.5: Path("a"), 4.0: Path("b")} and list(o.levels) == [2.5, 4.0]
    assert _Opts.of(levels={3: tmp_path}).levels == {3.0: tmp_path}
    for bad, match in ((["x=a"], "LEVEL a number"), (["2"], "LEVEL=DIR"),
                       (["2=a", "2.0=b"], "level 2 is given twice"), (["-1=a"], "positive")):
        with pytest.raises(ConfigError, match=f"--levels.*{match}"):
            _Opts.of(levels=bad)


def test_a_weights_ref_is_parsed_on_validation(tmp_path: Path) -> None:
    o = _Opts.of(init="hf://org/repo@v1/sub")
    assert isinstance(o.init, WeightsRef)
    assert (o.init.repo_id, o.init.revision, o.init.subfolder) == ("org/repo", "v1", "sub")
    assert o.init.text == "hf://org/repo@v1/sub"  # str(Path(...)) would have lost a slash
    assert _Opts.of(init=tmp_path).init.path == tmp_path  # type: ignore[union-attr]
    name = next(iter(degsdk.list_weights()), None)
    if name is not None:
        assert _Opts.of(init=name).init.short_name == name  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match=r"--init .*not an existing path"):
        _Opts.of(init="no/such/model")


class _Renamed(Options):
    flow_levels: int = Field(1, ge=1, description="depth",
                             json_schema_extra={"deprecated_names": ["levels"]})


def test_a_renamed_field_answers_to_its_old_name_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="_Renamed: levels is now flow_levels"):
        assert _Renamed.of(levels=3).flow_levels == 3
    parser = argparse.ArgumentParser()
    add_options(parser, _Renamed)
    assert vars(parser.parse_args(["--flow-levels", "2"])) == {"flow_levels": "2"}
    with pytest.warns(FutureWarning, match="--levels is deprecated; use --flow-levels"):
        assert vars(parser.parse_args(["--levels", "4"])) == {"flow_levels": "4"}
