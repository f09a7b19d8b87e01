"""The relation classifier component: the lexicon's relations rescored, the model's own added.

Runs after :mod:`kg.extract.relations`. Every candidate pair
(:mod:`kg.extract.relation_features`) is scored by the model
(:mod:`kg.extract.relation_model`): a lexicon relation takes the model's
probability for its pair and predicate; candidates at or above the threshold
become :class:`~kg.extract.mentions.RawRelation` records (trigger
``"classifier"``) after :func:`decode` (one predicate per pair, what
containment and a list of places imply) unless the lexicon already gave them
or :func:`conflict` rules them out. Every confidence is calibrated: a
relation of confidence 0.8 is right about 80% of the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.clauses import ended_by_modifier
from kg.extract.entities import SPAN_KEY
from kg.extract.mentions import RawRelation, mention_spans, mention_table
from kg.extract.relation_candidates import TRIGGER, Candidate, candidates
from kg.extract.relation_features import DocFeatures, dependency_path, lexicon_pairs, pair_features
from kg.extract.relation_model import (
    Calibration,
    RelationModel,
    load_calibration,
    load_model,
    probabilities,
)
from kg.extract.titles import person_title, split_ended
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.ontology import load_lexicon
from kg.types import coarse_class

#: Verbs of reporting: a person linked to an organization through one is its source, not staff.
_REPORTING = frozenset({"tell", "quote", "report"})
#: Verbs of saying: the place they happen in ("said in Washington") is where words were
#: spoken, not where the speaker lives or the company is based or active.
_SAYING = frozenset({"say", "tell", "speak", "announce", "add", "comment", "state"})
_AT_A_PLACE = frozenset({"livesIn", "basedIn", "operatesIn"})
#: Predicates that hold of the places that contain their object.
_PROPAGATED = frozenset({"livesIn", "basedIn"})
#: Predicates whose object is a place: what holds of one place of a list holds of every
#: place listed with it ("operations in Minnesota, Wisconsin, Michigan and Illinois"), and
#: a word of ending on the noun between the two ends does not end them ("a retired farmer
#: from Fargo").
_PLACE_PREDICATES = frozenset({"basedIn", "livesIn", "locatedIn", "operatesIn", "plansToEnter"})


# --------------------------------------------------------------------------- decoding


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """A candidate and the model's probability that its predicate holds."""

    candidate: Candidate
    probability: float


def score_candidates(
    doc: Doc,
    model: RelationModel,
    *,
    spans: Sequence[Span] | None = None,
    lexicon: dict[tuple[int, int], frozenset[str]] | None = None,
) -> list[ScoredCandidate]:
    """Every candidate of ``doc`` with its probability, in text order (``spans`` and
    ``lexicon``: the doc's mentions and :func:`lexicon_pairs`, if read already)."""
    found = [c for c in candidates(doc) if c.predicate in model.labels]
    if not found:
        return []
    view = DocFeatures(doc, spans=spans, lexicon=lexicon)
    by_pair: dict[tuple[int, int], list[str]] = {}  # a pair's features serve all its predicates
    rows = []
    for c in found:
        row = by_pair.get((c.head, c.tail))
        if row is None:
            row = by_pair[(c.head, c.tail)] = pair_features(
                doc, c.head, c.tail, sentence=c.sentence, view=view
            )
        rows.append(row)
    probs = probabilities(model, rows, [c.predicate for c in found])
    return [ScoredCandidate(c, float(p)) for c, p in zip(found, probs, strict=True)]


