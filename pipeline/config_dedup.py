"""The dedup settings and the concept taxonomy, read from their YAML nodes (errors name the file and line)."""

from __future__ import annotations

import re

import yaml

from pipeline.rules_model import Combination, Concept, DedupRules, Intent, Rewrite, Siblings, Topic
from pipeline.yamlnodes import NodeMap, as_bool, as_int, as_list, as_regex, as_str, fail


def dedup_rules(node: yaml.Node, taxonomy: tuple[Topic, ...]) -> DedupRules:
    m = NodeMap(node, "dedup")
    m.only(("filler", "intents", "threshold", "related_threshold", "related_per_question", "max_block",
            "same_page_strict", "combine", "siblings", "scope", "frames", "examples", "phases", "negation",
            "opposites", "directions", "relative", "rewrites", "prefer"))
    same_page = m.opt("same_page_strict")
    fillers = NodeMap(m.req("filler"), "filler")

    def intent(n: yaml.Node) -> Intent:
        im = NodeMap(n, "an intent")
        im.only(("name", "words", "level", "keep_parents", "open_up_to", "means", "same_as", "shared", "lead_in",
                 "covers", "in_comparison"))
        level, keep, up_to, means = im.opt("level"), im.opt("keep_parents"), im.opt("open_up_to"), im.opt("means")
        same_as, shared, lead_in = im.opt("same_as"), im.opt("shared"), im.opt("lead_in")
        return Intent(as_str(im.req("name")), as_list(im.req("words"), as_str), as_int(level) if level else 2,
                      as_bool(keep) if keep is not None else False, as_int(up_to) if up_to is not None else -1,
                      as_list(means, as_str) if means is not None else (),
                      as_str(same_as) if same_as is not None else "",
                      as_bool(shared) if shared is not None else False,
                      as_bool(lead_in) if lead_in is not None else False,
                      as_list(covers, as_str) if (covers := im.opt("covers")) is not None else (),
                      as_str(compared) if (compared := im.opt("in_comparison")) is not None else "")

    def combination(n: yaml.Node) -> Combination:
        cm = NodeMap(n, "a combination")
        cm.only(("all", "gives"))
        return Combination(as_list(cm.req("all"), as_str), as_str(cm.req("gives")))

    def positive(key: str, default: int) -> int:
        value = m.opt(key)
        number = as_int(value) if value is not None else default
        if value is not None and number < 1:
            raise fail(value, f"{key} must be at least 1")
        return number

    def siblings(n: yaml.Node) -> Siblings:
        sm = NodeMap(n, "siblings")
        sm.only(("ask", "asked"))
        return Siblings(as_str(sm.req("ask")), as_list(sm.req("asked"), as_str))

    intents = as_list(m.req("intents"), intent)
    combine = as_list(combo, combination) if (combo := m.opt("combine")) is not None else ()
    alike = siblings(node_s) if (node_s := m.opt("siblings")) is not None else Siblings()
    named = {i.name for i in intents}
    unknown = sorted(({n for i in intents
                       for n in (*i.means, *i.covers, *filter(None, [i.same_as, i.in_comparison]))}
                      | {n for c in combine for n in (*c.all, c.gives)}
                      | {n for n in (*alike.asked, *filter(None, [alike.ask]))}) - named)
    if unknown:
        raise fail(m.req("intents"),
                   f"unknown intent '{unknown[0]}' in means, same_as, covers, in_comparison, combine or siblings")
    phases = m.opt("phases")
    known = named | {c.id for topic in taxonomy for c in topic.concepts}
    for phase in as_list(phases, lambda n: n) if phases is not None else ():
        if as_str(phase) not in known:
            raise fail(phase, f"unknown phase '{as_str(phase)}': name an intent or a concept id")
    threshold = as_int(m.req("threshold"))
    related = as_int(m.req("related_threshold"))
    if not 0 < related <= threshold <= 100:
        raise fail(m.req("threshold"), "need 0 < related_threshold <= threshold <= 100")
    return DedupRules(
        filler=as_list(fillers.req("zh"), as_str) + as_list(fillers.req("en"), as_str),
        intents=intents,
        threshold=threshold,
        related_threshold=related,
        taxonomy=taxonomy,
        related_per_question=positive("related_per_question", 3),
        max_block=positive("max_block", 64),
        same_page_strict=as_bool(same_page) if same_page is not None else True,
        combine=combine,
        siblings=alike,
        scope=as_list(scope, as_str) if (scope := m.opt("scope")) is not None else (),
        frames=as_list(frames, as_regex) if (frames := m.opt("frames")) is not None else (),
        examples=as_list(marks, as_str) if (marks := m.opt("examples")) is not None else (),
        phases=as_list(phases, as_str) if phases is not None else (),
        negation=as_list(negation, _leftover_word) if (negation := m.opt("negation")) is not None else (),
        opposites=as_list(pairs, _opposite) if (pairs := m.opt("opposites")) is not None else (),
        directions=(ways := _directions(node_w) if (node_w := m.opt("directions")) is not None else ()),
        relative=_relative(m.opt("relative"), ways),
        rewrites=as_list(rewrites, rewrite_rule) if (rewrites := m.opt("rewrites")) is not None else (),
        prefer=as_list(prefer, as_str) if (prefer := m.opt("prefer")) is not None else (),
    )


