"""The fast paths (YAML written and read without the emitter, the ledger snapshot, the collector set aside) give
exactly what the slow ones would, and leave nothing behind."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.config import load_rules
from pipeline.errors import ConfigError
from pipeline.identity.ledger import _parse_ledger, load_ledger
from pipeline.session import Paths, Session
from pipeline.tags import ClassifyMemo, classify
from pipeline.yamlio import _Dumper, _records, dump_flow, dump_yaml, read_yaml
from tests.conftest import GOLDEN, NOW, SEEDS_DIR

# Strings a plain scalar cannot be, or can only just be: the emitter quotes some, not others.
AWKWARD = ["yes", "No", "null", "~", "123", "1.5", "0x1f", "1e3", "2024-01-01", ".inf", "-a", "a: b", "a #b",
           "a  b", "", " a", "a ", "é", "a/b", "_x", "a.", "a-", "first", "different intent", "q-1/2", "True",
           "0o17", "+1", "1_000", "dm-0123abcd", "'a", "a'b", "a\nb", "@x", "%x", "a:b", "a,b", "[a]", "*a"]


def _reference(data: Any) -> str:
    """The emitter's own text (libyaml's, with deckmill's literal blocks), the slow path of dump_yaml."""
    text: str = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000,
                          default_flow_style=False)
    return text


def _merged_like(card: str, source: str, why: str, score: int) -> dict[str, Any]:
    return {"schema": 1,
            "cards": [{"card": card, "members": [{"source": source, "item": "q1", "why": why, "similarity": score}]},
                      {"card": "", "members": []}],
            "related_not_merged": [{"a": f"{source}/q1", "b": "x/q2", "similarity": score, "why_not": why}]}


@pytest.mark.parametrize("value", AWKWARD)
def test_records_are_written_as_the_emitter_writes_them(value: str) -> None:
    for data in (_merged_like(value, "page", "first", 7), _merged_like("dm-1", value, value, 0), {value: value}):
        assert dump_yaml(data) == _reference(data)
        assert yaml.safe_load(dump_yaml(data)) == data


def test_the_merged_file_takes_the_fast_path(tmp_path: Path) -> None:
    data = yaml.safe_load((GOLDEN / "merged.yaml").read_text(encoding="utf-8"))
    out: list[str] = []
    assert _records(data, "", out)
    assert "".join(out) == _reference(data) == (GOLDEN / "merged.yaml").read_text(encoding="utf-8")


def test_nested_shapes_it_does_not_know_fall_back_to_the_emitter() -> None:
    shapes: list[Any] = [{"k" * 127: "v"}, {"k" * 128: "v"}, {"k" * 1100: "v"},  # long keys: "? key" from 128
                         {"a": {"b": 1}}, {"a": [1, 2]}, {"a": [[{"b": 1}]]}, {"a": True}, {"a": None},
                         {"a": 1.5}, [{"a": 1}], {"a": "多行\n文本"}, {1: "a"}, {"a": [{}]}]
    for data in shapes:
        assert dump_yaml(data) == _reference(data)


@pytest.mark.parametrize("header", ["", "# kept by deckmill\n# do not edit\n\n", "  # indented comment\n"])
def test_flow_files_read_as_json_give_what_yaml_gives(tmp_path: Path, header: str) -> None:
    data = {"schema": 2, "cards": {f"dm-{n}": {"q": text, "n": n}
                                   for n, text in enumerate([*AWKWARD, "😀", "\u2028", "\x85", "\x7f"])}}
    path = tmp_path / "ledger.yaml"
    path.write_text(dump_flow(data, header), encoding="utf-8")
    assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")) == data


