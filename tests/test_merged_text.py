"""merged.yaml's direct text is exactly what the YAML emitter writes for the same data, or is not used."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.config import load_rules
from pipeline.dedup import Related
from pipeline.mergedtext import merged_text
from pipeline.models import Cluster, Member
from pipeline.session import Paths, Session
from pipeline.stagefiles import SCHEMA, read_merged
from pipeline.yamlio import dump_yaml
from tests.conftest import NOW, SEEDS_DIR
from tests.test_fast_paths import AWKWARD


def _data(clusters: list[Cluster], related: list[Related], ids: dict[str, str]) -> dict[str, object]:
    return {"schema": SCHEMA,
            "cards": [{"card": ids.get(c.key, ""), "members": [
                {"source": m.source, "item": m.item_id, "why": m.reason, "similarity": m.score} for m in c.members]}
                for c in clusters],
            "related_not_merged": [{"a": r.a, "b": r.b, "similarity": r.score, "why_not": r.why_not} for r in related]}


def test_the_seeds_merged_file_is_the_emitters_text(tmp_path: Path) -> None:
    paths = Paths(SEEDS_DIR, tmp_path / "decks")
    Session(paths, load_rules(), now=NOW).build()
    text = paths.merged.read_text(encoding="utf-8")
    clusters, related = read_merged(paths.merged)
    ids = {c["members"][0]["source"] + "/" + c["members"][0]["item"]: c["card"]
           for c in yaml.safe_load(text)["cards"]}
    assert len(clusters) > 100 and related and sum(1 for i in ids.values() if i) > 50  # unanswered: no card
    assert merged_text(SCHEMA, clusters, related, ids) == dump_yaml(_data(clusters, related, ids)) == text


def test_awkward_values_are_left_to_the_emitter_or_written_as_it_would() -> None:
    used = 0
    for value in AWKWARD:
        clusters = [Cluster((Member("page", value, "first", 100), Member(value, "q-1", value, 7)))]
        related = [Related(value, "page/q-2", 50, value)]
        for ids in ({}, {f"page/{value}": value}):
            text = merged_text(SCHEMA, clusters, related, ids)
            if text is not None:
                used += 1
                assert text == dump_yaml(_data(clusters, related, ids)), value
    assert merged_text(SCHEMA, [], [], {}) == dump_yaml(_data([], [], {})) == \
        "schema: 1\ncards: []\nrelated_not_merged: []\n"
    assert 0 < used < len(AWKWARD) * 2
