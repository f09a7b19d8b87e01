"""Relations from the dependency parse, driven by ``ontology/lexicon.ttl``.

For every token whose lemma is a trigger of some predicate (a verb such as
"ban", a verb with its preposition such as "tie up with", a noun such as
"presence in", an adjective such as "based in" or "-based"), the component
finds the subject and the object on the parse (through coordination, passive
voice, relative and participial clauses, possessors and compounds, and the
coreference links of :mod:`kg.extract.coref`), checks them against the
predicate's signature, and reads the clause's status (planned under "aim to",
ended under "stopped", dropped under negation or "could"), its date
expressions and duration. Titles and possessives give ``worksFor``.

Output: ``doc._.kg_relations``, a list of :class:`RawRelation` (token-level;
:func:`kg.extract.extract` turns them into records with offsets and
resolved dates).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.extract.attachments import attachments
from kg.extract.employers import CONFIDENCE as OFFICER_CONFIDENCE
from kg.extract.employers import officers
from kg.extract.entities import SPAN_KEY
from kg.extract.syntax import (
    RELATIVE_PRONOUNS,
    EntityIndex,
    after_preposition,
    conjuncts,
    path_to,
)
from kg.extract.temporal import resolve_duration
from kg.extract.titles import split_ended, title_phrase
from kg.ontology import SIGNATURES, Lexicon, Trigger, load_lexicon
from kg.types import coarse_class

if not Doc.has_extension("kg_relations"):
    Doc.set_extension("kg_relations", default=None)

_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
_OBJECT_DEPS = frozenset({"dobj", "obj", "attr", "oprd", "dative"})
#: Predicates whose target often sits deeper in the clause ("banned firms from selling to X").
_DEEP_OBJECT_PREDICATES = frozenset({"sanctions", "liftsSanctionOn"})
#: Verbs through which a noun trigger lists its objects ("its offer includes the Mi 11").
_LISTING_VERBS = frozenset({"include", "comprise", "feature", "contain", "span", "cover"})
_MAX_CLIMB = 6
_MODALS_PLANNED = frozenset({"will", "shall", "'ll"})
#: Modifiers of a trigger noun that can end what it states ("former chairman of").
_MODIFIERS = frozenset({"amod", "advmod", "compound"})


@dataclass(frozen=True, slots=True)
class RawRelation:
    """A relation between two mentions, as token indices of the doc.

    ``head``/``tail`` index the doc's mention table (entity spans first, then
    coreference spans, see :func:`mention_table`).
    """

    head: int
    tail: int
    predicate: str
    confidence: float
    sentence: tuple[int, int]  # token span of the evidence sentence
    trigger: str
    status: str | None = None
    date_text: str | None = None
    duration_text: str | None = None
    role: str | None = None


def _divested(doc: Doc, relation: RawRelation, table: Sequence[MentionRef]) -> bool:
    """Whether a "sells" relation sells the seller's own organization ("selling its Ormet
    Corp subsidiary"): a sale of a business, not of what the seller makes or trades."""
    tail = table[relation.tail]
    if relation.predicate != "sells" or coarse_class(tail.label) != "Organization":
        return False
    root = doc[tail.start : tail.end].root
    nouns = [root, root.head] if root.dep_ == "compound" else [root]
    return any(
        c.dep_ == "poss" and c.lower_ in {"its", "their"} for noun in nouns for c in noun.children
    )


@dataclass(frozen=True, slots=True)
class MentionRef:
    """One row of the mention table: a token span and the entity span it stands for."""

    start: int
    end: int
    entity: int  # index into doc.spans["kg_entities"]
    label: str
    coref: bool


def mention_table(doc: Doc) -> list[MentionRef]:
    """Entity spans followed by coreference spans, each pointing at an entity span."""
    spans = list(doc.spans[SPAN_KEY])
    table = [MentionRef(s.start, s.end, i, s.label_, False) for i, s in enumerate(spans)]
    for start, end, antecedent in doc._.kg_coref or ():
        table.append(MentionRef(start, end, antecedent, spans[antecedent].label_, True))
    return table


