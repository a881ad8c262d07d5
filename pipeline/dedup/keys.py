"""A question reduced for matching (concepts, intents, numbers, leftover text) and its blocking keys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pipeline.config import DedupRules
from pipeline.dedup.intent import canonical, resolve
from pipeline.dedup.taxonomy import Role, lexicon, normalize

_LEADING_NUMBER = re.compile(r"^\s*(?:q\s*\d+\s*[:：.]|\d+(?:\.\d+)*\s*[、.．:：)]\s*(?!\d)|\d+(?:\.\d+)+\s+(?=\D))\s*")
_TOKEN = re.compile(r"[a-z][a-z0-9+#]*|\d+(?:\.\d+)?|[\u3400-\u9fff]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_COMMAS = frozenset(",，")
_CLAUSE_END = re.compile(r"[?？;；,，。!！:：]|(?<!\bvs)(?<!\be\.g)(?<!\bi\.e)(?<!\betc)\.(?=\s)"
                         r"|\s(?=and\s+(?:why|how|what|which|when|where|is|are|does|do|can)\b)")
_GLOSS = re.compile(r"(?:^|(?<=[\s\u3400-\u9fff\W]))[(（]([^()（）]{1,40})[)）]")  # '思维链(Chain-of-Thought)'


@dataclass(frozen=True)
class Ask:
    """One later clause's ask: its concepts (with the question's), intents, leftover words, and its intents' block."""

    concepts: frozenset[str]
    intents: frozenset[str]
    leftover: tuple[str, ...]
    block: str


@dataclass(frozen=True)
class Key:
    """A question reduced for comparison."""

    text: str  # normalized, punctuation-free: equal texts are the same question
    concepts: frozenset[str]  # the specific concepts named (children absorb parents)
    intents: frozenset[str]
    numbers: frozenset[str]
    leftover: tuple[str, ...]  # words (CJK: characters) left after concepts, cues and filler, in order
    lang: str
    ask_block: str = ""  # the intents as blocked: every intent of an open request's level shares one block
    partial: bool = False  # a later clause elaborating the ask was left out ('什么是X,它为什么重要?')
    more: tuple[Ask, ...] = ()  # the asks of later clauses ('什么是X,它为什么重要?' also asks why X matters)
    setting: frozenset[str] = frozenset()  # where or when it is asked: scope and frame concepts, a frame's words
    parents_named: frozenset[str] = frozenset()  # parents named beside their child ('Why is GPT decoder-only?')
    compares: tuple[frozenset[str], ...] = ()  # the alternatives each shared ask (a comparison) names
    covered: tuple[str, ...] = ()  # the blocks of the asks an open request covers by name ('X是怎么回事': fix)
    directions: frozenset[str] = frozenset()  # which ways quantities go, outside concept names ('过大': up)
    prefers: tuple[frozenset[str], ...] = ()  # (chosen, passed over): 'Why use LoRA rather than full fine-tuning?'

    @property
    def signature(self) -> tuple[frozenset[str], str, frozenset[str]]:
        return self.concepts, self.ask_block, self.numbers

    @property
    def intent(self) -> str:
        return "+".join(sorted(self.intents))


@dataclass
class _Clause:
    """One clause of a question: its intent cues, concepts and leftover text pieces."""

    cues: list[str] = field(default_factory=list)
    concepts: set[str] = field(default_factory=set)
    rest: list[str] = field(default_factory=list)
    scope: set[str] = field(default_factory=set)  # concepts named after a scope phrase
    frame_words: set[str] = field(default_factory=set)  # a frame's own words ('在训练时': 训 练)
    leads: bool = False  # it asks only a lead-in intent and ends in a comma: it belongs to the next clause
    examples: bool = False  # it starts with an example marker ('例如', 'such as'): it names what the one before asks
    comma: bool = False  # it ends in a comma: a clause of bare names after it goes on listing ('A, B, and C')
    prefers: bool = False  # it chooses between concepts ('rather than', '而不是'): those after the word are passed over
    passed: set[str] = field(default_factory=set)  # the concepts named after that word

    def join(self, next_clause: _Clause) -> _Clause:
        """This lead-in clause and the clause it leads into, as one ('与X相比，Y有什么优点')."""
        return _Clause(self.cues + next_clause.cues, self.concepts | next_clause.concepts,
                       self.rest + next_clause.rest, self.scope | next_clause.scope,
                       self.frame_words | next_clause.frame_words, next_clause.leads, comma=next_clause.comma,
                       prefers=self.prefers or next_clause.prefers, passed=self.passed | next_clause.passed)


