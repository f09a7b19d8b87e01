"""Finding a trigger's arguments on the parse.

:class:`Context` holds a doc and its mention table and walks the parse from a
trigger word to the mentions that are its subjects and objects (through
coordination, relative and participial clauses, possessors, compounds and
appositions); the functions below are the smaller walks the relation
extractor (:mod:`kg.extract.relations`) shares with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Token

from kg.extract.clauses import DATE_LABELS, DURATION_LABELS, MAX_CLIMB
from kg.extract.mentions import MentionRef
from kg.extract.syntax import RELATIVE_PRONOUNS, EntityIndex, after_preposition, conjuncts, path_to

__all__ = [
    "OBJECT_DEPS",
    "SUBJECT_DEPS",
    "Context",
    "apposed",
    "has_particle",
    "list_owners",
    "named_by",
    "own_product",
    "owner_and_owned",
    "preps",
    "such_as",
]

SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
OBJECT_DEPS = frozenset({"dobj", "obj", "attr", "oprd", "dative"})


#: Dependencies that open a clause of its own: what lies below one is not the verb's object.
_CLAUSE_DEPS = frozenset({"relcl", "advcl", "ccomp", "acl", "parataxis", "conj"})


class Context:
    """The doc, its mention table, and the argument-finding walks over the parse."""

    def __init__(self, doc: Doc, table: list[MentionRef], at: dict[int, int]) -> None:
        self.doc = doc
        self.table = table
        self.at = at
        self.dates = EntityIndex(doc, DATE_LABELS | DURATION_LABELS)

    def args(self, token: Token) -> list[int]:
        """Mentions a phrase headed by ``token`` stands for, with its conjuncts."""
        found: list[int] = []
        for head in conjuncts(token):
            if head.i in self.at:
                found.append(self.at[head.i])
                continue
            for child in head.children:
                if child.dep_ in {"compound", "poss", "nmod", "appos"}:
                    found += [self.at[c.i] for c in conjuncts(child) if c.i in self.at]
            if not found:
                found += [a for p in such_as(head) for a in self.args(p)]
            if not found:
                found += [
                    self.at[p.i]
                    for prep in preps(head, "of")
                    for p in prep.children
                    if p.dep_ == "pobj" and p.i in self.at
                ]
        return list(dict.fromkeys(found))

    def subjects(self, verb: Token, depth: int = 0) -> list[int]:
        """The subject mentions of a verb, inherited through clauses that share it."""
        if depth > MAX_CLIMB:
            return []
        own = []
        for child in verb.children:
            if child.dep_ not in SUBJECT_DEPS:
                continue
            if after_preposition(self.doc, child.left_edge.i):
                # "Alongside Huawei, the US Department of Commerce banned ...": the
                # parser's subject is the prepositional object; the real one is its apposition.
                own += [a for c in child.children if c.dep_ == "appos" for a in self.args(c)]
            else:
                own += self.args(child)
        head = verb.head
        if verb.dep_ == "relcl" and any(
            c.dep_ in SUBJECT_DEPS and c.lower_ in RELATIVE_PRONOUNS for c in verb.children
        ):
            return self.args(head)  # "the maker that sells ..."
        if own or any(c.dep_ in SUBJECT_DEPS for c in verb.children):
            return own
        if head.i == verb.i:
            return []
        if verb.dep_ in {"xcomp", "conj", "advcl", "ccomp"}:
            return self.subjects(head, depth + 1)
        if verb.dep_ == "relcl":
            return self.args(head)
        if verb.dep_ == "acl":
            own_args = self.args(head)
            return own_args or self.governor_subjects(head, depth + 1)
        if verb.dep_ in {"pcomp", "pobj"} and head.pos_ == "ADP":
            governor = head.head
            if governor.pos_ in {"NOUN", "PROPN"} and governor.dep_ in {"npadvmod", "advmod"}:
                governor = governor.head  # "enter the US a long time after gaining ..."
            if governor.pos_ in {"VERB", "AUX"}:
                return self.subjects(governor, depth + 1)
            return self.modifiers(governor, exclude=[]) or self.governor_subjects(
                governor, depth + 1
            )
        return []

    def modifiers(self, noun: Token, *, exclude: Sequence[int]) -> list[int]:
        """Possessors and name modifiers of a noun ("Xiaomi's offer", "US sanctions")."""
        found = [
            self.at[c.i]
            for c in noun.children
            if c.dep_ in {"poss", "compound", "amod", "nmod"}
            and c.i in self.at
            and self.at[c.i] not in exclude
        ]
        return list(dict.fromkeys(found))

    def governor_subjects(self, noun: Token, depth: int = 0) -> list[int]:
        """The subject of the verb a noun depends on ("Xiaomi has relationships with")."""
        head = noun.head
        if head.i == noun.i or depth > MAX_CLIMB:
            return []
        if noun.dep_ in {"dobj", "obj", "attr", "nsubjpass"} and head.pos_ in {"VERB", "AUX"}:
            return self.subjects(head, depth + 1)
        if noun.dep_ == "pobj" and head.pos_ == "ADP" and head.head.pos_ in {"VERB", "AUX"}:
            return self.subjects(head.head, depth + 1)
        if noun.dep_ == "conj":
            return self.governor_subjects(head, depth + 1)
        if noun.dep_ == "appos" and head.i in self.at:
            return [self.at[head.i]]  # "Maria Lopez, a spokeswoman for Acme"
        return []

    def deep_objects(self, verb: Token, *, exclude: Sequence[int]) -> list[int]:
        """Mentions further down the verb's own clause ("banned companies from selling to
        ZTE"), not in a clause of their own ("suspended their raids at the request of a
        commander whose forces were scouring the area for Al Qaeda members")."""
        found = []
        for token in verb.subtree:
            if token.i in self.at and self.at[token.i] not in exclude:
                path = path_to(token, verb)
                if path is not None and not any(
                    t.dep_ in SUBJECT_DEPS or t.dep_ in _CLAUSE_DEPS for t in (token, *path)
                ):
                    found.append((len(path), self.at[token.i]))
        return [m for _, m in sorted(found)][:2]


