"""dump_yaml's direct node building writes exactly what PyYAML's representer and emitter write."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.yamlio import _Dumper, _node, dump_yaml

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
SCALARS: list[Any] = ["yes", "No", "null", "~", "123", "1.5", "", " a", "a ", "é", "a\nb", "a\n", "\n", "line\n\nx",
                      "- a", "a: b", "#x", "中文：问题？", "'q'", '"q"', "a\tb", "\u2028", "😀 \\U0001F600",
                      0, -7, 10**20, True, False, None]


def _reference(data: Any) -> str:
    text: str = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000,
                          default_flow_style=False)
    return text


def _direct(data: Any) -> str:
    text: str = yaml.serialize(_node(data, set()), Dumper=_Dumper, allow_unicode=True, width=1_000_000)
    return text


def _random(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice(SCALARS)
    if roll < 0.7:
        return [_random(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {str(rng.choice(SCALARS)) if rng.random() < 0.5 else f"k{n}": _random(rng, depth + 1)
            for n in range(rng.randint(0, 4))}


def test_golden_stage_files_are_written_byte_for_byte_as_the_representer_writes_them() -> None:
    block_style = 0
    for path in sorted(GOLDEN_DIR.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        assert _direct(data) == _reference(data), path.name
        if _reference(data) == text:  # written by dump_yaml (the ledger is flow style)
            assert dump_yaml(data) == text, path.name
            block_style += 1
    assert block_style > 5


def test_random_documents_of_awkward_scalars_are_written_as_the_representer_writes_them() -> None:
    rng = random.Random(5)
    for _ in range(500):
        data = _random(rng, 0)
        assert _direct(data) == _reference(data), repr(data)


def test_types_it_does_not_make_and_shared_objects_go_to_the_representer() -> None:
    shared = ["x"]
    for data in ({"a": 1.5}, {"a": ("t",)}, {"a": shared, "b": shared}):
        with pytest.raises(TypeError):
            _node(data, set())
        assert yaml.safe_load(dump_yaml(data)) == yaml.safe_load(_reference(data))
    assert "&id001" in dump_yaml({"a": shared, "b": shared})