class RelationExtractor:
    """The ``kg_relations_v1`` component (see the module docstring)."""

    def __init__(self, name: str, *, lexicon: Lexicon) -> None:
        self.name = name
        self.lexicon = lexicon
        self.planning = lexicon.cue("planning")
        self.ending = lexicon.cue("ending")
        self.hedging = lexicon.cue("hedging")
        self.negation = lexicon.cue("negation")
        self.listing = lexicon.cue("listing")
        self.list_verbs = lexicon.cue("listAdd") | lexicon.cue("listRemove")
        self.sites = lexicon.cue("sites")
        self.titles = lexicon.cue("roleTitles")
        self.organization_nouns = frozenset(
            word
            for word, cls in lexicon.descriptors.items()
            if " " not in word and coarse_class(cls) == "Organization"
        )

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def set_annotations(self, doc: Doc, relations: list[RawRelation]) -> None:
        """Store the relations in ``doc._.kg_relations``."""
        doc._.kg_relations = relations

    # -- finding --------------------------------------------------------------

    def match(self, doc: Doc) -> list[RawRelation]:
        """Return every relation found in ``doc``, deduplicated, in text order."""
        table = mention_table(doc)
        at: dict[int, int] = {}
        for index, ref in enumerate(table):
            for i in range(ref.start, ref.end):
                at.setdefault(i, index)
        ctx = _Context(doc, table, at)
        found: dict[tuple[int, int, str], RawRelation] = {}
        for token in doc:
            for relation in self._from_token(ctx, token):
                key = (table[relation.head].entity, table[relation.tail].entity, relation.predicate)
                old = found.get(key)
                if old is None or relation.confidence > old.confidence:
                    found[key] = relation
        for relation in (*self._titles(ctx), *self._attachments(ctx)):
            key = (table[relation.head].entity, table[relation.tail].entity, relation.predicate)
            found.setdefault(key, relation)
        kept = [r for r in found.values() if not _divested(doc, r, table)]
        return sorted(kept, key=lambda r: (r.sentence, r.head, r.tail, r.predicate))

    def _from_token(self, ctx: _Context, token: Token) -> Iterator[RawRelation]:
        lemma = token.lemma_.lower()
        triggers = list(self.lexicon.triggers.get(lemma, ()))
        if token.lower_ != lemma:
            triggers += self.lexicon.triggers.get(token.lower_, ())
        for trigger in triggers:
            if trigger.kind in {"verb", "verbPrep"} and token.pos_ in {"VERB", "AUX"}:
                yield from self._verb(ctx, token, trigger)
            elif trigger.kind == "noun" and token.pos_ in {"NOUN", "PROPN"}:
                yield from self._noun(ctx, token, trigger)
            elif trigger.kind == "adjective" and token.pos_ in {"VERB", "ADJ"}:
                yield from self._adjective(ctx, token, trigger)
        for trigger in self.lexicon.suffixes:
            if token.lower_ == trigger.lemma and token.i >= 2 and token.nbor(-1).text == "-":
                yield from self._suffix(ctx, token, trigger, ctx.at.get(token.i - 2))
            elif token.lower_.endswith("-" + trigger.lemma) and token.i >= 2:
                # "Tacoma, Wash.-based": the city before the comma (the state is in the token)
                city = ctx.at.get(token.i - 2) if token.nbor(-1).text == "," else None
                yield from self._suffix(ctx, token, trigger, city)
        if lemma in self.list_verbs:
            yield from self._listing(ctx, token)

    # verbs ------------------------------------------------------------------

    def _verb(self, ctx: _Context, verb: Token, trigger: Trigger) -> Iterator[RawRelation]:
        if trigger.particle and not _has_particle(verb, trigger.particle):
            return
        passive = any(c.dep_ == "nsubjpass" for c in verb.children)
        prep_objects = (
            [
                a
                for prep in _preps(verb, trigger.prep)
                for pobj in prep.children
                if pobj.dep_ in {"pobj", "pcomp"}
                for a in ctx.args(pobj)
            ]
            if trigger.prep
            else []
        )
        if passive and trigger.prep:
            # "X is based in Y", "X is owned by Y": the passive subject is the relation's.
            subjects = [a for c in verb.children if c.dep_ == "nsubjpass" for a in ctx.args(c)]
            objects = prep_objects
        elif passive:
            subjects = [
                a
                for c in verb.children
                if c.dep_ == "agent"
                for p in c.children
                for a in ctx.args(p)
            ]
            objects = [a for c in verb.children if c.dep_ == "nsubjpass" for a in ctx.args(c)]
        else:
            subjects = ctx.subjects(verb)
            if trigger.prep:
                objects = prep_objects
            else:
                objects = [a for c in verb.children if c.dep_ in _OBJECT_DEPS for a in ctx.args(c)]
        if not objects and not trigger.prep and trigger.predicate in _DEEP_OBJECT_PREDICATES:
            objects = ctx.deep_objects(verb, exclude=subjects)
        yield from self._emit(ctx, verb, trigger, subjects, objects, anchor=verb)

    def _noun(self, ctx: _Context, noun: Token, trigger: Trigger) -> Iterator[RawRelation]:
        if noun.i in ctx.at and not ctx.table[ctx.at[noun.i]].coref:
            return  # the noun is part of a name ("Best Buy")
        objects: list[int] = []
        subjects: list[int] = []
        scope: list[Token] | None = None
        if trigger.prep == "between":
            pair = [
                a
                for prep in _preps(noun, "between")
                for p in prep.children
                if p.dep_ == "pobj"
                for a in ctx.args(p)
            ]
            if len(pair) >= 2:
                subjects, objects = pair[:1], pair[1:]
        elif trigger.prep:
            objects = [
                a
                for prep in _preps(noun, trigger.prep)
                for p in prep.children
                if p.dep_ in {"pobj", "pcomp"}
                for a in ctx.args(p)
            ]
        else:
            objects = _apposed(ctx, noun, exclude=())
            if objects:
                scope = [noun]  # "its subsidiary, Oki America, would make": a given, not hedged
            objects += [a for p in _such_as(noun) for a in ctx.args(p)]
            named = _named_by(ctx, noun)
            if named and not objects and ctx.modifiers(noun, exclude=named):
                objects = named  # "ENI's subsidiary Ecofuel", "Agip, an ENI unit"
                scope = [noun]  # what the named thing does is not said of the noun
            elif not objects:
                subjects, objects = _owner_and_owned(ctx, noun)
            if noun.dep_ == "nsubj" and noun.head.lemma_.lower() in _LISTING_VERBS:
                objects += [
                    a for c in noun.head.children if c.dep_ in _OBJECT_DEPS for a in ctx.args(c)
                ]
            if trigger.predicate in {"sanctions"}:
                objects += [
                    a
                    for prep in _preps(noun, "against", "on")
                    for p in prep.children
                    if p.dep_ == "pobj"
                    for a in ctx.args(p)
                ]
        if not objects:
            return
        if not subjects:
            subjects = (
                ctx.modifiers(noun, exclude=objects)
                or ctx.governor_subjects(noun)
                or _apposed(ctx, noun, exclude=objects)
            )
        yield from self._emit(ctx, noun, trigger, subjects, objects, anchor=noun, scope=scope)

    def _adjective(self, ctx: _Context, adj: Token, trigger: Trigger) -> Iterator[RawRelation]:
        objects = [
            a
            for prep in _preps(adj, trigger.prep or "in")
            for p in prep.children
            if p.dep_ == "pobj"
            for a in ctx.args(p)
        ]
        subjects = ctx.args(adj.head) if adj.dep_ in {"acl", "amod", "relcl"} else ctx.subjects(adj)
        yield from self._emit(ctx, adj, trigger, subjects, objects, anchor=adj)

    def _suffix(
        self, ctx: _Context, token: Token, trigger: Trigger, obj: int | None
    ) -> Iterator[RawRelation]:
        if obj is None:
            return
        head = token.head if token.dep_ in {"amod", "compound", "acl"} else token
        subjects = ctx.args(head) if head.i != token.i else []
        if not subjects and head.i in ctx.at:
            subjects = [ctx.at[head.i]]
        if not subjects and head.dep_ in {"compound", "appos"} and head.head.i in ctx.at:
            subjects = [ctx.at[head.head.i]]  # "the Seoul-based company Samsung"
        yield from self._emit(ctx, token, trigger, subjects, [obj], anchor=token)

    def _listing(self, ctx: _Context, verb: Token) -> Iterator[RawRelation]:
        """ "add X to the entity list" (sanctions) and "remove X from the list" (lifting)."""
        lemma = verb.lemma_.lower()
        adding = lemma in self.lexicon.cue("listAdd")
        preps = ("to", "on", "onto") if adding else ("from", "off")
        lists = [
            p
            for prep in _preps(verb, *preps)
            for p in prep.children
            if p.dep_ == "pobj" and p.lemma_.lower() in self.listing
        ]
        if not lists:
            return
        predicate = "sanctions" if adding else "liftsSanctionOn"
        trigger = Trigger(predicate, "verb", lemma)
        if verb.pos_ in {"VERB", "AUX"}:
            if any(c.dep_ == "nsubjpass" for c in verb.children):
                objects = [a for c in verb.children if c.dep_ == "nsubjpass" for a in ctx.args(c)]
                subjects = [
                    a
                    for c in verb.children
                    if c.dep_ == "agent"
                    for p in c.children
                    for a in ctx.args(p)
                ]
            else:
                objects = [a for c in verb.children if c.dep_ in _OBJECT_DEPS for a in ctx.args(c)]
                subjects = ctx.subjects(verb)
        else:  # "the removal of X from the list"
            objects = [a for prep in _preps(verb, "of") for p in prep.children for a in ctx.args(p)]
            subjects = ctx.modifiers(verb, exclude=objects) or ctx.governor_subjects(verb)
        owners = [a for p in lists for a in _list_owners(ctx, p, exclude=objects)]
        yield from self._emit(ctx, verb, trigger, subjects or owners, objects, anchor=verb)

    # titles and possessives ---------------------------------------------------

    def _titles(self, ctx: _Context) -> Iterator[RawRelation]:
        """worksFor from "Xiaomi Chairman Lei Jun" and "Xiaomi's Wang"; and from "Yasser
        Arafat's Fatah movement", whose possessor leads the organization."""
        yield from self._led(ctx)
        yield from self._officers(ctx)
        doc = ctx.doc
        roles = doc._.kg_roles or {}
        spans = list(doc.spans[SPAN_KEY])
        for index, span in enumerate(spans):
            if coarse_class(span.label_) != "Person":
                continue
            role = roles.get(span.start)
            begin = span.start - len(role.split()) if role else span.start
            employer = None
            if begin > 0:
                before = self._past_coordinated_titles(doc, begin - 1)
                if doc[before].text in {"'s", "’s"} and before > 0:
                    before -= 1
                ref = ctx.at.get(before)
                if ref is not None and coarse_class(ctx.table[ref].label) == "Organization":
                    employer = ref
            if employer is None:
                continue
            sentence = doc[span.start].sent
            title, ended = split_ended(role, self.ending)
            yield RawRelation(
                head=index,
                tail=employer,
                predicate="worksFor",
                confidence=0.85 if role else 0.7,
                sentence=(sentence.start, sentence.end),
                trigger=role or "'s",
                status="ended" if ended else None,
                role=title,
            )

    def _past_coordinated_titles(self, doc: Doc, i: int) -> int:
        """The token before the titles coordinated with a person's title ("Maytag chairman
        and chief executive officer Daniel Krumm": from "and" back to "Maytag")."""
        if doc[i].lower_ not in {"and", "&"}:
            return i
        j = i - 1
        while j > 0 and doc[j].lower_ in self.titles:
            j -= 1
        return j if j < i - 1 else i

    def _officers(self, ctx: _Context) -> Iterator[RawRelation]:
        """worksFor from "said Chairman Oliver S. Travers" in an article about a company
        (see :mod:`kg.extract.employers`)."""
        found = officers(ctx.doc, ctx.table, titles=self.titles, ending=self.ending)
        for person, employer, role, ended in found:
            sentence = ctx.doc[ctx.table[person].start].sent
            yield RawRelation(
                head=person,
                tail=employer,
                predicate="worksFor",
                confidence=OFFICER_CONFIDENCE,
                sentence=(sentence.start, sentence.end),
                trigger=role,
                status="ended" if ended else None,
                role=role,
            )

    def _led(self, ctx: _Context) -> Iterator[RawRelation]:
        """worksFor from a person owning an organization's name: "Arafat's Palestinian
        Authority"."""
        doc = ctx.doc
        for index, span in enumerate(doc.spans[SPAN_KEY]):
            if coarse_class(span.label_) != "Organization" or span.start < 2:
                continue
            if doc[span.start - 1].text not in {"'s", "’s"}:
                continue
            owner = ctx.at.get(span.start - 2)
            if owner is None or coarse_class(ctx.table[owner].label) != "Person":
                continue
            sentence = doc[span.start].sent
            yield RawRelation(
                head=owner,
                tail=index,
                predicate="worksFor",
                confidence=0.7,
                sentence=(sentence.start, sentence.end),
                trigger=doc[span.start - 1].text,
            )

    def _attachments(self, ctx: _Context) -> Iterator[RawRelation]:
        """Relations from how names attach: "Florida's Kennedy Space Centre", "Motorola Inc
        of the U.S.", "its Adelaide plants" (see :mod:`kg.extract.attachments`)."""
        labels = [ref.label for ref in ctx.table]
        demonyms = ctx.doc._.kg_demonyms or frozenset()
        found_all = attachments(
            ctx.doc,
            labels,
            ctx.at,
            sites=self.sites,
            descriptors=self.organization_nouns,
            demonyms=demonyms,
        )
        for found in found_all:
            trigger = Trigger(found.predicate, "noun", found.token.lower_)
            yield from self._emit(
                ctx,
                found.token,
                trigger,
                [found.head],
                [found.tail],
                anchor=found.token,
                scope=[found.token],
            )

    # emitting -------------------------------------------------------------------

    def _emit(
        self,
        ctx: _Context,
        token: Token,
        trigger: Trigger,
        subjects: Sequence[int],
        objects: Sequence[int],
        *,
        anchor: Token,
        scope: Sequence[Token] | None = None,
    ) -> Iterator[RawRelation]:
        """Relations between ``subjects`` and ``objects``, with the status the clause of
        ``anchor`` gives them (or the words of ``scope`` alone, when given)."""
        if trigger.inverse:
            subjects, objects = objects, subjects  # "Acme acquired Beta": Beta is owned
        if not subjects or not objects:
            return
        clause = list(scope) if scope is not None else _clause_chain(anchor)
        lemmas = {t.lemma_.lower() for t in clause} | {t.lower_ for t in clause}
        lemmas |= _copula_complements(clause)
        if self._negated(clause):
            return
        planned = bool(lemmas & self.planning) or any(
            c.lower_ in _MODALS_PLANNED for t in clause for c in t.children if c.dep_ == "aux"
        )
        hedged = any(
            c.lower_ in self.hedging
            for t in clause
            for c in t.children
            if c.dep_ in {"aux", "mark"}
        ) or bool((lemmas - {token.lemma_.lower()}) & (self.hedging - {"consider"}))
        ended = (
            bool((lemmas - {token.lemma_.lower()}) & self.ending)
            or _ended_by_head(token, self.ending)
            or any(c.lower_ in self.ending for c in anchor.children if c.dep_ in _MODIFIERS)
        )
        predicate = trigger.predicate
        status = None
        if predicate == "operatesIn" and planned:
            predicate, status = "plansToEnter", None
        elif planned:
            status = "planned"
        elif hedged:
            return
        if ended:
            status = "ended"
        sentence = token.sent
        date_text, duration_text = _dates(
            ctx.doc, clause, ctx.dates.overlapping(sentence.start, sentence.end)
        )
        base = self.lexicon.confidence.get(predicate, 0.7)
        for s in dict.fromkeys(subjects):
            for o in dict.fromkeys(objects):
                relation = self._typed(ctx, s, o, predicate, token, trigger)
                if relation is None:
                    continue
                pred, head, tail = relation
                confidence = base + 0.1
                confidence -= 0.1 * (ctx.table[head].coref + ctx.table[tail].coref)
                yield RawRelation(
                    head=head,
                    tail=tail,
                    predicate=pred,
                    confidence=round(max(0.05, min(0.99, confidence)), 2),
                    sentence=(sentence.start, sentence.end),
                    trigger=_trigger_text(token, trigger),
                    status=status,
                    date_text=date_text,
                    duration_text=duration_text,
                    role=self._role(token) if pred == "worksFor" else None,
                )

    def _role(self, token: Token) -> str | None:
        """The title a noun trigger gives ("a spokesman for", "chief executive officer of")."""
        titles = self.lexicon.cue("roleTitles")
        if token.pos_ not in {"NOUN", "PROPN"} or token.lower_ not in titles:
            return None
        return title_phrase(token, titles, leave=self.ending)

    def _typed(
        self, ctx: _Context, s: int, o: int, predicate: str, token: Token, trigger: Trigger
    ) -> tuple[str, int, int] | None:
        if ctx.table[s].entity == ctx.table[o].entity:
            return None
        s_cls, o_cls = coarse_class(ctx.table[s].label), coarse_class(ctx.table[o].label)
        if predicate == "sells" and o_cls == "Product" and _own_product(ctx, token, o):
            predicate = "produces"
        subject_ok, object_ok = SIGNATURES[predicate]
        if s_cls in subject_ok and o_cls in object_ok:
            return predicate, s, o
        return None

    def _negated(self, clause: Sequence[Token]) -> bool:
        return any(
            c.dep_ == "neg" or (c.lower_ in self.negation and c.dep_ in {"advmod", "neg", "det"})
            for t in clause
            for c in t.children
        )