def preps(token: Token, *lemmas: str) -> list[Token]:
    """The prepositions among ``lemmas`` that hang on ``token`` or on its object."""
    found = [
        c for c in token.children if c.dep_ in {"prep", "agent", "dative"} and c.lower_ in lemmas
    ]
    for child in token.children:  # "sign a deal with": the preposition hangs on the object
        if child.dep_ in {"dobj", "prt"}:
            found += [c for c in child.children if c.dep_ == "prep" and c.lower_ in lemmas]
    return found


def such_as(token: Token) -> list[Token]:
    """The examples a noun lists with "such as" ("makers such as Acme", "such makers as
    Acme")."""
    return [
        p
        for prep in token.children
        if prep.dep_ == "prep"
        and prep.lower_ == "as"
        and any(c.lower_ == "such" for c in prep.children)
        for p in prep.children
        if p.dep_ == "pobj"
    ] + [
        p
        for prep in token.children
        if prep.dep_ == "amod" and prep.lower_ == "such"
        for sib in token.children
        if sib.dep_ == "prep" and sib.lower_ == "as"
        for p in sib.children
        if p.dep_ == "pobj"
    ]


def named_by(ctx: Context, noun: Token) -> list[int]:
    """The mention a bare trigger noun describes: the name it is a compound of ("subsidiary
    Ecofuel") or an apposition to ("Agip Carbone, an ENI subsidiary")."""
    head = noun.head
    if noun.dep_ in {"compound", "appos"} and head.i != noun.i and head.i in ctx.at:
        return [ctx.at[head.i]]
    return []


def apposed(ctx: Context, noun: Token, *, exclude: Sequence[int]) -> list[int]:
    """ "The chief weapons inspector for the UN, Richard Butler": the name in apposition."""
    found = [a for c in noun.children if c.dep_ == "appos" for a in ctx.args(c)]
    return [a for a in dict.fromkeys(found) if a not in exclude]


def owner_and_owned(ctx: Context, noun: Token) -> tuple[list[int], list[int]]:
    """ "Crowley Corp's American Lines subsidiary": the possessor and the name compounded
    with the noun, when it has both."""
    owners = [ctx.at[c.i] for c in noun.children if c.dep_ == "poss" and c.i in ctx.at]
    named = [ctx.at[c.i] for c in noun.children if c.dep_ == "compound" and c.i in ctx.at]
    named = [m for m in named if m not in owners]
    return (owners, named) if owners and named else ([], [])


def has_particle(verb: Token, particle: str) -> bool:
    """Whether a verb carries the particle words of a trigger ("tie up")."""
    words = particle.split()
    children = [c.lower_ for c in verb.children if c.dep_ in {"prt", "dobj", "advmod"}]
    return all(w in children or any(c.startswith(w) for c in children) for w in words)


def list_owners(ctx: Context, noun: Token, *, exclude: Sequence[int]) -> list[int]:
    """Who keeps a list: its possessor ("the Pentagon's list") or a public body naming it.

    A list's own name ("the Chinese Military Companies list") is not its owner.
    """
    owners = []
    for child in noun.children:
        if child.i not in ctx.at or ctx.at[child.i] in exclude:
            continue
        label = ctx.table[ctx.at[child.i]].label
        if child.dep_ == "poss" or label in {"GovernmentAgency", "Court", "Country"}:
            owners.append(ctx.at[child.i])
    return list(dict.fromkeys(owners))


def own_product(ctx: Context, token: Token, obj: int) -> bool:
    """ "sells its Mi and Redmi range": the seller's own product."""
    node = ctx.doc[ctx.table[obj].start]
    for _ in range(4):
        if any(
            c.dep_ == "poss" and c.lower_ in {"its", "their", "his", "her"} for c in node.children
        ):
            return True
        if node.head.i == node.i or node.i == token.i:
            return False
        node = node.head
    return False
