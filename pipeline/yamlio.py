"""Deterministic YAML and atomic writes: outputs go to a temporary file and are renamed into place."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError

# libyaml's loader and emitter when present (20x faster, and the same text as the pure-Python emitter for
# everything but characters outside the BMP, which libyaml escapes as \UXXXXXXXX: those escapes are turned
# back into the characters, so emoji stay readable in diffs).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ASTRAL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\U([0-9A-F]{8})")


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block style; multi-line strings as literal blocks so diffs stay readable."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


# Scalars the emitter writes plain, unquoted, on one line: ASCII words, ids, paths and short phrases.
_PLAIN = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_./-]| (?! ))*(?<! )")
_STR_TAG = "tag:yaml.org,2002:str"
_EMPTY = "''"
_RESOLVER = yaml.resolver.Resolver()  # the implicit tags (bool, int, null, ...) a plain scalar would take


@functools.lru_cache(maxsize=65536)
def plain_scalar(value: str) -> bool:
    """Whether the emitter writes `value` plain: unquoted, on one line, as it stands."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return bool(_PLAIN.fullmatch(value)) and tag == _STR_TAG


def _records(data: Any, indent: str, out: list[str]) -> bool:
    """Block-style YAML of mappings whose values are plain strings, ints or lists of such mappings, exactly as
    the emitter writes it; False (and partial output) for anything else."""
    if not isinstance(data, dict) or not data:
        return False
    first = True
    for key, value in data.items():
        lead = indent if first else " " * len(indent)
        first = False
        if not isinstance(key, str) or not plain_scalar(key) or len(key) >= 128:  # longer: the emitter writes "? key"
            return False
        if isinstance(value, bool) or value is None:
            return False
        if isinstance(value, int):
            out.append(f"{lead}{key}: {value}\n")
        elif isinstance(value, str):
            if value and not plain_scalar(value):
                return False
            out.append(f"{lead}{key}: {value or _EMPTY}\n")
        elif isinstance(value, list):
            if not value:
                out.append(f"{lead}{key}: []\n")
                continue
            out.append(f"{lead}{key}:\n")
            pad = " " * len(lead)
            if not all(_records(item, pad + "- ", out) for item in value):
                return False
        else:
            return False
    return True


_SCALAR_TAGS = {str: _STR_TAG, int: "tag:yaml.org,2002:int", bool: "tag:yaml.org,2002:bool",
                type(None): "tag:yaml.org,2002:null"}


def _node(data: Any, seen: set[int]) -> yaml.Node:
    """`data` as the block-style representer (with literal blocks for multi-line strings) makes it, for the plain
    types stage files hold; TypeError for any other type, or a list or mapping met twice (it would be aliased)."""
    kind = type(data)
    if kind is str:
        return yaml.ScalarNode(_STR_TAG, data, style="|" if "\n" in data else None)
    if kind in _SCALAR_TAGS:
        text = "null" if data is None else str(data).lower() if kind is bool else str(data)
        return yaml.ScalarNode(_SCALAR_TAGS[kind], text)
    if (kind is not list and kind is not dict) or id(data) in seen:
        raise TypeError(kind)
    seen.add(id(data))
    if kind is list:
        return yaml.SequenceNode("tag:yaml.org,2002:seq", [_node(item, seen) for item in data], flow_style=False)
    return yaml.MappingNode("tag:yaml.org,2002:map", [(_node(k, seen), _node(v, seen)) for k, v in data.items()],
                            flow_style=False)