def decode(
    scored: Iterable[ScoredCandidate],
    threshold: float,
    listed: Mapping[int, Sequence[int]] | None = None,
    runs: Mapping[int, tuple[Sequence[int], int]] | None = None,
) -> list[ScoredCandidate]:
    """Keep candidates at or above ``threshold``; of the predicates and directions of one
    pair, the likeliest; then add what ``livesIn``/``basedIn`` and ``locatedIn`` imply
    (see :func:`_inferred`) and, given ``listed`` (a place mention -> the place mentions
    coordinated with it, :func:`listed_places`), the places listed with a kept object,
    and given ``runs`` (:func:`place_runs`) those listed with a kept subject (see
    :func:`_listed`).

    >>> a = ScoredCandidate(Candidate(0, 1, "killed", (0, 5)), 0.9)
    >>> b = ScoredCandidate(Candidate(1, 0, "killed", (0, 5)), 0.6)
    >>> [(s.candidate.head, s.candidate.tail) for s in decode([a, b], 0.5)]
    [(0, 1)]
    """
    scored = list(scored)
    kept: dict[tuple[int, int], ScoredCandidate] = {}
    for item in scored:
        if item.probability < threshold:
            continue
        c = item.candidate
        key = (min(c.head, c.tail), max(c.head, c.tail))
        old = kept.get(key)
        if old is None or item.probability > old.probability:
            kept[key] = item  # one predicate and direction per pair: the likeliest
    found = {_key(s): s for s in kept.values()}
    by_key = {_key(s): s for s in scored}  # every candidate, kept or not
    if listed or runs:
        found.update(_listed(found, by_key, listed or {}, taken=set(kept), runs=runs or {}))
    found.update(_inferred(found, by_key))
    return sorted(found.values(), key=lambda s: (s.candidate.head, s.candidate.tail))


def _key(item: ScoredCandidate) -> tuple[int, int, str]:
    """(head, tail, predicate) of a scored candidate."""
    return item.candidate.head, item.candidate.tail, item.candidate.predicate


def _listed(
    found: dict[tuple[int, int, str], ScoredCandidate],
    by_key: Mapping[tuple[int, int, str], ScoredCandidate],
    listed: Mapping[int, Sequence[int]],
    *,
    taken: set[tuple[int, int]],
    runs: Mapping[int, tuple[Sequence[int], int]],
) -> dict[tuple[int, int, str], ScoredCandidate]:
    """What the text states of one place of a list it states of each: operatesIn(a, x)
    and x coordinated with y ("in x and y") give operatesIn(a, y), and locatedIn(x, b)
    gives locatedIn(y, b) when ``runs`` lists y with x before "in b" ("Bankstown,
    Hurstville and Liverpool in Sydney"), at the higher of the two probabilities, when the
    new pair is a candidate of the predicate and no other predicate was kept for it."""
    added: dict[tuple[int, int, str], ScoredCandidate] = {}
    for (h, t, predicate), first in found.items():
        if predicate not in _PLACE_PREDICATES:
            continue
        pairs = [(h, y) for y in listed.get(t, ())]
        if predicate == "locatedIn" and h in runs and runs[h][1] == t:
            pairs += [(y, t) for y in runs[h][0]]
        for head, tail in pairs:
            key = (head, tail, predicate)
            if key in found or key not in by_key or (min(key[:2]), max(key[:2])) in taken:
                continue
            probability = max(by_key[key].probability, first.probability)
            if key not in added or probability > added[key].probability:
                added[key] = ScoredCandidate(by_key[key].candidate, probability)
    return added


def listed_places(spans: Sequence[Span]) -> dict[int, list[int]]:
    """Each place mention -> the place mentions its head word is coordinated with
    ("Minnesota, Wisconsin, Michigan and Illinois"), in text order.

    >>> import spacy
    >>> from spacy.tokens import Doc
    >>> doc = Doc(spacy.blank("en").vocab, words=["in", "Ohio", "and", "Iowa"],
    ...           heads=[0, 0, 1, 1], deps=["ROOT", "pobj", "cc", "conj"])
    >>> listed_places([Span(doc, 1, 2, label="Region"), Span(doc, 3, 4, label="Region")])
    {0: [1], 1: [0]}
    """
    place_at = {
        span.root.i: n for n, span in enumerate(spans) if coarse_class(span.label_) == "Place"
    }
    listed: dict[int, list[int]] = {}
    for n in place_at.values():
        others = [place_at[c.i] for c in spans[n].root.conjuncts if c.i in place_at]
        if others:
            listed[n] = sorted(others)
    return listed