class _Context:
    """The doc, its mention table, and the argument-finding walks over the parse."""

    def __init__(self, doc: Doc, table: list[MentionRef], at: dict[int, int]) -> None:
        self.doc = doc
        self.table = table
        self.at = at
        self.dates = EntityIndex(doc, _DATE_LABELS | _DURATION_LABELS)

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
                found += [a for p in _such_as(head) for a in self.args(p)]
            if not found:
                found += [
                    self.at[p.i]
                    for prep in _preps(head, "of")
                    for p in prep.children
                    if p.dep_ == "pobj" and p.i in self.at
                ]
        return list(dict.fromkeys(found))

    def subjects(self, verb: Token, depth: int = 0) -> list[int]:
        """The subject mentions of a verb, inherited through clauses that share it."""
        if depth > _MAX_CLIMB:
            return []
        own = []
        for child in verb.children:
            if child.dep_ not in _SUBJECT_DEPS:
                continue
            if after_preposition(self.doc, child.left_edge.i):
                # "Alongside Huawei, the US Department of Commerce banned ...": the
                # parser's subject is the prepositional object; the real one is its apposition.
                own += [a for c in child.children if c.dep_ == "appos" for a in self.args(c)]
            else:
                own += self.args(child)
        head = verb.head
        if verb.dep_ == "relcl" and any(
            c.dep_ in _SUBJECT_DEPS and c.lower_ in RELATIVE_PRONOUNS for c in verb.children
        ):
            return self.args(head)  # "the maker that sells ..."
        if own or any(c.dep_ in _SUBJECT_DEPS for c in verb.children):
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
        if head.i == noun.i or depth > _MAX_CLIMB:
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
        """Mentions further down the verb's clause ("banned companies from selling to ZTE")."""
        found = []
        for token in verb.subtree:
            if token.i in self.at and self.at[token.i] not in exclude:
                path = path_to(token, verb)
                if path is not None and not any(t.dep_ in _SUBJECT_DEPS for t in (token, *path)):
                    found.append((len(path), self.at[token.i]))
        return [m for _, m in sorted(found)][:2]