def _clauses(text: str, rules: DedupRules) -> tuple[list[_Clause], frozenset[str]]:
    """The question cut at clause ends; a parenthesised gloss names concepts of its clause (unless it lists kinds
    of a concept the clause names) but is no part of the wording ('思维链(CoT)提示' is '思维链提示'). Also the
    directions its words outside concept names say ('batch size过大': up; 'low-rank adaptation': none)."""
    lex = lexicon(rules)
    glosses = [(m.start(), {h.value for h in lex.trie.scan(m.group(1)) if h.role is Role.CONCEPT})
               for m in _GLOSS.finditer(text)]
    text = _GLOSS.sub(lambda m: " " * len(m.group(0)), text)
    # a frame says when, not what ('在进行softmax之前'): its concepts are scope, its cues and words nothing
    framed = [m.span() for frame in rules.frames for m in frame.finditer(text)]
    wording = text
    for start, end in framed:
        wording = wording[:start] + " " * (end - start) + wording[end:]
    clauses: list[_Clause] = []
    hits, at, last = lex.trie.scan(text), 0, 0
    bare = list(text)  # the text less every phrase the lexicon knows: what a frame says in words of its own
    unnamed = list(text)  # the text less concept names
    for hit in hits:
        bare[hit.start:hit.end] = " " * (hit.end - hit.start)
        if hit.role is Role.CONCEPT:
            unnamed[hit.start:hit.end] = " " * (hit.end - hit.start)
    directions = frozenset(h.value for h in lex.directions.scan("".join(unnamed))) if lex.directions else frozenset()
    for bound in [m.end() for m in _CLAUSE_END.finditer(text)] + [len(text)]:
        clause = _Clause()
        clause.examples = bool(lex.examples) and text[last:bound].lstrip().startswith(lex.examples)
        clause.frame_words = {w for start, end in framed if last <= start < bound
                              for w in _words(["".join(bare[start:end])])}
        glossed = {c for start, found in glosses if last <= start < bound for c in found}
        scoped = False
        while at < len(hits) and hits[at].start < bound:
            hit = hits[at]
            at += 1
            if not scoped:
                clause.rest += [wording[last:hit.start], " "]
            last = hit.end
            scoped = scoped or hit.role is Role.SCOPE
            if any(start <= hit.start < end for start, end in framed):
                if hit.role is Role.CONCEPT:
                    clause.scope.add(hit.value)
                elif hit.role is Role.INTENT:  # '在训练时': a cue word inside a frame names the setting, asks nothing
                    clause.frame_words.add(hit.value)
            elif scoped and hit.role is Role.CONCEPT:
                clause.scope.add(hit.value)
            elif scoped:
                continue
            elif hit.role is Role.CONCEPT:
                clause.concepts.add(hit.value)
                if clause.prefers:
                    clause.passed.add(hit.value)
            elif hit.role is Role.INTENT:
                clause.cues.append(hit.value)
            elif hit.role is Role.PREFER:
                clause.prefers = True
        # a gloss naming kinds of a concept the clause names lists examples: 'normalization(batchnorm/layernorm)'
        clause.concepts |= {c for c in glossed if not clause.concepts & set(lex.taxonomy.ancestors(c))}
        if not scoped:
            clause.rest.append(wording[last:bound])
        clause.concepts = clause.concepts or clause.scope  # the scope, when nothing else is named
        last = max(last, bound)
        clause.comma = text[bound - 1:bound] in _COMMAS
        clause.leads = bool(clause.cues) and set(clause.cues) <= lex.lead_in and text[bound - 1:bound] in _COMMAS \
            and bool(clause.concepts)  # '与X相比，' leads in; '相比之下，' names nothing to compare
        clauses.append(clause)
    return _joined(clauses), directions