#: What may stand between two places of one run: "Bankstown, Sutherland and Liverpool".
_RUN_GAPS = frozenset({",", "and", "or", "&"})


def place_runs(spans: Sequence[Span]) -> dict[int, tuple[list[int], int]]:
    """Each place mention of a run of places that "in" and a place follow -> the run's
    other places and the place after "in": "Bankstown, Hurstville and Liverpool in Sydney"
    gives each of the three the other two and Sydney. Only the run right before "in": in
    "Pitwater and Bankstown in Sydney, and Tamworth in the north" Tamworth is not in it.

    >>> import spacy
    >>> doc = spacy.blank("en")("Ryde and Bondi in Sydney")
    >>> place_runs([Span(doc, 0, 1, label="Place"), Span(doc, 2, 3, label="Place"),
    ...             Span(doc, 4, 5, label="City")])
    {0: ([1], 2), 1: ([0], 2)}
    """
    if not spans:
        return {}
    doc = spans[0].doc
    places = {s.start: n for n, s in enumerate(spans) if coarse_class(s.label_) == "Place"}
    ends = {spans[n].end: n for n in places.values()}
    runs: dict[int, tuple[list[int], int]] = {}
    for last in places.values():
        after = spans[last].end
        if after + 1 >= len(doc) or doc[after].lower_ != "in" or after + 1 not in places:
            continue
        run, i = [last], spans[last].start
        while i > 0 and doc[i - 1].lower_ in _RUN_GAPS:
            while i > 0 and doc[i - 1].lower_ in _RUN_GAPS:
                i -= 1
            if i not in ends:
                break
            run.append(ends[i])
            i = spans[ends[i]].start
        for member in run:
            runs[member] = (sorted(set(run) - {member}), places[after + 1])
    return {n: runs[n] for n in sorted(runs) if runs[n][0]}


def _inferred(
    found: dict[tuple[int, int, str], ScoredCandidate],
    by_key: Mapping[tuple[int, int, str], ScoredCandidate],
) -> dict[tuple[int, int, str], ScoredCandidate]:
    """Who lives (or what is based) in a place also lives (is based) in the place that
    holds it: livesIn(a, x) and locatedIn(x, y) give livesIn(a, y), as does basedIn."""
    located = [(h, t, s) for (h, t, p), s in found.items() if p == "locatedIn"]
    added: dict[tuple[int, int, str], ScoredCandidate] = {}
    for (h, x, predicate), first in found.items():
        if predicate not in _PROPAGATED:
            continue
        for inner, outer, second in located:
            key = (h, outer, predicate)
            if inner != x or key in found or key not in by_key:
                continue
            probability = max(by_key[key].probability, min(first.probability, second.probability))
            added[key] = ScoredCandidate(by_key[key].candidate, probability)
    return added


# --------------------------------------------------------------------------- restrictions


