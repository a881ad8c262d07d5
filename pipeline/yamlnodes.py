"""Typed reading of YAML nodes that keeps file:line for every error (used by the rule loader)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml

from pipeline.errors import ConfigError

T = TypeVar("T")


def where(node: yaml.Node) -> tuple[str, int]:
    return node.start_mark.name, node.start_mark.line + 1


def fail(node: yaml.Node, message: str) -> ConfigError:
    path, line = where(node)
    return ConfigError(path, line, message)


def compose(path: Path) -> yaml.Node | None:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.compose(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 10x faster
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(str(path), line, f"invalid YAML: {exc.problem or exc.context}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, f"cannot read: {exc}") from exc


def merge_nodes(base: yaml.Node, over: yaml.Node) -> yaml.Node:
    """Overlay a user node on a default node: mappings merge, sequences append, scalars replace."""
    if isinstance(base, yaml.MappingNode) and isinstance(over, yaml.MappingNode):
        merged = list(base.value)
        index = {k.value: i for i, (k, _) in enumerate(merged) if isinstance(k, yaml.ScalarNode)}
        for key, value in over.value:
            if isinstance(key, yaml.ScalarNode) and key.value in index:
                i = index[key.value]
                merged[i] = (merged[i][0], merge_nodes(merged[i][1], value))
            else:
                merged.append((key, value))
        return yaml.MappingNode(base.tag, merged, base.start_mark, base.end_mark)
    if isinstance(base, yaml.SequenceNode) and isinstance(over, yaml.SequenceNode):
        return yaml.SequenceNode(base.tag, base.value + over.value, over.start_mark, over.end_mark)
    return over


class NodeMap:
    """Typed access to a YAML mapping node, failing with file:line."""

    def __init__(self, node: yaml.Node, what: str) -> None:
        if not isinstance(node, yaml.MappingNode):
            raise fail(node, f"{what} must be a mapping")
        self.node = node
        self.items: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise fail(key, "keys must be plain strings")
            self.items[key.value] = value

    def req(self, key: str) -> yaml.Node:
        if key not in self.items:
            raise fail(self.node, f"missing key '{key}'")
        return self.items[key]

    def opt(self, key: str) -> yaml.Node | None:
        return self.items.get(key)

    def only(self, allowed: tuple[str, ...]) -> None:
        for key, value in self.node.value:
            if key.value not in allowed:
                raise fail(key, f"unknown key '{key.value}' (allowed: {', '.join(allowed)})")
            del value


def as_str(node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag.endswith((":null", ":map", ":seq")):
        raise fail(node, "expected a string")
    return str(node.value)


def _as_number(node: yaml.Node, convert: Callable[[str], T], what: str) -> T:
    if not isinstance(node, yaml.ScalarNode):
        raise fail(node, f"expected {what}")
    try:
        return convert(node.value)
    except ValueError as exc:
        raise fail(node, f"expected {what}, got '{node.value}'") from exc


def as_int(node: yaml.Node) -> int:
    return _as_number(node, int, "a whole number")


def as_float(node: yaml.Node) -> float:
    return _as_number(node, float, "a number")


def as_bool(node: yaml.Node) -> bool:
    value = as_str(node).lower()
    if value not in ("true", "false", "yes", "no"):
        raise fail(node, f"expected true or false, got '{value}'")
    return value in ("true", "yes")


def as_list(node: yaml.Node, item: Callable[[yaml.Node], T]) -> tuple[T, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise fail(node, "expected a list")
    return tuple(item(child) for child in node.value)


def as_regex(node: yaml.Node, flags: int = 0) -> re.Pattern[str]:
    text = as_str(node)
    try:
        return re.compile(text, flags)
    except re.error as exc:
        raise fail(node, f"invalid regular expression {text!r}: {exc}") from exc
