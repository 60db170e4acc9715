"""docs/trace.schema.json: generated from the trace records, and every JSON output obeys it."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import roikit
from roikit.frontends.cli import app
from roikit.frontends.explore.api import explain_json

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "trace.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
runner = CliRunner()


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("trace_schema", ROOT / "tools" / "trace_schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _valid(doc: Any) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(doc)]
    assert not errors, errors[:5]


def _cli_json(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_committed_schema_is_the_generated_one() -> None:
    assert _generator().dumps() == (ROOT / "docs" / "trace.schema.json").read_text(encoding="utf-8"), (
        "docs/trace.schema.json is out of date: run python tools/trace_schema.py"
    )


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


MAP = "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16"
COMMANDS = [
    ("demo",),
    ("demo", "--lang", "ko"),
    ("demo", "--mode", "avg"),
    ("explain", "pool", "--map", MAP, "--box", "0.4,0.6,2.5,2.5"),
    ("explain", "align", "--map", MAP, "--box", "0.4,0.6,2.5,2.5", "--aligned"),
    ("explain", "pool", "--map", MAP, "--box", "0,0,3,3", "--backward"),
    ("explain", "align", "--map", MAP, "--box", "-2,-2,5,5", "--backward", "--lang", "ko"),
    ("compare", "--map", MAP, "--box", "0.5,0.5,2.5,2.5"),
    ("practice", "pool", "--seed", "3"),
    ("practice", "align", "--level", "3", "--seed", "3", "--key"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_json_the_cli_prints_obeys_the_schema(args: tuple[str, ...]) -> None:
    _valid(_cli_json(*args))


def test_the_explorer_json_obeys_the_schema() -> None:
    _valid(json.loads(explain_json({"op": "align", "map": "1 2; 3 4", "box": "0,0,1,1", "mode": "max"})))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 6),
    st.tuples(*[st.floats(-3, 9, allow_nan=False) for _ in range(4)]),
    st.sampled_from([1, 2, 3]),
    st.sampled_from(["pool", "align", "pool_backward", "align_backward"]),
)
def test_random_walkthroughs_obey_the_schema(
    h: int, w: int, box: tuple[float, ...], bins: int, which: str
) -> None:
    m = np.arange(h * w, dtype=float).reshape(h, w)
    fn = getattr(roikit, f"explain_roi_{which}")
    _valid(json.loads(fn(m, box, bins).to_json()))


def test_a_renamed_or_misplaced_key_is_refused() -> None:
    # The schema must be able to fail: rename a key deep in the data, add a stray one,
    # and give a RoI Pool trace a RoI Align record.
    doc = json.loads(roikit.explain_roi_pool(np.arange(16.0).reshape(4, 4), (0, 0, 3, 3), 2).to_json())
    renamed = copy.deepcopy(doc)
    renamed["data"]["bins"][0]["max"] = renamed["data"]["bins"][0].pop("value")
    stray = copy.deepcopy(doc)
    stray["data"]["x"]["bins"] = 2
    align = json.loads(roikit.explain_roi_align(np.arange(16.0).reshape(4, 4), (0, 0, 3, 3), 2).to_json())
    swapped = {**doc, "data": align["data"]}
    for bad in (renamed, stray, swapped):
        assert not VALIDATOR.is_valid(bad)
    _valid(doc)