def conflict(
    doc: Doc,
    candidate: Candidate,
    *,
    gazetteer: Gazetteer | None = None,
    lexicon: dict[tuple[int, int], frozenset[str]] | None = None,
    spans: Sequence[Span] | None = None,
) -> str | None:
    """Why a candidate must not become a relation whatever the model says, or ``None``.

    ``lexicon`` and ``spans`` default to :func:`lexicon_pairs` and the doc's
    mentions (pass them when checking many candidates of one doc).

    * ``"lexicon"``: the lexicon already relates the two mentions by another
      predicate (its trigger says what the sentence states: "Xiaomi's arrival
      in the US" is plansToEnter, not basedIn);
    * ``"gazetteer"``: known facts disagree: the tail is a country and the
      head is known to be of another one (a company known to be Chinese is not
      based in France; a city of Spain is not located in Italy). City names are
      too ambiguous ("Oxford") to be used this way, and news agencies report
      from bureaus abroad ("BANGKOK, Thailand (AP)");
    * ``"modifier"``: the person is only the modifier of a common noun ("the
      Trump administration"), which names something else, not a person
      working somewhere;
    * ``"reporting"``: the person and the organization meet through a verb of
      reporting ("X told Reuters", "X was quoted in a Journal report"): the
      organization carried the words, it does not employ the speaker;
    * ``"spoken"``: the place is where words were said ("X said in
      Washington"), not where the speaker lives or a company is based or
      active;
    * ``"others"``: the organization is what other people's title holds
      ("Reagan's decision won praise from the Democratic leaders of Congress"):
      they work for it, the person outside their phrase does not.

    >>> import spacy
    >>> doc = spacy.blank("en")("Acme of Oslo")
    >>> doc.spans["kg_entities"] = [Span(doc, 0, 1, label="Company"),
    ...                             Span(doc, 2, 3, label="City")]
    >>> conflict(doc, Candidate(0, 1, "basedIn", (0, 3)), lexicon={(0, 1): frozenset({"sells"})})
    'lexicon'
    """
    spans = list(doc.spans[SPAN_KEY]) if spans is None else spans
    head, tail = spans[candidate.head], spans[candidate.tail]
    lexicon = lexicon_pairs(doc) if lexicon is None else lexicon
    given = lexicon.get((candidate.head, candidate.tail), frozenset()) | lexicon.get(
        (candidate.tail, candidate.head), frozenset()
    )
    if given - {candidate.predicate}:
        return "lexicon"
    if gazetteer is not None and _countries_differ(head, tail, gazetteer):
        return "gazetteer"
    if candidate.predicate == "worksFor" and _noun_modifier(head, spans):
        return "modifier"
    if candidate.predicate == "worksFor" and _through_reporting(head, tail):
        return "reporting"
    if candidate.predicate in _AT_A_PLACE and _where_spoken(tail):
        return "spoken"
    if candidate.predicate == "worksFor" and _held_by_others(head, tail):
        return "others"
    return None


#: Adjectives that end the relation the noun they qualify states ("the former chief
#: executive of Acme", "the retired Marine Corps general", "the former Ansett subsidiary",
#: "an ex-partner" whether "ex" keeps its hyphen or not).
FORMER = frozenset({"former", "ex", "ex-", "retired"})


def former_link(head: Span, tail: Span) -> bool:
    """Whether a noun on the dependency path between the two mentions (not in them) is
    qualified by a word of :data:`FORMER`: the relation it states has ended."""
    if not head.doc.has_annotation("DEP"):
        return False
    path = dependency_path(head.root, tail.root)
    if path is None:
        return False
    up, top, down = path
    inside = {*range(head.start, head.end), *range(tail.start, tail.end)}
    nouns = [t for t in (*up[1:], top, *down[:-1]) if t.i not in inside and t.pos_ == "NOUN"]
    return any(ended_by_modifier(noun, FORMER) for noun in nouns)


#: Prefixes that make a name a stance towards its bearer ("anti-Taliban", "pro-Beijing").
_STANCES = frozenset({"anti", "pro"})


def stance(span: Span) -> bool:
    """Whether the mention is the object of a stance ("the anti-Taliban commander Hamid
    Karzai"): it relates nothing, as its bearer's member, employer, partner or place.

    >>> import spacy
    >>> doc = spacy.blank("en")("the anti-Taliban commander and the Taliban")
    >>> stance(doc[3:4]), stance(doc[7:8])
    (True, False)
    """
    doc, i = span.doc, span.start
    return i >= 2 and doc[i - 1].text == "-" and doc[i - 2].lower_ in _STANCES


def _countries_differ(head: Span, tail: Span, gazetteer: Gazetteer) -> bool:
    """The head's known country is not the tail's (the tail a country, or a place of one)."""
    if coarse_class(tail.label_) != "Place":
        return False
    entries = [
        gazetteer.entries.get(span.kb_id_) if span.kb_id_ and "|" not in span.kb_id_ else None
        for span in (head, tail)
    ]
    if entries[0] is None or entries[1] is None or entries[1].cls != "Country":
        return False
    if entries[0].cls == "MediaOrganization":
        return False  # "BANGKOK, Thailand (AP)": news agencies keep bureaus abroad
    return entries[0].country is not None and entries[0].country != entries[1].key