def _preps(token: Token, *lemmas: str) -> list[Token]:
    found = [
        c for c in token.children if c.dep_ in {"prep", "agent", "dative"} and c.lower_ in lemmas
    ]
    for child in token.children:  # "sign a deal with": the preposition hangs on the object
        if child.dep_ in {"dobj", "prt"}:
            found += [c for c in child.children if c.dep_ == "prep" and c.lower_ in lemmas]
    return found


def _such_as(token: Token) -> list[Token]:
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


def _named_by(ctx: _Context, noun: Token) -> list[int]:
    """The mention a bare trigger noun describes: the name it is a compound of ("subsidiary
    Ecofuel") or an apposition to ("Agip Carbone, an ENI subsidiary")."""
    head = noun.head
    if noun.dep_ in {"compound", "appos"} and head.i != noun.i and head.i in ctx.at:
        return [ctx.at[head.i]]
    return []


def _apposed(ctx: _Context, noun: Token, *, exclude: Sequence[int]) -> list[int]:
    """ "The chief weapons inspector for the UN, Richard Butler": the name in apposition."""
    found = [a for c in noun.children if c.dep_ == "appos" for a in ctx.args(c)]
    return [a for a in dict.fromkeys(found) if a not in exclude]


def _owner_and_owned(ctx: _Context, noun: Token) -> tuple[list[int], list[int]]:
    """ "Crowley Corp's American Lines subsidiary": the possessor and the name compounded
    with the noun, when it has both."""
    owners = [ctx.at[c.i] for c in noun.children if c.dep_ == "poss" and c.i in ctx.at]
    named = [ctx.at[c.i] for c in noun.children if c.dep_ == "compound" and c.i in ctx.at]
    named = [m for m in named if m not in owners]
    return (owners, named) if owners and named else ([], [])


