"""merged.yaml's text made straight from the clusters: exactly what dump_yaml writes for its data, at a fraction of the
cost (it is rewritten by every build that adds a page); None when a value would need quoting."""

from __future__ import annotations

from pipeline.dedup import Related
from pipeline.models import Cluster
from pipeline.yamlio import plain_scalar

EMPTY = "''"


def _scalar(value: str) -> str | None:
    if not value:
        return EMPTY
    return value if plain_scalar(value) else None


def merged_text(schema: int, clusters: list[Cluster], related: list[Related], ids: dict[str, str]) -> str | None:
    """The block-style YAML of merged.yaml (schema, cards with members, related_not_merged), or None."""
    out = [f"schema: {schema}\n", "cards:\n" if clusters else "cards: []\n"]
    for cluster in clusters:
        card = _scalar(ids.get(cluster.key, ""))
        if card is None or not cluster.members:
            return None
        out.append(f"- card: {card}\n  members:\n")
        for m in cluster.members:
            source, item, why = _scalar(m.source), _scalar(m.item_id), _scalar(m.reason)
            if source is None or item is None or why is None or type(m.score) is not int:
                return None
            out.append(f"  - source: {source}\n    item: {item}\n    why: {why}\n    similarity: {m.score}\n")
    out.append("related_not_merged:\n" if related else "related_not_merged: []\n")
    for r in related:
        a, b, why_not = _scalar(r.a), _scalar(r.b), _scalar(r.why_not)
        if a is None or b is None or why_not is None or type(r.score) is not int:
            return None
        out.append(f"- a: {a}\n  b: {b}\n  similarity: {r.score}\n  why_not: {why_not}\n")
    return "".join(out)
