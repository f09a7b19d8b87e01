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

Output: ``doc._.kg_relations``, a list of :class:`~kg.extract.mentions.RawRelation` (token-level;
:func:`kg.extract.extract` turns them into records with offsets and
resolved dates).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.extract.arguments import (
    OBJECT_DEPS,
    Context,
    apposed,
    has_particle,
    list_owners,
    named_by,
    own_product,
    owner_and_owned,
    preps,
    such_as,
)
from kg.extract.attachments import attachments
from kg.extract.clauses import (
    clause_chain,
    clause_dates,
    copula_complements,
    ended_by_head,
    ended_by_modifier,
)
from kg.extract.mentions import MentionRef, RawRelation, mention_table
from kg.extract.titles import title_phrase
from kg.extract.works_for import title_relations
from kg.ontology import SIGNATURES, Lexicon, Trigger, load_lexicon
from kg.types import coarse_class

if not Doc.has_extension("kg_relations"):
    Doc.set_extension("kg_relations", default=None)

#: Predicates whose target often sits deeper in the clause ("banned firms from selling to X").
_DEEP_OBJECT_PREDICATES = frozenset({"sanctions", "liftsSanctionOn"})
#: Verbs through which a noun trigger lists its objects ("its offer includes the Mi 11").
_LISTING_VERBS = frozenset({"include", "comprise", "feature", "contain", "span", "cover"})
_MODALS_PLANNED = frozenset({"will", "shall", "'ll"})


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
        self.presence = lexicon.cue("presence")
        self._may_trigger: dict[tuple[int, ...], bool] = {}  # (lemma, form) hashes -> a trigger?
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
        ctx = Context(doc, table, at)
        found: dict[tuple[int, int, str], RawRelation] = {}
        for token in self._trigger_tokens(doc):
            for relation in self._from_token(ctx, token):
                key = (table[relation.head].entity, table[relation.tail].entity, relation.predicate)
                old = found.get(key)
                if old is None or relation.confidence > old.confidence:
                    found[key] = relation
        titled = title_relations(ctx, titles=self.titles, ending=self.ending)
        for relation in (*titled, *self._attachments(ctx)):
            key = (table[relation.head].entity, table[relation.tail].entity, relation.predicate)
            found.setdefault(key, relation)
        kept = [r for r in found.values() if not _divested(doc, r, table)]
        return sorted(kept, key=lambda r: (r.sentence, r.head, r.tail, r.predicate))

    def _trigger_tokens(self, doc: Doc) -> Iterator[Token]:
        """The tokens :meth:`_from_token` may find a relation from, in text order: those
        whose lemma or form the lexicon lists (the others yield nothing). Read from the
        doc's arrays, the answer kept per (lemma, form): most tokens trigger nothing."""
        strings = doc.vocab.strings
        known = self._may_trigger
        for i, key in enumerate(map(tuple, doc.to_array([LEMMA, LOWER]).tolist())):
            hit = known.get(key)
            if hit is None:
                lemma, lower = strings[key[0]].lower(), strings[key[1]]
                hit = known[key] = (
                    lemma in self.lexicon.triggers
                    or lower in self.lexicon.triggers
                    or lemma in self.list_verbs
                    or any(
                        lower == t.lemma or lower.endswith("-" + t.lemma)
                        for t in self.lexicon.suffixes
                    )
                )
            if hit:
                yield doc[i]

    def _from_token(self, ctx: Context, token: Token) -> Iterator[RawRelation]:
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

    def _verb(self, ctx: Context, verb: Token, trigger: Trigger) -> Iterator[RawRelation]:
        if trigger.particle and not has_particle(verb, trigger.particle):
            return
        passive = any(c.dep_ == "nsubjpass" for c in verb.children)
        prep_objects = (
            [
                a
                for prep in preps(verb, trigger.prep)
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
                objects = [a for c in verb.children if c.dep_ in OBJECT_DEPS for a in ctx.args(c)]
        if not objects and not trigger.prep and trigger.predicate in _DEEP_OBJECT_PREDICATES:
            objects = ctx.deep_objects(verb, exclude=subjects)
        yield from self._emit(ctx, verb, trigger, subjects, objects, anchor=verb)

    def _noun(self, ctx: Context, noun: Token, trigger: Trigger) -> Iterator[RawRelation]:
        if noun.i in ctx.at and not ctx.table[ctx.at[noun.i]].coref:
            return  # the noun is part of a name ("Best Buy")
        objects: list[int] = []
        subjects: list[int] = []
        scope: list[Token] | None = None
        if trigger.prep == "between":
            pair = [
                a
                for prep in preps(noun, "between")
                for p in prep.children
                if p.dep_ == "pobj"
                for a in ctx.args(p)
            ]
            if len(pair) >= 2:
                subjects, objects = pair[:1], pair[1:]
        elif trigger.prep:
            objects = [
                a
                for prep in preps(noun, trigger.prep)
                for p in prep.children
                if p.dep_ in {"pobj", "pcomp"}
                for a in ctx.args(p)
            ]
        else:
            objects = apposed(ctx, noun, exclude=())
            if objects:
                scope = [noun]  # "its subsidiary, Oki America, would make": a given, not hedged
            objects += [a for p in such_as(noun) for a in ctx.args(p)]
            named = named_by(ctx, noun)
            if named and not objects and ctx.modifiers(noun, exclude=named):
                objects = named  # "ENI's subsidiary Ecofuel", "Agip, an ENI unit"
                scope = [noun]  # what the named thing does is not said of the noun
            elif not objects:
                subjects, objects = owner_and_owned(ctx, noun)
            if noun.dep_ == "nsubj" and noun.head.lemma_.lower() in _LISTING_VERBS:
                objects += [
                    a for c in noun.head.children if c.dep_ in OBJECT_DEPS for a in ctx.args(c)
                ]
            if trigger.predicate in {"sanctions"}:
                objects += [
                    a
                    for prep in preps(noun, "against", "on")
                    for p in prep.children
                    if p.dep_ == "pobj"
                    for a in ctx.args(p)
                ]
        if not objects:
            return
        if not subjects:
            subjects = (
                ctx.modifiers(noun, exclude=objects)
                or (ctx.governor_subjects(noun) if self._held_by_subject(noun, trigger) else [])
                or apposed(ctx, noun, exclude=objects)
            )
        yield from self._emit(ctx, noun, trigger, subjects, objects, anchor=noun, scope=scope)

    def _held_by_subject(self, noun: Token, trigger: Trigger) -> bool:
        """Whether the subject of the verb a trigger noun depends on holds what the noun
        says: any noun but a title of worksFor, which the subject holds only through a
        copula or "as" ("Jo became director of Acme", "Jo served as director of Acme"); the
        director Jo met is someone else ("Jo met the director of Acme")."""
        if trigger.predicate != "worksFor" or noun.lemma_.lower() not in self.titles:
            return True
        return noun.dep_ in {"attr", "appos", "conj"} or (
            noun.dep_ == "pobj" and noun.head.lower_ == "as"
        )

    def _adjective(self, ctx: Context, adj: Token, trigger: Trigger) -> Iterator[RawRelation]:
        objects = [
            a
            for prep in preps(adj, trigger.prep or "in")
            for p in prep.children
            if p.dep_ == "pobj"
            for a in ctx.args(p)
        ]
        subjects = ctx.args(adj.head) if adj.dep_ in {"acl", "amod", "relcl"} else ctx.subjects(adj)
        yield from self._emit(ctx, adj, trigger, subjects, objects, anchor=adj)

    def _suffix(
        self, ctx: Context, token: Token, trigger: Trigger, obj: int | None
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

    def _listing(self, ctx: Context, verb: Token) -> Iterator[RawRelation]:
        """ "add X to the entity list" (sanctions) and "remove X from the list" (lifting)."""
        lemma = verb.lemma_.lower()
        adding = lemma in self.lexicon.cue("listAdd")
        words = ("to", "on", "onto") if adding else ("from", "off")
        lists = [
            p
            for prep in preps(verb, *words)
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
                objects = [a for c in verb.children if c.dep_ in OBJECT_DEPS for a in ctx.args(c)]
                subjects = ctx.subjects(verb)
        else:  # "the removal of X from the list"
            objects = [a for prep in preps(verb, "of") for p in prep.children for a in ctx.args(p)]
            subjects = ctx.modifiers(verb, exclude=objects) or ctx.governor_subjects(verb)
        owners = [a for p in lists for a in list_owners(ctx, p, exclude=objects)]
        yield from self._emit(ctx, verb, trigger, subjects or owners, objects, anchor=verb)

    def _attachments(self, ctx: Context) -> Iterator[RawRelation]:
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
        ctx: Context,
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
        clause = list(scope) if scope is not None else clause_chain(anchor)
        qualified = self._qualified(clause, token, trigger, anchor)
        if qualified is None:
            return
        predicate, status = qualified
        sentence = token.sent
        date_text, duration_text = clause_dates(
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

    def _qualified(
        self, clause: Sequence[Token], token: Token, trigger: Trigger, anchor: Token
    ) -> tuple[str, str | None] | None:
        """The predicate and status the clause gives a trigger's relations ("plans to
        enter": plansToEnter; "stopped selling": ended), or ``None`` when it states none
        (negated, or hedged without being planned)."""
        lemmas = {t.lemma_.lower() for t in clause} | {t.lower_ for t in clause}
        lemmas |= copula_complements(clause)
        if self._negated(clause):
            return None
        if self._stated_by_phrase(token, trigger):
            return trigger.predicate, None
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
            or ended_by_head(token, self.ending)
            or ended_by_modifier(anchor, self.ending)
        )
        predicate = trigger.predicate
        status = None
        if predicate == "operatesIn" and planned:
            predicate, status = "plansToEnter", None
        elif planned:
            status = "planned"
        elif hedged:
            return None
        if ended:
            status = "ended"
        return predicate, status

    def _stated_by_phrase(self, token: Token, trigger: Trigger) -> bool:
        """Whether a trigger noun's own phrase states its relation whatever its clause plans
        or hedges: an organization's people or posts in a place ("trying to arrest a Hamas
        member in Hebron": Hamas is in Hebron), a company's own unit ("seeking to sell its
        Triplett subsidiary", "its MidCon subsidiary will redeem": Triplett and MidCon are
        its units now)."""
        if token.pos_ != "NOUN":
            return False
        if token.lemma_.lower() in self.presence:
            return True
        return trigger.predicate == "subsidiaryOf" and any(c.dep_ == "poss" for c in token.children)

    def _role(self, token: Token) -> str | None:
        """The title a noun trigger gives ("a spokesman for", "chief executive officer of")."""
        titles = self.lexicon.cue("roleTitles")
        if token.pos_ not in {"NOUN", "PROPN"} or token.lower_ not in titles:
            return None
        return title_phrase(token, titles, leave=self.ending)

    def _typed(
        self, ctx: Context, s: int, o: int, predicate: str, token: Token, trigger: Trigger
    ) -> tuple[str, int, int] | None:
        if ctx.table[s].entity == ctx.table[o].entity:
            return None
        s_cls, o_cls = coarse_class(ctx.table[s].label), coarse_class(ctx.table[o].label)
        if predicate == "sells" and o_cls == "Product" and own_product(ctx, token, o):
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