def _leftover_word(node: yaml.Node) -> str:
    """One leftover word (a negation marker, one of two opposites): a single CJK character or one lowercase word."""
    word = as_str(node)
    if not re.fullmatch(r"[\u3400-\u9fff]|[a-z]+", word):
        raise fail(node, f"'{word}' must be one Chinese character or one lowercase word (as the leftover holds it)")
    return word


def _opposite(node: yaml.Node) -> tuple[str, str]:
    """Two leftover words of opposite sense."""
    pair = as_list(node, _leftover_word)
    if len(pair) != 2 or pair[0] == pair[1]:
        raise fail(node, "an opposite is a pair of two different words")
    return pair[0], pair[1]


def _directions(node: yaml.Node) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Directions and their words: a mapping of two or more names to lists of words."""
    m = NodeMap(node, "directions")
    ways = tuple((name, as_list(words, as_str)) for name, words in m.items.items())
    if len(ways) < 2:
        raise fail(node, "directions needs two or more directions (up and down)")
    return ways


def _relative(node: yaml.Node | None, ways: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, ...]:
    """Directions told from a moment a setting names: each must be a direction."""
    if node is None:
        return ()
    names = as_list(node, as_str)
    unknown = [n for n in names if n not in {name for name, _ in ways}]
    if unknown:
        raise fail(node, f"unknown direction '{unknown[0]}' in relative")
    return names


def taxonomy_topics(node: yaml.Node) -> tuple[Topic, ...]:
    m = NodeMap(node, "taxonomy")

    def concept(n: yaml.Node) -> Concept:
        cm = NodeMap(n, "a concept")
        cm.only(("id", "aliases", "parent", "generic", "parent_when", "kind"))
        parent, generic, when, kind = cm.opt("parent"), cm.opt("generic"), cm.opt("parent_when"), cm.opt("kind")
        if when is not None and parent is None:
            raise fail(when, "parent_when needs a parent")
        return Concept(as_str(cm.req("id")), as_list(cm.req("aliases"), as_str),
                       as_str(parent) if parent is not None else "", as_bool(generic) if generic is not None else False,
                       as_list(when, as_str) if when is not None else (), as_str(kind) if kind is not None else "")

    def topic(n: yaml.Node) -> Topic:
        tm = NodeMap(n, "a topic")
        return Topic(as_str(tm.req("id")), as_str(tm.req("title")), as_list(tm.req("concepts"), concept))

    topics = as_list(m.req("topics"), topic)
    seen: set[str] = set()
    for t in topics:
        if t.id in seen:
            raise fail(m.req("topics"), f"duplicate topic id '{t.id}'")
        seen.add(t.id)
    concepts = {c.id for t in topics for c in t.concepts}
    for t in topics:
        for c in t.concepts:
            if c.parent and c.parent not in concepts:
                raise fail(m.req("topics"), f"concept '{c.id}' names an unknown parent '{c.parent}'")
    return topics


def rewrite_rule(node: object) -> Rewrite:
    m = NodeMap(node, "a rewrite")  # type: ignore[arg-type]
    m.only(("name", "pattern", "replace"))
    return Rewrite(as_str(m.req("name")), as_regex(m.req("pattern")), as_str(m.req("replace")))
