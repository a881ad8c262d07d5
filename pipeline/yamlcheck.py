"""Checking loaded YAML data (ledger, overrides, meta) against expected types, failing with file:line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from pipeline.errors import ConfigError

T = TypeVar("T")
KeyPath = Sequence[str | int]
_Composer = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def locate(path: Path, keys: KeyPath) -> int | None:
    """The line of the value at `keys` in a YAML file (or of its deepest existing parent); None if unreadable.

    Only called on the error path: data is loaded fast, and the node tree is composed when a message needs a line.
    """
    try:
        with path.open(encoding="utf-8") as fh:
            node = yaml.compose(fh, Loader=_Composer)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in keys:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(key)), None)
            if child is not None:
                key_node = next(k for k, v in node.value if v is child)
                line = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


class Checker:
    """Typed access to data loaded from one YAML file; every failure names the file and the line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, keys: KeyPath, message: str) -> ConfigError:
        return ConfigError(str(self.path), locate(self.path, keys), message)

    def mapping(self, value: Any, keys: KeyPath, what: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(keys, f"{what} must be a mapping")
        return value

    def only(self, data: dict[str, Any], keys: KeyPath, allowed: Sequence[str]) -> None:
        for key in data:
            if key not in allowed:
                raise self.fail([*keys, key], f"unknown key '{key}' (allowed: {', '.join(allowed)})")

    def get(self, data: dict[str, Any], keys: KeyPath, key: str, kind: type[T], default: T | None = None) -> T:
        """data[key] checked to be a `kind` (bool is never accepted as int); `default` when absent or null."""
        value = data.get(key)
        if value is None:
            if default is None:
                raise self.fail(keys, f"missing key '{key}'")
            return default
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail([*keys, key], f"'{key}' must be a whole number, not {value!r}")
        if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)  # type: ignore[return-value]
        if not isinstance(value, kind):
            raise self.fail([*keys, key], f"'{key}' must be {_kind_name(kind)}, not {value!r}")
        return value

    def strings(self, data: dict[str, Any], keys: KeyPath, key: str) -> tuple[str, ...]:
        """An optional list of strings."""
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool)
                                                  for v in value):
            raise self.fail([*keys, key], f"'{key}' must be a list of strings")
        return tuple(str(v) for v in value)


def _kind_name(kind: type) -> str:
    return {str: "a string", int: "a whole number", bool: "true or false", list: "a list",
            dict: "a mapping"}.get(kind, kind.__name__)