def _joined(clauses: list[_Clause]) -> list[_Clause]:
    """The clauses with each lead-in joined to the clause after it, a list of examples ('例如 A, B, 和 C') to the
    clause it illustrates (the examples are what that clause asks about), and a clause of bare names after a comma to
    the clause before it ('Contrast GPT, BERT, and T5': the names go on listing what it asks about)."""
    out: list[_Clause] = []
    listing = False
    for clause in clauses:
        names_only = not clause.cues and bool(clause.concepts) and not _words(clause.rest)
        goes_on = names_only and (listing or out[-1].comma) if out else False  # 'contrast A, B, and C'
        if out and (out[-1].leads or (clause.examples and not clause.cues) or goes_on):
            listing = clause.examples or (listing and names_only)
            out.append(out.pop().join(clause))
        else:
            listing = False
            out.append(clause)
    return out


def _words(pieces: list[str]) -> tuple[str, ...]:
    return tuple(t for t in _TOKEN.findall("".join(pieces)) if not _NUMBER.fullmatch(t))


def make_key(question: str, lang: str, rules: DedupRules) -> Key:
    lex = lexicon(rules)
    text = _LEADING_NUMBER.sub("", normalize(question))
    for rewrite in rules.rewrites:
        text = rewrite.pattern.sub(rewrite.replace, text)
    for phrase in lex.leading_filler:
        if text.startswith(phrase):
            text = text[len(phrase):]
            break
    clauses, directions = _clauses(text, rules)
    # the first clause that names an intent is the question asked (with the clauses before it, which set its
    # scene); later clauses elaborate it: their asks are kept apart, their concepts do not count
    chosen = next((n for n, c in enumerate(clauses) if c.cues), None)
    head = clauses[:chosen + 1] if chosen is not None else clauses
    cues = clauses[chosen].cues if chosen is not None else []
    rest = clauses[chosen].rest if chosen is not None else [piece for c in clauses for piece in c.rest]
    later = clauses[chosen + 1:] if chosen is not None else []
    partial = any(c.cues or _TOKEN.search("".join(c.rest)) for c in later)
    numbers = frozenset(_NUMBER.findall(" ".join(piece for c in clauses for piece in c.rest)))
    leftover = _words(rest)
    intents = resolve(cues, lex, bool(leftover))
    keep_parents = bool(intents & lex.keeps_parents)  # 'LoRA vs fine-tuning' names both on purpose
    named = {c for clause in head for c in clause.concepts}
    concepts = lex.taxonomy.as_asked(lex.taxonomy.specific(named, keep_parents), intents)
    if lex.siblings_ask and canonical(intents, lex.same_as) <= lex.siblings_from \
            and lex.taxonomy.siblings(concepts, named):
        intents = frozenset({lex.siblings_ask})  # 'L1和L2正则化的作用': naming two alternatives together contrasts them
    more = tuple(Ask(lex.taxonomy.as_asked(lex.taxonomy.specific(named | c.concepts, bool(asked & lex.keeps_parents)),
                                           asked), asked,
                     _words(c.rest), _ask_block(asked, rules))
                 for c in later if c.cues for asked in [_further(resolve(c.cues, lex, False), intents)]
                 if not asked <= lex.open_intents.keys())  # '详细解释一下' after an ask elaborates it
    compact = _PUNCT.sub(" ", _GLOSS.sub(" ", text)).strip()
    if _CJK.search(compact):
        compact = re.sub(r"\s+(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])\s+", "", compact)
    # where it is asked: scope and frame concepts, a frame's words, and the broad fields it names ('in NLP')
    fields = named & lex.taxonomy.generic
    setting = frozenset(c for clause in head for c in clause.scope | clause.frame_words) | fields
    parents_named = frozenset(named - concepts - lex.taxonomy.generic)
    compares = tuple(sorted({ask.concepts for ask in (Ask(concepts, intents, leftover, ""), *more)
                             if ask.intents & lex.shared and len(ask.concepts) > 1}, key=sorted))
    ask_block = _ask_block(intents, rules)
    covered = tuple(sorted({_ask_block(frozenset({c}), rules) for i in intents for c in lex.open_covers.get(i, ())}
                           - {ask_block})) if intents <= lex.open_intents.keys() else ()
    return Key(compact, concepts, intents, numbers, leftover, lang, ask_block, partial, more,
               setting, parents_named, compares, covered, directions, _prefers(clauses[chosen] if chosen is not None
                                                                              else None, lex.taxonomy.generic))