def _through_reporting(head: Span, tail: Span) -> bool:
    path = dependency_path(head.root, tail.root) if head.doc.has_annotation("DEP") else None
    if path is None:
        return False
    up, top, down = path
    return any(tok.lemma_.lower() in _REPORTING for tok in (*up[1:], top, *down[:-1]))


def _where_spoken(place: Span) -> bool:
    """Whether the place follows "in"/"at" after a verb of saying ("said in Washington")."""
    root = place.root
    prep = root.head
    return (
        root.dep_ == "pobj"
        and prep.lower_ in {"in", "at"}
        and prep.head.pos_ == "VERB"
        and prep.head.lemma_.lower() in _SAYING
    )


#: Dependencies that make two words one referent: "Jo and Al, leaders of X", "Jo is head of X".
_SAME_REFERENT = frozenset({"appos", "attr", "nsubj", "conj", "ROOT"})


def _held_by_others(person: Span, organization: Span) -> bool:
    """Whether the organization follows "of", "for" or "at" after a plural title noun
    ("the leaders of Congress") that the person is neither in nor the same referent as."""
    root = organization.root
    prep = root.head
    if root.dep_ != "pobj" or prep.lower_ not in {"of", "for", "at"}:
        return False
    noun = prep.head
    if noun.tag_ != "NNS" or noun.lemma_.lower() not in load_lexicon().cue("roleTitles"):
        return False
    if person.root.i in {t.i for t in noun.subtree} or noun in person.root.subtree:
        return False  # "leaders of Congress including Jo", "Jo, one of the leaders of X"
    path = dependency_path(person.root, noun)
    if path is None:
        return False
    up, _, down = path
    return not all(t.dep_ in _SAME_REFERENT for t in (*up, *down))


def _noun_modifier(span: Span, spans: Sequence[Span]) -> bool:
    root = span.root
    governor = root.head
    return (
        root.dep_ in {"compound", "amod", "nmod"}
        and governor.pos_ == "NOUN"
        and not any(s.start <= governor.i < s.end for s in spans)
    )


# --------------------------------------------------------------------------- the component


def relation_source(relation: RawRelation) -> str:
    """Where a stated relation comes from, as the calibration's last step tells sources
    apart (:meth:`Calibration.of_stated`): "classifier" (the model's own) or "lexicon"."""
    return "classifier" if relation.trigger == TRIGGER else "lexicon"