def dump_yaml(data: Any) -> str:
    """YAML text: stable key order (as given), Unicode kept, no line wrapping."""
    fast: list[str] = []
    if _records(data, "", fast):  # machine-kept records (merged.yaml): the same text, without the emitter's cost
        return "".join(fast)
    try:  # the nodes the representer would make, made directly: the same text at a third of the cost
        text: str = yaml.serialize(_node(data, set()), Dumper=_Dumper, allow_unicode=True, width=1_000_000)
    except TypeError:
        text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000,
                         default_flow_style=False)
    if "\\U" not in text:
        return text
    readable = _ASTRAL_ESCAPE.sub(lambda m: m.group(1) + chr(int(m.group(2), 16)), text)
    return readable if yaml.load(readable, Loader=_Loader) == data else text  # a literal "\\U..." stays as is


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(path: Path, text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(path, write)


# Characters JSON leaves raw that YAML treats as line breaks or as unprintable: escaped in flow output.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")


def _indented(data: Any, pad: str, out: list[str]) -> None:
    """`data` as json.dumps(data, ensure_ascii=False, indent=1) writes it, made with the C string encoder and
    without the indenting encoder's reference cycles (one a call: a collector's work in a large ledger)."""
    kind = type(data)
    if kind is str:
        out.append(_json_string(data))
    elif kind is dict or kind is list:
        if not data:
            out.append("{}" if kind is dict else "[]")
            return
        inner = pad + " "
        out.append("{\n" if kind is dict else "[\n")
        for index, item in enumerate(data.items() if kind is dict else data):
            out.append(",\n" + inner if index else inner)
            if kind is dict:
                key, item = item
                if type(key) is not str:
                    raise TypeError(key)
                out.append(_json_string(key) + ": ")
            _indented(item, inner, out)
        out.append("\n" + pad + ("}" if kind is dict else "]"))
    elif kind is int or kind is bool or data is None:
        out.append(json.dumps(data))
    else:
        raise TypeError(kind)


_json_string = json.encoder.encode_basestring  # the C encoder, Unicode kept


def dump_flow(data: Any, header: str = "") -> str:
    """YAML in flow style, one key per line (JSON is YAML): 50x faster to write than block style, for large
    machine-kept files such as the ledger. Deterministic, Unicode kept, never wrapped."""
    out: list[str] = []
    try:
        _indented(data, "", out)
        text = "".join(out)
    except TypeError:  # a value of another type (a float, say): the json module writes it
        text = json.dumps(data, ensure_ascii=False, indent=1)
    return header + _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n"


def write_yaml(path: Path, data: Any, cache_dir: Path | None = None) -> None:
    """Write `data` as YAML. With `cache_dir`, a file whose data and bytes are what this call last wrote is left
    as it is (checking costs a JSON digest, much less than emitting the YAML)."""
    if cache_dir is None:
        write_text(path, dump_yaml(data))
        return
    try:
        digest = hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()[:24]
    except (TypeError, ValueError):
        write_text(path, dump_yaml(data))
        return
    stamp = cache_dir / f"{hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]}.written"
    try:
        recorded = stamp.read_text(encoding="utf-8").split()
        if recorded == [digest, hashlib.sha256(path.read_bytes()).hexdigest()[:24]]:
            return
    except OSError:
        pass
    text = dump_yaml(data)
    write_text(path, text)
    write_text(stamp, f"{digest} {hashlib.sha256(text.encode('utf-8')).hexdigest()[:24]}\n")


def read_yaml(path: Path, cache_dir: Path | None = None) -> Any:
    """Load a YAML file; a syntax error becomes a ConfigError naming file and line.

    With `cache_dir`, the parsed data is also kept there as JSON keyed by the file's bytes, so an unchanged
    file (a 20,000-card ledger, say) is never parsed twice; the YAML stays the only source of truth.
    """
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), None, f"not UTF-8 text: {exc.reason}") from exc
    cached = None
    if cache_dir is not None:
        stem, cached = _parsed_name(path, raw, cache_dir)
        try:
            return json.loads(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    data = _parse(path, text)
    if cache_dir is not None and cached is not None and _json_safe(data):
        for old in cache_dir.glob(f"{stem}-*.json"):
            old.unlink()
        write_text(cached, json.dumps(data, ensure_ascii=False))
    return data


def _parsed_name(path: Path, raw: bytes, cache_dir: Path) -> tuple[str, Path]:
    stem = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    return stem, cache_dir / f"{stem}-{hashlib.sha256(raw).hexdigest()[:24]}.json"


def _json_safe(data: Any) -> bool:
    try:
        return bool(json.loads(json.dumps(data)) == data)
    except (TypeError, ValueError):
        return False


_COMMENT_LINES = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*")


def _parse(path: Path, text: str) -> Any:
    leading = _COMMENT_LINES.match(text)
    body = text[leading.end():] if leading else text
    if body.startswith("{"):  # flow-style files such as the ledger are JSON: its parser is 30x faster
        try:
            return json.loads(body)
        except ValueError:
            pass  # not JSON after all: YAML decides, and names the line of any error
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ConfigError(str(path), mark.line + 1 if mark else None, f"invalid YAML: {exc.problem}") from exc


def require(data: Any, key: str, kind: type, path: Path) -> Any:
    """Fetch a key of an expected type from loaded YAML, or fail naming the file and the key's line."""
    if not isinstance(data, dict) or key not in data:
        raise ConfigError(str(path), line_of(path, key), f"missing key '{key}'")
    value = data[key]
    if not isinstance(value, kind):
        raise ConfigError(str(path), line_of(path, key), f"'{key}' must be a {kind.__name__}")
    return value


def line_of(path: Path, key: str) -> int | None:
    """The first line of a file that defines `key` (for error messages)."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith(f"{key}:"):
                return number
    except OSError:
        return None
    return None