def test_a_flow_file_that_is_not_json_is_read_as_yaml(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("# c\n{a: 1, 'b': [x, 2]}\n", encoding="utf-8")
    assert read_yaml(path) == {"a": 1, "b": ["x", 2]}


def test_the_ledger_snapshot_a_build_keeps_is_what_reading_the_file_gives(tmp_path: Path) -> None:
    paths = Paths(SEEDS_DIR, tmp_path / "decks")
    Session(paths, load_rules(), now=NOW).build(include_unanswered=True)
    snapshots = list(paths.parsed_cache.glob("ledger-*.pickle"))
    assert len(snapshots) == 1
    kept = load_ledger(paths.ledger, paths.parsed_cache)
    assert kept == _parse_ledger(paths.ledger)
    assert len(kept.entries) > 100 and not any(e.retired for e in kept.entries.values())
    Session(paths, load_rules(), now=NOW + 60).build()  # turning include_unanswered off retires cards
    assert load_ledger(paths.ledger, paths.parsed_cache) == _parse_ledger(paths.ledger)
    assert any(e.retired for e in load_ledger(paths.ledger, paths.parsed_cache).entries.values())
    assert len(list(paths.parsed_cache.glob("ledger-*.pickle"))) == 1
    paths.ledger.write_text(paths.ledger.read_text(encoding="utf-8").replace('"schema": 2', '"schema": 9'),
                            encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown ledger schema 9"):
        load_ledger(paths.ledger, paths.parsed_cache)  # an edited file is read again, never the snapshot


def test_a_build_gives_every_object_back_to_the_collector(tmp_path: Path) -> None:
    thresholds = gc.get_threshold()
    Session(Paths(SEEDS_DIR, tmp_path / "decks"), load_rules(), now=NOW).build()
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == thresholds and gc.isenabled()


def test_a_damaged_classification_memo_is_a_miss_not_a_crash(tmp_path: Path) -> None:
    rules = load_rules()
    memo_file = tmp_path / "tags.json"
    memo = ClassifyMemo.load(memo_file, rules.taxonomy, "v1")
    first = memo.classify("什么是LoRA?", "")
    memo.save(memo_file)
    data = json.loads(memo_file.read_text(encoding="utf-8"))
    data["tags"] = {key: [] for key in data["tags"]}  # damaged by hand
    memo_file.write_text(json.dumps(data), encoding="utf-8")
    again = ClassifyMemo.load(memo_file, rules.taxonomy, "v1").classify("什么是LoRA?", "")
    assert again == first == classify("什么是LoRA?", "", rules.taxonomy) and "lora" in first.concepts


def test_flow_text_is_the_json_modules_indented_text_without_its_cycles() -> None:
    import json

    from pipeline.yamlio import _YAML_UNSAFE

    ledger = read_yaml(GOLDEN / "ledger.yaml")
    odd = {"a": AWKWARD, "none": None, "yes": True, "no": False, "e": [], "d": {}, "big": 10**13, "neg": -1,
           "nested": [{"x": [1, [2, {}]], "y": "é\u2028\x7f\ufeff\"\\\n\t😀"}], "float": 1.5, "tuple": (1, "a")}
    for data in (ledger, odd, [], {}, "x", 3):
        expected = _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(data, ensure_ascii=False,
                                                                                      indent=1))
        assert dump_flow(data) == expected + "\n"
    assert len(ledger["cards"]) > 50
    gc.collect()
    gc.disable()
    try:
        dump_flow(ledger)
        assert gc.collect() == 0  # no garbage cycles left behind
    finally:
        gc.enable()


def test_a_ledger_saved_from_the_texts_read_is_the_ledger_encoded_anew(tmp_path: Path) -> None:
    from dataclasses import replace

    from pipeline.identity.ledger import read_ledger, save_ledger

    paths = Paths(SEEDS_DIR, tmp_path / "decks")
    Session(paths, load_rules(), now=NOW).build()
    Session(paths, load_rules(), now=NOW + 60).build()  # the snapshot now holds where each card's text lies
    ledger, texts = read_ledger(paths.ledger, paths.parsed_cache)
    assert len(texts.spans) == len(ledger.entries) > 50 and texts.raw == paths.ledger.read_bytes()
    first = next(iter(ledger.entries))
    edited = replace(ledger, entries={**ledger.entries, first: replace(ledger.entries[first], deck="Edited::Deck")})
    for version in (ledger, edited):
        reused, fresh = tmp_path / "reused.yaml", tmp_path / "fresh.yaml"
        save_ledger(reused, version, tmp_path / "cache", texts)
        save_ledger(fresh, version)
        assert reused.read_bytes() == fresh.read_bytes()
        assert _parse_ledger(reused) == version
    assert b"Edited::Deck" in (tmp_path / "reused.yaml").read_bytes()
    again, spans = read_ledger(tmp_path / "reused.yaml", tmp_path / "cache")
    text = spans.raw[slice(*spans.spans[first][1:])]
    assert again == edited and text.startswith(f'  "{first}": {{'.encode()) and text.endswith(b"\n  }")
