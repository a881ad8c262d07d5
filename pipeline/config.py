"""Load and validate the rule files (package defaults plus an optional user file); errors name file:line."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypeVar

import soupsieve
import yaml

from pipeline.errors import ConfigError

SECTIONS = ("junk", "structure", "damage", "dedup", "taxonomy", "deck")
T = TypeVar("T")


@dataclass(frozen=True)
class Rule:
    """A named pattern; `origin` is file:line for reports."""

    name: str
    regex: re.Pattern[str]
    origin: str
    max_chars: int = 0

    def matches(self, text: str) -> bool:
        if self.max_chars and len(text) > self.max_chars:
            return False
        return bool(self.regex.search(text))


@dataclass(frozen=True)
class SelectorRule:
    """A named CSS selector for HTML chrome."""

    name: str
    selector: str
    origin: str


@dataclass(frozen=True)
class JunkRules:
    html_drop: tuple[SelectorRule, ...]
    drop_block: tuple[Rule, ...]
    end_of_content: tuple[Rule, ...]
    drop_span: tuple[Rule, ...]


@dataclass(frozen=True)
class StructureRules:
    numbering: tuple[Rule, ...]
    answer_point_numbering: frozenset[str]
    section_numbering: frozenset[str]
    question_markers: tuple[re.Pattern[str], ...]
    section_patterns: tuple[re.Pattern[str], ...]
    answer_labels: tuple[re.Pattern[str], ...]
    question_words_zh: tuple[str, ...]
    question_words_zh_topic: tuple[str, ...]
    question_words_en: tuple[str, ...]
    question_final_words: tuple[str, ...]
    question_continuations: tuple[str, ...]
    bullets: tuple[str, ...]
    non_question_sections: re.Pattern[str]
    max_question_chars: int


@dataclass(frozen=True)
class DamageRule:
    name: str
    reason: str
    regex: re.Pattern[str] | None
    dangling_colon: bool = False
    cut_off: bool = False


@dataclass(frozen=True)
class Intent:
    name: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class DedupRules:
    filler: tuple[str, ...]
    intents: tuple[Intent, ...]
    threshold: int
    related_threshold: int


@dataclass(frozen=True)
class Concept:
    id: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    concepts: tuple[Concept, ...]


@dataclass(frozen=True)
class DeckSettings:
    deck_name: str
    fallback_topic: str
    note_type_name: str
    note_type_id: int
    package_name: str


@dataclass(frozen=True)
class Rules:
    """All policy deckmill runs on."""

    junk: JunkRules
    structure: StructureRules
    damage: tuple[DamageRule, ...]
    dedup: DedupRules
    taxonomy: tuple[Topic, ...]
    deck: DeckSettings
    fingerprint: str = ""


def _where(node: yaml.Node) -> tuple[str, int]:
    return node.start_mark.name, node.start_mark.line + 1


def _fail(node: yaml.Node, message: str) -> ConfigError:
    path, line = _where(node)
    return ConfigError(path, line, message)


def _compose(path: Path) -> yaml.Node | None:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.compose(fh, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(str(path), line, f"invalid YAML: {exc.problem or exc.context}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, f"cannot read: {exc}") from exc


def _merge(base: yaml.Node, over: yaml.Node) -> yaml.Node:
    """Overlay a user node on a default node: mappings merge, sequences append, scalars replace."""
    if isinstance(base, yaml.MappingNode) and isinstance(over, yaml.MappingNode):
        merged = list(base.value)
        index = {k.value: i for i, (k, _) in enumerate(merged) if isinstance(k, yaml.ScalarNode)}
        for key, value in over.value:
            if isinstance(key, yaml.ScalarNode) and key.value in index:
                i = index[key.value]
                merged[i] = (merged[i][0], _merge(merged[i][1], value))
            else:
                merged.append((key, value))
        return yaml.MappingNode(base.tag, merged, base.start_mark, base.end_mark)
    if isinstance(base, yaml.SequenceNode) and isinstance(over, yaml.SequenceNode):
        return yaml.SequenceNode(base.tag, base.value + over.value, over.start_mark, over.end_mark)
    return over


class _Map:
    """Typed access to a YAML mapping node, failing with file:line."""

    def __init__(self, node: yaml.Node, what: str) -> None:
        if not isinstance(node, yaml.MappingNode):
            raise _fail(node, f"{what} must be a mapping")
        self.node = node
        self.items: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise _fail(key, "keys must be plain strings")
            self.items[key.value] = value

    def req(self, key: str) -> yaml.Node:
        if key not in self.items:
            raise _fail(self.node, f"missing key '{key}'")
        return self.items[key]

    def opt(self, key: str) -> yaml.Node | None:
        return self.items.get(key)

    def only(self, allowed: tuple[str, ...]) -> None:
        for key, value in self.node.value:
            if key.value not in allowed:
                raise _fail(key, f"unknown key '{key.value}' (allowed: {', '.join(allowed)})")
            del value


def _str(node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag.endswith((":null", ":map", ":seq")):
        raise _fail(node, "expected a string")
    return str(node.value)


def _int(node: yaml.Node) -> int:
    if not isinstance(node, yaml.ScalarNode):
        raise _fail(node, "expected a whole number")
    try:
        return int(node.value)
    except ValueError as exc:
        raise _fail(node, f"expected a whole number, got '{node.value}'") from exc


def _bool(node: yaml.Node) -> bool:
    value = _str(node).lower()
    if value not in ("true", "false", "yes", "no"):
        raise _fail(node, f"expected true or false, got '{value}'")
    return value in ("true", "yes")


def _list(node: yaml.Node, item: Callable[[yaml.Node], T]) -> tuple[T, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise _fail(node, "expected a list")
    return tuple(item(child) for child in node.value)


def _regex(node: yaml.Node, flags: int = 0) -> re.Pattern[str]:
    text = _str(node)
    try:
        return re.compile(text, flags)
    except re.error as exc:
        raise _fail(node, f"invalid regular expression {text!r}: {exc}") from exc


def _rule(node: yaml.Node) -> Rule:
    m = _Map(node, "a rule")
    m.only(("name", "pattern", "max_chars"))
    path, line = _where(node)
    max_chars = m.opt("max_chars")
    return Rule(
        name=_str(m.req("name")),
        regex=_regex(m.req("pattern"), re.IGNORECASE),
        origin=f"{Path(path).name}:{line}",
        max_chars=_int(max_chars) if max_chars is not None else 0,
    )


def _numbering(node: yaml.Node) -> Rule:
    rule = _rule(node)
    if "num" not in rule.regex.groupindex:
        raise _fail(node, f"numbering pattern '{rule.name}' must define the group (?P<num>...)")
    return rule


def _selector(node: yaml.Node) -> SelectorRule:
    m = _Map(node, "a selector rule")
    m.only(("name", "selector"))
    selector = _str(m.req("selector"))
    try:
        soupsieve.compile(selector)
    except Exception as exc:  # soupsieve raises its own SelectorSyntaxError and ValueError
        raise _fail(m.req("selector"), f"invalid CSS selector {selector!r}: {exc}") from exc
    path, line = _where(node)
    return SelectorRule(_str(m.req("name")), selector, f"{Path(path).name}:{line}")


def _junk(node: yaml.Node) -> JunkRules:
    m = _Map(node, "junk")
    m.only(("html_drop", "drop_block", "end_of_content", "drop_span"))
    return JunkRules(
        html_drop=_list(m.req("html_drop"), _selector),
        drop_block=_list(m.req("drop_block"), _rule),
        end_of_content=_list(m.req("end_of_content"), _rule),
        drop_span=_list(m.req("drop_span"), _rule),
    )


def _structure(node: yaml.Node) -> StructureRules:
    m = _Map(node, "structure")
    words = _Map(m.req("question_words"), "question_words")
    numbering = _list(m.req("numbering"), _numbering)
    names = {rule.name for rule in numbering}
    point_styles = frozenset(_list(m.req("answer_point_numbering"), _str))
    section_styles = frozenset(_list(m.req("section_numbering"), _str))
    for key, styles in (("answer_point_numbering", point_styles), ("section_numbering", section_styles)):
        for style in styles - names:
            raise _fail(m.req(key), f"unknown numbering style '{style}'")
    labels = _list(m.req("answer_labels"), lambda n: _regex(_Map(n, "label").req("pattern"), re.I))
    return StructureRules(
        numbering=numbering,
        answer_point_numbering=point_styles,
        section_numbering=section_styles,
        question_markers=_list(m.req("question_markers"), lambda n: _regex(n, re.I)),
        section_patterns=_list(m.req("section_patterns"), _regex),
        answer_labels=labels,
        question_words_zh=_list(words.req("zh"), _str),
        question_words_zh_topic=_list(words.req("zh_topic"), _str),
        question_words_en=_list(words.req("en"), _str),
        question_final_words=_list(m.req("question_final_words"), _str),
        question_continuations=_list(m.req("question_continuations"), _str),
        bullets=_list(m.req("bullets"), _str),
        non_question_sections=_regex(m.req("non_question_sections"), re.I),
        max_question_chars=_int(m.req("max_question_chars")),
    )


def _damage_rule(node: yaml.Node) -> DamageRule:
    m = _Map(node, "a damage rule")
    m.only(("name", "reason", "pattern", "dangling_colon", "cut_off"))
    pattern = m.opt("pattern")
    colon, cut = m.opt("dangling_colon"), m.opt("cut_off")
    rule = DamageRule(
        name=_str(m.req("name")),
        reason=_str(m.req("reason")),
        regex=_regex(pattern) if pattern is not None else None,
        dangling_colon=_bool(colon) if colon is not None else False,
        cut_off=_bool(cut) if cut is not None else False,
    )
    if rule.regex is None and not (rule.dangling_colon or rule.cut_off):
        raise _fail(node, "a damage rule needs a pattern, dangling_colon: true or cut_off: true")
    return rule


def _dedup(node: yaml.Node) -> DedupRules:
    m = _Map(node, "dedup")
    fillers = _Map(m.req("filler"), "filler")

    def intent(n: yaml.Node) -> Intent:
        im = _Map(n, "an intent")
        return Intent(_str(im.req("name")), _list(im.req("words"), _str))

    threshold = _int(m.req("threshold"))
    related = _int(m.req("related_threshold"))
    if not 0 < related <= threshold <= 100:
        raise _fail(m.req("threshold"), "need 0 < related_threshold <= threshold <= 100")
    return DedupRules(
        filler=_list(fillers.req("zh"), _str) + _list(fillers.req("en"), _str),
        intents=_list(m.req("intents"), intent),
        threshold=threshold,
        related_threshold=related,
    )


def _taxonomy(node: yaml.Node) -> tuple[Topic, ...]:
    m = _Map(node, "taxonomy")

    def concept(n: yaml.Node) -> Concept:
        cm = _Map(n, "a concept")
        return Concept(_str(cm.req("id")), _list(cm.req("aliases"), _str))

    def topic(n: yaml.Node) -> Topic:
        tm = _Map(n, "a topic")
        return Topic(_str(tm.req("id")), _str(tm.req("title")), _list(tm.req("concepts"), concept))

    topics = _list(m.req("topics"), topic)
    seen: set[str] = set()
    for t in topics:
        if t.id in seen:
            raise _fail(m.req("topics"), f"duplicate topic id '{t.id}'")
        seen.add(t.id)
    return topics


def _deck(node: yaml.Node) -> DeckSettings:
    m = _Map(node, "deck")
    m.only(("deck_name", "fallback_topic", "note_type_name", "note_type_id", "package_name"))
    name = _str(m.req("deck_name"))
    if not name.strip() or name.startswith("::") or name.endswith("::"):
        raise _fail(m.req("deck_name"), "deck_name must be a non-empty deck name")
    return DeckSettings(
        deck_name=name,
        fallback_topic=_str(m.req("fallback_topic")),
        note_type_name=_str(m.req("note_type_name")),
        note_type_id=_int(m.req("note_type_id")),
        package_name=_str(m.req("package_name")),
    )


def default_rule_files() -> dict[str, Path]:
    """The rule files shipped inside the package, by section."""
    base = resources.files("pipeline") / "rules"
    return {name: Path(str(base / f"{name}.yaml")) for name in SECTIONS}


def load_rules(user_file: Path | None = None) -> Rules:
    """Load the shipped rules and overlay `user_file` (top-level keys are the section names)."""
    nodes: dict[str, yaml.Node] = {}
    digest = hashlib.sha256()
    files = [*default_rule_files().values(), *([user_file] if user_file is not None else [])]
    for path in files:
        digest.update(path.read_bytes() if path.exists() else b"")
    for name, path in default_rule_files().items():
        node = _compose(path)
        if node is None:
            raise ConfigError(str(path), 1, "empty rule file")
        nodes[name] = node
    if user_file is not None:
        user = _compose(user_file)
        if user is not None:
            overlay = _Map(user, "a deckmill config file")
            overlay.only(SECTIONS)
            for name, node in overlay.items.items():
                nodes[name] = _merge(nodes[name], node)
    taxonomy = _taxonomy(nodes["taxonomy"])
    damage = _Map(nodes["damage"], "damage")
    return Rules(
        junk=_junk(nodes["junk"]),
        structure=_structure(nodes["structure"]),
        damage=_list(damage.req("damage"), _damage_rule),
        dedup=_dedup(nodes["dedup"]),
        taxonomy=taxonomy,
        deck=_deck(nodes["deck"]),
        fingerprint=digest.hexdigest()[:16],
    )