def _has_particle(verb: Token, particle: str) -> bool:
    words = particle.split()
    children = [c.lower_ for c in verb.children if c.dep_ in {"prt", "dobj", "advmod"}]
    return all(w in children or any(c.startswith(w) for c in children) for w in words)


def _clause_chain(token: Token) -> list[Token]:
    """The trigger and the words that govern it within its clause, for modality and status.

    Climbs through complements and noun complements ("plans to expand its
    presence", "interest in entering") but not through adverbial
    prepositions ("aiming to enter ... after gaining success in").
    """
    chain = [token]
    current = token
    for _ in range(_MAX_CLIMB):
        head = current.head
        if head.i == current.i:
            break
        dep = current.dep_
        infinitive = dep == "advcl" and any(
            c.dep_ == "aux" and c.lower_ == "to" for c in current.children
        )
        if infinitive or dep in {
            "xcomp",
            "ccomp",
            "acl",
            "dobj",
            "nsubj",
            "nsubjpass",
            "attr",
            "conj",
            "relcl",
            "compound",
        }:
            current = head
        elif dep in {"pobj", "pcomp"} and head.head.pos_ in {"NOUN", "PROPN"}:
            current = head.head
        else:
            break
        if dep == "nsubj" and token.pos_ in {"VERB", "AUX"}:
            break
        chain.append(current)
    return chain


