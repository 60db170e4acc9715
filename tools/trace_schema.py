"""Write docs/trace.schema.json, the JSON Schema of a trace, from the records of roikit.explain.trace.

The records are the source; this file only turns them into a schema (pydantic
reads the dataclasses) and adds what their types cannot say: no unknown keys,
and which ``data`` record goes with which ``op``. ``make schema`` runs it; a
test fails when the committed schema is not the generated one.

    python tools/trace_schema.py          # rewrite docs/trace.schema.json
    python tools/trace_schema.py --check  # exit 1 when it is out of date
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from roikit.explain import trace

PATH = Path(__file__).resolve().parent.parent / "docs" / "trace.schema.json"

#: Which record a trace of each ``op`` carries in ``data``.
DATA_OF_OP = {
    "roi_pool": trace.PoolData,
    "roi_align": trace.AlignData,
    "roi_pool_backward": trace.PoolBackwardData,
    "roi_align_backward": trace.AlignBackwardData,
    "compare": trace.CompareData,
    "modes": trace.ModesData,
    "conventions": trace.ConventionsData,
    "worksheet": trace.WorksheetData,
}


def field_notes(record: type) -> dict[str, str]:
    """The ``#:`` comment after each field of a record, as the field's description."""
    notes = {}
    for line in inspect.getsource(record).splitlines():
        found = re.match(r"\s+(\w+): [^#]*#: (.*)$", line)
        if found:
            notes[found[1]] = found[2].strip()
    return notes


def schema() -> dict[str, Any]:
    """The schema of what ``--format json`` prints: one trace, or a list of them."""
    doc = TypeAdapter(trace.Trace).json_schema(mode="serialization", ref_template="#/$defs/{model}")
    defs = doc.pop("$defs")
    for name, record in defs.items():
        if record.get("type") == "object":
            # A renamed or stray key is an error, not an extra the schema lets through.
            record["additionalProperties"] = False
        for cls in inspect.getmro(getattr(trace, name)):
            for field, note in field_notes(cls).items() if cls.__module__ == trace.__name__ else ():
                record["properties"][field].setdefault("description", note)
    doc["properties"]["op"] = {"enum": list(DATA_OF_OP), "title": "Op"}
    doc["additionalProperties"] = False
    doc["allOf"] = [
        {
            "if": {"properties": {"op": {"const": op}}},
            "then": {"properties": {"data": {"$ref": f"#/$defs/{record.__name__}"}}},
        }
        for op, record in DATA_OF_OP.items()
    ]
    defs["Trace"] = doc
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://roikit.readthedocs.io/trace.schema.json",
        "title": "roikit trace",
        "description": (
            "What `roikit explain/demo/compare/practice --format json` prints and Trace.to_json() "
            "returns: one trace, or a list of traces. Generated from roikit.explain.trace by "
            "tools/trace_schema.py; do not edit."
        ),
        "oneOf": [{"$ref": "#/$defs/Trace"}, {"type": "array", "items": {"$ref": "#/$defs/Trace"}}],
        "$defs": dict(sorted(defs.items())),
    }


def dumps() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    """Rewrite the schema file, or with ``--check`` report whether it is current."""
    text = dumps()
    if "--check" in argv:
        if not PATH.exists() or PATH.read_text(encoding="utf-8") != text:
            print(f"{PATH} is out of date: run python tools/trace_schema.py", file=sys.stderr)
            return 1
        return 0
    PATH.write_text(text, encoding="utf-8")
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
