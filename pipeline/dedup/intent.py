"""Question intent: what a question asks about its concepts, failing closed (an unknown ask only matches itself)."""

from __future__ import annotations

from enum import StrEnum

from pipeline.dedup.taxonomy import Lexicon

DEFINITION_LEVEL = 0


class Fallback(StrEnum):
    """Intents given when no cue names one."""

    EXPLAIN = "explain"  # a bare noun phrase ("梯度消失和梯度爆炸") asks to explain the thing
    GENERIC = "generic"  # words no rule knows: the leftover text must then agree


def resolve(cues: list[str], lex: Lexicon, leftover: bool) -> frozenset[str]:
    """The intents of the highest level named (an open request or a definition yields to a sharper ask), after
    combinations ('why' + 'use' = purpose) and with an intent standing for others replaced by them."""
    if not cues:
        if leftover:
            return frozenset({Fallback.GENERIC})
        plain = [name for name in lex.open_intents if name not in lex.open_covers]  # the plainest open request
        return frozenset(plain[:1] or [Fallback.EXPLAIN.value])  # a bare noun phrase asks to explain the thing
    named = set(cues)
    for parts, gives in lex.combos:
        if parts <= named:
            named = (named - parts) | {gives}
    levels = lex.intent_levels
    top = max(levels.get(c, DEFINITION_LEVEL) for c in named)
    return frozenset(m for c in named if levels.get(c, DEFINITION_LEVEL) == top for m in lex.means.get(c, {c}))


def canonical(intents: frozenset[str], same_as: dict[str, str]) -> frozenset[str]:
    """The intents with each one that asks what another asks replaced by that one ('why X?' is 'what is X for?');
    kept apart from the intents as asked, which one page's two questions must share to be one card."""
    return frozenset(same_as.get(i, i) for i in intents) if same_as else intents


def openness(intents: frozenset[str], opens: dict[str, int]) -> int:
    """The highest level an open request agrees with; -1 when these intents are not an open request."""
    return max((opens[i] for i in intents if i in opens), default=-1) if intents and intents <= opens.keys() else -1


def agree(a: frozenset[str], b: frozenset[str], levels: dict[str, int], opens: dict[str, int],
          covers: dict[str, frozenset[str]]) -> bool:
    """Same intents, or one side an open request and each intent of the other within its reach or among those it
    covers by name ('X是怎么回事' covers why X happens and how to avoid it)."""
    if a == b:
        return True
    for one, other in ((a, b), (b, a)):
        reach = openness(one, opens)
        if other and reach >= 0:
            named = frozenset(c for i in one for c in covers.get(i, ()))
            if all(levels.get(i, 99) <= reach or i in named for i in other):
                return True
    return False


def specific(intents: frozenset[str], opens: dict[str, int]) -> frozenset[str]:
    """The intents that are not open requests (what a card's members must agree on)."""
    return intents - opens.keys()