class RelationClassifier:
    """The ``kg_relation_classifier_v1`` component (see the module docstring).

    Runs after ``kg_relations``. Every candidate pair is scored; the
    lexicon's relations take the calibrated probability the model gives their
    pair and predicate (the lexicon's finding is one of the model's features),
    or, where the model has no such candidate (a pronoun in another sentence)
    or was not taught such facts (a nationality word: "the Chinese company
    Huawei"), the calibrated confidence of the lexicon; the model's own relations
    above ``threshold`` are added.
    """

    def __init__(
        self,
        name: str,
        *,
        model: RelationModel,
        threshold: float | None = None,
        gazetteer: Gazetteer | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.threshold = model.threshold if threshold is None else threshold
        self.gazetteer = gazetteer
        self.calibration = calibration or Calibration()
        lexicon = load_lexicon()
        self.titles = lexicon.cue("roleTitles")
        self.ending = lexicon.cue("ending")

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.predict(doc))
        return doc

    def predict(self, doc: Doc) -> list[RawRelation]:
        """The lexicon's relations rescored and the model's own, in text order."""
        given = lexicon_pairs(doc)
        spans = list(doc.spans[SPAN_KEY]) if SPAN_KEY in doc.spans else []
        scored = score_candidates(doc, self.model, spans=spans, lexicon=given)
        found = self._rescored(doc, scored)
        for item in decode(scored, self.threshold, listed_places(spans), place_runs(spans)):
            c = item.candidate
            if c.predicate in given.get((c.head, c.tail), ()):
                continue
            if conflict(doc, c, gazetteer=self.gazetteer, lexicon=given, spans=spans):
                continue
            role, ended = None, False
            if c.predicate == "worksFor":
                role, ended = split_ended(person_title(spans[c.head], self.titles), self.ending)
            found.append(
                RawRelation(
                    head=c.head,
                    tail=c.tail,
                    predicate=c.predicate,
                    confidence=self.calibration.of_model(item.probability),
                    sentence=c.sentence,
                    trigger=TRIGGER,
                    status="ended" if ended else None,
                    role=role,
                )
            )
        mentions = mention_spans(doc)  # the rows relations index (coreference ones too)
        return [
            self._final(relation, mentions)
            for relation in found
            if not (stance(mentions[relation.head]) or stance(mentions[relation.tail]))
        ]

    def _final(self, relation: RawRelation, spans: Sequence[Span]) -> RawRelation:
        """``relation`` with its confidence through the calibration's last step, and
        ended when a word of ending qualifies the noun that relates its two mentions (not
        for where someone or something is: "a retired farmer from Fargo" still lives
        there)."""
        confidence = self.calibration.of_stated(relation.confidence, relation_source(relation))
        status = relation.status
        if (
            status is None
            and relation.predicate not in _PLACE_PREDICATES
            and former_link(spans[relation.head], spans[relation.tail])
        ):
            status = "ended"
        if (confidence, status) == (relation.confidence, relation.status):
            return relation
        return replace(relation, confidence=confidence, status=status)

    def _rescored(self, doc: Doc, scored: Sequence[ScoredCandidate]) -> list[RawRelation]:
        """The lexicon's relations with calibrated confidence (see the class docstring)."""
        table = mention_table(doc)
        probability = {_key(s): s.probability for s in scored}
        demonyms = doc._.kg_demonyms or frozenset()
        rescored = []
        for relation in doc._.kg_relations or ():
            if relation.trigger == TRIGGER:
                continue
            head, tail = table[relation.head].entity, table[relation.tail].entity
            p = probability.get((head, tail, relation.predicate))
            if self.calibration.trusted and relation.predicate not in self.calibration.trusted:
                p = None  # too few examples: the model's say would outweigh the trigger's
            if table[relation.tail].start in demonyms:
                # "the Chinese company Huawei": the gold leaves facts carried by a nationality
                # word optional, so the model never learnt them and its say is uninformed
                p = None
            confidence = (
                self.calibration.of_lexicon(relation.confidence, relation.predicate)
                if p is None
                else self.calibration.of_model(p, backed=True)
            )
            rescored.append(replace(relation, confidence=confidence))
        return rescored

    def set_annotations(self, doc: Doc, relations: list[RawRelation]) -> None:
        """Store ``relations`` in ``doc._.kg_relations``, in text order."""
        doc._.kg_relations = sorted(
            relations, key=lambda r: (r.sentence, r.head, r.tail, r.predicate)
        )


def make_relation_classifier(
    nlp: Language,
    name: str,
    model_dir: str | None,
    threshold: float | None,
    gazetteer_files: Sequence[str] = (),
) -> RelationClassifier:
    """Build the component with the weights in ``model_dir`` (default: the shipped ones)
    and the shipped gazetteer plus ``gazetteer_files``."""
    return RelationClassifier(
        name,
        model=load_model(model_dir),
        threshold=threshold,
        gazetteer=load_gazetteer(gazetteer_files),
        calibration=load_calibration(model_dir),
    )


Language.factory(
    "kg_relation_classifier_v1",
    default_config={"model_dir": None, "threshold": None, "gazetteer_files": []},
    func=make_relation_classifier,
)
__all__ = [
    "FORMER",
    "RelationClassifier",
    "ScoredCandidate",
    "conflict",
    "decode",
    "former_link",
    "listed_places",
    "make_relation_classifier",
    "place_runs",
    "relation_source",
    "score_candidates",
    "stance",
]