def _prefers(clause: _Clause | None, generic: frozenset[str]) -> tuple[frozenset[str], ...]:
    """(chosen, passed over) when the asking clause chooses between concepts ('为什么用DPO而不是PPO'); () otherwise."""
    if clause is None or not clause.prefers:
        return ()
    chosen, passed = frozenset(clause.concepts - clause.passed - generic), frozenset(clause.passed - generic)
    return (chosen, passed) if chosen and passed else ()


def _further(asked: frozenset[str], main: frozenset[str]) -> frozenset[str]:
    """A later clause's ask, less a cue that repeats the main ask beside a new one ('X的公式,公式为什么要除以Y')."""
    return asked - main or asked


def _ask_block(intents: frozenset[str], rules: DedupRules) -> str:
    """The intents as blocked: the asks an open request agrees with share one block."""
    lex = lexicon(rules)
    intents = canonical(intents, lex.same_as)
    reach = max(lex.open_intents.values(), default=-1)
    within = all(i in lex.open_intents or lex.intent_levels.get(i, 99) <= reach for i in intents)
    return "open" if within else "+".join(sorted(intents))


Block = tuple[object, ...]


def blocks(key: Key) -> Iterator[Block]:
    """Candidate keys: the exact text, and (concepts, intents, numbers) with the leftover or the leftover less one
    word, so two keys whose leftovers differ by one word (added, dropped or swapped) share a block; the same for
    each later ask, so a question asking two things meets the questions asking one of them, and for each ask an
    open request covers by name ('X是怎么回事' meets 'how to avoid X'); an ask of three or
    more concepts also under each set of one fewer (comparing LR and SVM is part of comparing SVM, LR and trees);
    and each comparison by the alternatives it names alone."""
    yield ("text", key.lang, key.text)
    for concepts, block, leftover in ((key.concepts, key.ask_block, key.leftover),
                                      *((key.concepts, covered, key.leftover) for covered in key.covered),
                                      *((a.concepts, a.block, a.leftover) for a in key.more)):
        words = tuple(sorted(set(leftover)))
        for named in (concepts, *(concepts - {c} for c in sorted(concepts) if len(concepts) > 2)):
            signature = (named, block, key.numbers)
            yield ("sig", signature, words)
            for n in range(len(words)):
                yield ("sig", signature, words[:n] + words[n + 1:])
    for compared in key.compares:  # questions comparing the same alternatives meet, whatever else they ask
        for named in (compared, *(compared - {c} for c in sorted(compared) if len(compared) > 2)):
            yield ("compare", named, key.numbers)


def concept_block(key: Key) -> Block | None:
    """Where near-misses are looked for: the same concepts, any intent."""
    return ("concepts", key.concepts) if key.concepts else None