def _list_owners(ctx: _Context, noun: Token, *, exclude: Sequence[int]) -> list[int]:
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


def _copula_complements(clause: Sequence[Token]) -> set[str]:
    """ "is yet to take place", "is in development to": what a copula of the clause says."""
    found: set[str] = set()
    for token in clause:
        if token.lemma_ != "be":
            continue
        for child in token.children:
            if child.dep_ in {"acomp", "attr", "advmod"}:
                found.add(child.lemma_.lower())
            elif child.dep_ == "prep":
                found |= {p.lemma_.lower() for p in child.children if p.dep_ == "pobj"}
    return found


def _ended_by_head(token: Token, ending: frozenset[str]) -> bool:
    """ "the deal ... collapsed": the trigger noun is the subject of an ending verb."""
    return token.dep_ in {"nsubj", "nsubjpass"} and token.head.lemma_.lower() in ending


_DATE_LABELS = frozenset({"DATE", "TIME"})
#: Entities that may be a duration when "for" comes first ("for as many as seven years",
#: which the model may take for a number).
_DURATION_LABELS = frozenset({"CARDINAL", "QUANTITY"})


def _dates(
    doc: Doc, clause: Sequence[Token], dates: Sequence[Span]
) -> tuple[str | None, str | None]:
    """The date and duration expressions attached to the clause's words.

    ``dates`` are the DATE and TIME entities that can reach them: those of
    the clause's sentence (a dependency path never leaves a sentence).
    """
    date_text = duration_text = None
    for head in clause:
        for ent in dates:
            root = ent.root
            path = path_to(root, head)
            if (
                path is None
                or len(path) > 4
                or any(
                    t.pos_ in {"VERB", "AUX"} and t.dep_ not in {"pcomp", "xcomp"} for t in path[1:]
                )
            ):
                continue
            text = doc[max(ent.start - 1, 0) : ent.end].text
            after_for = ent.start > 0 and doc[ent.start - 1].lower_ == "for"
            if ent.label_ in _DURATION_LABELS:
                if after_for and resolve_duration(text):
                    duration_text = duration_text or text
            elif after_for:
                duration_text = duration_text or text
            else:
                date_text = date_text or text
        if date_text:
            break
    return date_text, duration_text


def _own_product(ctx: _Context, token: Token, obj: int) -> bool:
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


def _trigger_text(token: Token, trigger: Trigger) -> str:
    parts = [token.text]
    if trigger.particle:
        parts.append(trigger.particle)
    if trigger.prep:
        parts.append(trigger.prep)
    return " ".join(parts)


def make_relations(nlp: Language, name: str) -> RelationExtractor:
    """Build the component with the shipped lexicon."""
    return RelationExtractor(name, lexicon=load_lexicon())


Language.factory("kg_relations_v1", func=make_relations)


def sentence_bounds(span: Span) -> tuple[int, int]:
    """Character offsets of a span's sentence."""
    sent = span.sent
    return sent.start_char, sent.end_char
