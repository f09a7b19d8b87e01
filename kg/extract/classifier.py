"""Relations learnt from data, with a confidence that means what it says.

The lexicon component (:mod:`kg.extract.relations`) finds relations through
trigger words. This one learns the core predicates from annotated text
(CoNLL04 for its five, kg's real-news gold set for all fifteen; see
:mod:`kg.train.news`). Every ordered pair of entity mentions in one sentence
is a candidate once for each predicate whose signature its coarse classes fit
(a person and an organization: ``worksFor``, ``sanctions``, ``sues``...); the
model scores it from sparse features (the classes, the words between and
around the mentions, the dependency path between their heads, the titles,
what the lexicon found) with a logistic regression per predicate against
``NONE``. The model only scores the predicates it has training examples for
(``RelationModel.labels``).

The component rescores every relation of ``doc._.kg_relations``: a lexicon
relation takes the model's probability for its pair and predicate, and
candidates at or above the threshold become
:class:`~kg.extract.relations.RawRelation` records (trigger ``"classifier"``)
unless the lexicon already gave them or :func:`conflict` rules them out (the
lexicon says something else about the pair, the gazetteer knows the head's
country is another, the person only modifies a noun, or speaks through a
reporter). Every confidence is calibrated (:class:`Calibration`, fitted on
held-out news): a relation of confidence 0.8 is right about 80% of the time.

Feature extraction lives here so training (:mod:`kg.train.relations`,
:mod:`kg.train.news`) and inference share it. The weights ship in
``kg/models/relations/`` (a JSON file with the feature vocabulary and
settings, a ``.npy`` matrix, and ``calibration.json``); numpy only.

>>> import spacy
>>> from spacy.tokens import Doc, Span
>>> nlp = spacy.blank("en")
>>> doc = Doc(nlp.vocab, words=["Ann", "Lee", "lives", "in", "Oslo"],
...           heads=[1, 2, 2, 2, 3], deps=["compound", "nsubj", "ROOT", "prep", "pobj"])
>>> doc.spans["kg_entities"] = [Span(doc, 0, 2, label="Person"), Span(doc, 4, 5, label="City")]
>>> [(c.head, c.tail, c.predicate) for c in candidates(doc)]
[(0, 1, 'livesIn')]
>>> "b=in" in pair_features(doc, 0, 1)
True
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.errors import ModelNotFoundError
from kg.extract.entities import SPAN_KEY
from kg.extract.relations import RawRelation, mention_table
from kg.extract.titles import person_title, split_ended
from kg.ontology import CORE_PREDICATES, SIGNATURES, Gazetteer, load_gazetteer, load_lexicon
from kg.types import coarse_class

#: The predicates the classifier knows (the fifteen core ones), in label order after ``NONE``.
PREDICATES: tuple[str, ...] = CORE_PREDICATES
#: The predicates of CoNLL04, the only ones its sentences are annotated for.
CONLL_PREDICATES: frozenset[str] = frozenset(
    {"worksFor", "basedIn", "locatedIn", "livesIn", "killed"}
)
#: The model's labels: no relation, then the predicates.
LABELS: tuple[str, ...] = ("NONE", *PREDICATES)
#: (head coarse class, tail coarse class) -> the predicates whose signature fits it.
PREDICATES_OF: dict[tuple[str, str], tuple[str, ...]] = {
    pair: tuple(
        p for p in PREDICATES if pair[0] in SIGNATURES[p][0] and pair[1] in SIGNATURES[p][1]
    )
    for pair in (
        (subject, obj)
        for predicate in PREDICATES
        for subject in sorted(SIGNATURES[predicate][0])
        for obj in sorted(SIGNATURES[predicate][1])
    )
}
#: Format version of the files in the model folder.
MODEL_FORMAT = 2
#: The trigger recorded on relations this component adds.
TRIGGER = "classifier"

_TERMINAL = frozenset({".", "!", "?", '"', "''", "'", "”", "’", ")"})
_MAX_PATH = 7
_MAX_SEQUENCE = 4
#: Verbs of reporting: a person linked to an organization through one is its source, not staff.
_REPORTING = frozenset({"tell", "quote", "report"})
#: Predicates that hold of the places that contain their object.
_PROPAGATED = frozenset({"livesIn", "basedIn"})


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True, slots=True)
class Candidate:
    """An ordered pair of entity spans of one sentence that a predicate's signature allows.

    ``head``/``tail`` index ``doc.spans["kg_entities"]`` (and so the mention table).
    """

    head: int
    tail: int
    predicate: str
    sentence: tuple[int, int]  # token span


def sentence_units(doc: Doc) -> list[tuple[int, int]]:
    """The token spans of the doc's sentences, joining a piece the parser cut too early.

    A parser sentence that does not end in terminal punctuation (". ! ?" or a
    closing quote) runs on into the next one ("... said Tuesday ; the ...").
    A doc without sentence boundaries is one sentence.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> doc = Doc(nlp.vocab, words=["A", "b", "C", "d", "."],
    ...           sent_starts=[True, False, True, False, False])
    >>> sentence_units(doc)
    [(0, 5)]
    """
    if len(doc) == 0:
        return []
    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return [(0, len(doc))]
    units: list[tuple[int, int]] = []
    for sent in doc.sents:
        if units and not _ends_sentence(doc, units[-1]):
            units[-1] = (units[-1][0], sent.end)
        else:
            units.append((sent.start, sent.end))
    return units


def _ends_sentence(doc: Doc, unit: tuple[int, int]) -> bool:
    words = [t for t in doc[unit[0] : unit[1]] if not t.is_space]
    return bool(words) and words[-1].text in _TERMINAL


#: A sentence with more mentions than this (a list of names, a flattened table)
#: pairs each mention only with the NEIGHBOURS nearest on either side: pairing
#: every two would grow with the square of the list, the features with its cube.
DENSE = 40
NEIGHBOURS = 20


def candidates(doc: Doc, predicates: frozenset[str] | None = None) -> list[Candidate]:
    """Every ordered pair of entity spans in one sentence, once for each predicate whose
    signature its classes fit (among ``predicates``, default all the classifier knows).

    Overlapping spans are never paired; in a sentence with more than
    :data:`DENSE` mentions a mention is paired only with its :data:`NEIGHBOURS`
    nearest on either side. Returned in text order (head, then tail).
    """
    spans = list(doc.spans[SPAN_KEY]) if SPAN_KEY in doc.spans else []
    if not spans:
        return []
    units = sentence_units(doc)
    unit_of = {}
    for index, (start, end) in enumerate(units):
        for i in range(start, end):
            unit_of[i] = index
    members: dict[int, list[int]] = {}  # unit -> its spans, in list order
    for n, span in enumerate(spans):
        unit = unit_of.get(span.start)
        if unit is not None:
            members.setdefault(unit, []).append(n)
    found = []
    for h, head in enumerate(spans):
        unit = unit_of.get(head.start)
        if unit is None:
            continue
        others = members[unit]
        if len(others) > DENSE:
            at = others.index(h)
            others = others[max(0, at - NEIGHBOURS) : at + NEIGHBOURS + 1]
        for t in others:
            tail = spans[t]
            if h == t or (head.start < tail.end and tail.start < head.end):
                continue
            allowed = PREDICATES_OF.get((coarse_class(head.label_), coarse_class(tail.label_)), ())
            for predicate in allowed:
                if predicates is None or predicate in predicates:
                    found.append(Candidate(h, t, predicate, units[unit]))
    return found


# --------------------------------------------------------------------------- features


def _word(token: Token) -> str:
    if token.like_num:
        return "<num>"
    lemma = token.lemma_.lower() if token.lemma_ else ""
    return lemma or token.lower_


def _bucket(n: int) -> str:
    if n <= 3:
        return str(n)
    if n <= 5:
        return "4-5"
    if n <= 9:
        return "6-9"
    return "10+"


@cache
def _trigger_predicates() -> dict[str, frozenset[str]]:
    """Lexicon lemma -> the predicates it triggers (among the classifier's)."""
    lexicon = load_lexicon()
    out: dict[str, set[str]] = {}
    for lemma, triggers in lexicon.triggers.items():
        for trigger in triggers:
            if trigger.predicate in PREDICATES:
                out.setdefault(lemma, set()).add(trigger.predicate)
    return {k: frozenset(v) for k, v in out.items()}


def lexicon_pairs(doc: Doc) -> dict[tuple[int, int], frozenset[str]]:
    """(head span, tail span) -> predicates ``doc._.kg_relations`` already holds for them.

    >>> import spacy
    >>> lexicon_pairs(spacy.blank("en")("Hi"))
    {}
    """
    relations = doc._.kg_relations if Doc.has_extension("kg_relations") else None
    if not relations or SPAN_KEY not in doc.spans:
        return {}
    table = mention_table(doc)
    found: dict[tuple[int, int], set[str]] = {}
    for relation in relations:
        if relation.trigger == TRIGGER:
            continue  # the model's own findings are not the lexicon's
        if relation.head >= len(table) or relation.tail >= len(table):
            continue
        key = (table[relation.head].entity, table[relation.tail].entity)
        found.setdefault(key, set()).add(relation.predicate)
    return {k: frozenset(v) for k, v in found.items()}


def _ancestors(token: Token) -> list[Token]:
    chain = [token]
    while chain[-1].head.i != chain[-1].i and len(chain) < 50:
        chain.append(chain[-1].head)
    return chain


def _governor(token: Token) -> Token | None:
    """The nearest verb above ``token`` (``None`` at the root)."""
    node = token
    for _ in range(8):
        if node.head.i == node.i:
            return None
        node = node.head
        if node.pos_ in {"VERB", "AUX"}:
            return node
    return None


def dependency_path(head: Token, tail: Token) -> tuple[list[Token], Token, list[Token]] | None:
    """The shortest path between two tokens: the climb from ``head``, the meeting token,
    the descent to ``tail`` (both lists exclude the meeting token). ``None`` if unconnected.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> doc = Doc(nlp.vocab, words=["Ann", "lives", "in", "Oslo"], heads=[1, 1, 1, 2],
    ...           deps=["nsubj", "ROOT", "prep", "pobj"])
    >>> up, top, down = dependency_path(doc[0], doc[3])
    >>> [t.text for t in up], top.text, [t.text for t in down]
    (['Ann'], 'lives', ['in', 'Oslo'])
    """
    up = _ancestors(head)
    down = _ancestors(tail)
    down_index = {t.i: n for n, t in enumerate(down)}
    for n, token in enumerate(up):
        if token.i in down_index:
            return up[:n], token, list(reversed(down[: down_index[token.i]]))
    return None


class DocFeatures:
    """What :func:`pair_features` reads from a doc, computed once for all its pairs:
    the mentions, the lexicon's pairs, each token's feature word, lower-case form,
    POS and trigger predicates, and per-mention and per-sentence features."""

    def __init__(
        self,
        doc: Doc,
        *,
        spans: Sequence[Span] | None = None,
        lexicon: dict[tuple[int, int], frozenset[str]] | None = None,
    ) -> None:
        self.doc = doc
        if spans is None:
            spans = list(doc.spans[SPAN_KEY]) if SPAN_KEY in doc.spans else []
        self.spans = list(spans)
        self.lexicon = lexicon_pairs(doc) if lexicon is None else lexicon
        # span indices by start, to find the mentions of a stretch of text by bisection
        self.by_start = sorted(range(len(self.spans)), key=lambda n: (self.spans[n].start, n))
        self.starts = [self.spans[n].start for n in self.by_start]
        self.coarse = [coarse_class(span.label_) for span in self.spans]
        triggers = _trigger_predicates()
        tokens = list(doc)
        self.word = [_word(tok) for tok in tokens]
        self.lower = [tok.lower_ for tok in tokens]
        self.pos = [tok.pos_ for tok in tokens]
        self.space = [tok.is_space for tok in tokens]
        self.triggers = [triggers.get(tok.lemma_.lower(), _NO_TRIGGERS) for tok in tokens]
        self.has_dep = doc.has_annotation("DEP")
        self._units: list[tuple[int, int]] | None = None
        self._mentions: dict[tuple[int, int, tuple[int, int], int], list[str]] = {}
        self._sentences: dict[tuple[int, int], tuple[list[str], list[Span]]] = {}
        self._rivals: dict[tuple[int, str, tuple[int, int]], list[tuple[int, int]]] = {}

    def between(self, start: int, end: int) -> list[int]:
        """Indices (in list order) of the mentions starting at a token in [start, end)."""
        lo, hi = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return sorted(self.by_start[lo:hi])

    def rivals(self, other: int, cls: str, sentence: tuple[int, int]) -> list[tuple[int, int]]:
        """(distance to mention ``other``, index) of the sentence's mentions of class ``cls``
        that do not overlap it, nearest first."""
        key = (other, cls, sentence)
        found = self._rivals.get(key)
        if found is None:
            o = self.spans[other]
            found = sorted(
                (abs(self.spans[n].start - o.start), n)
                for n in self.between(*sentence)
                if self.coarse[n] == cls
                and not (self.spans[n].start < o.end and o.start < self.spans[n].end)
            )
            self._rivals[key] = found
        return found

    def unit_of(self, start: int) -> tuple[int, int]:
        """The sentence unit holding token ``start``."""
        if self._units is None:
            self._units = sentence_units(self.doc)
        return next((u for u in self._units if u[0] <= start < u[1]), (0, len(self.doc)))

    def sentence(self, start: int, end: int) -> tuple[list[str], list[Span]]:
        """The sentence-level features of the unit (start, end), and its mentions."""
        key = (start, end)
        found = self._sentences.get(key)
        if found is None:
            predicates = sorted({p for ps in self.triggers[start:end] for p in ps})
            feats = [f"strig={predicate}" for predicate in predicates]
            in_sentence = [self.spans[n] for n in self.between(start, end)]
            for cls in ("Person", "Organization", "Place"):
                count = sum(1 for s in in_sentence if coarse_class(s.label_) == cls)
                feats.append(f"n{cls}={min(count, 3)}")
            found = self._sentences[key] = (feats, in_sentence)
        return found

    def mention(self, span: Span, sentence: tuple[int, int], part: int) -> list[str]:
        """Features of one mention (without the role prefix), in three parts as
        :func:`pair_features` lists them: 0 words and head, 1 governor and case,
        2 trigger words nearby."""
        key = (span.start, span.end, sentence, part)
        found = self._mentions.get(key)
        if found is None:
            found = self._mentions[key] = self._mention(span, sentence, part)
        return found

    def _mention(self, span: Span, sentence: tuple[int, int], part: int) -> list[str]:
        s_start, s_end = sentence
        word = self.word
        feats: list[str] = []
        if part == 0:
            for offset in (-2, -1):
                i = span.start + offset
                feats.append(f"{offset}={word[i] if i >= s_start else '<s>'}")
            for offset in (1, 2):
                i = span.end + offset - 1
                feats.append(f"+{offset}={word[i] if i < s_end else '</s>'}")
            feats += [f"w={self.lower[i]}" for i in range(span.start, span.end)]
            root = span.root
            feats.append(f"root={root.lower_}")
            feats.append(f"dep={root.dep_}")
            feats.append(f"len={min(len(span), 4)}")
            feats.append(f"ner={root.ent_type_ or 'O'}")
            feats.append(f"tag={root.tag_}")
            if span.kb_id_:
                feats.append("known")
        elif part == 1:
            root = span.root
            governor = _governor(root)
            if governor is not None:
                feats.append(f"gov={word[governor.i]}")
                feats.append(f"govdep={root.dep_}>{word[governor.i]}")
            if all(tok.is_upper or not tok.is_alpha for tok in span):
                feats.append("caps")
        else:
            window = range(max(s_start, span.start - 3), min(s_end, span.end + 3))
            predicates = sorted({p for i in window for p in self.triggers[i]})
            feats += [f"neartrig={predicate}" for predicate in predicates]
        return feats


_NO_TRIGGERS: frozenset[str] = frozenset()
_VERBS = frozenset({"VERB", "AUX"})


def pair_features(
    doc: Doc,
    head: int,
    tail: int,
    *,
    spans: Sequence[Span] | None = None,
    lexicon: dict[tuple[int, int], frozenset[str]] | None = None,
    sentence: tuple[int, int] | None = None,
    view: DocFeatures | None = None,
) -> list[str]:
    """The sparse features of the candidate (``head`` span -> ``tail`` span), deduplicated.

    ``view`` holds what is read from the doc (:class:`DocFeatures`; make one
    for all the pairs of a doc). Without it one is made from ``spans``
    (default ``doc.spans["kg_entities"]``) and ``lexicon`` (default
    :func:`lexicon_pairs`). ``sentence`` defaults to the unit holding the head.
    """
    if view is None:
        view = DocFeatures(doc, spans=spans, lexicon=lexicon)
    spans, lexicon = view.spans, view.lexicon
    h, t = spans[head], spans[tail]
    if sentence is None:
        sentence = view.unit_of(h.start)
    s_start, s_end = sentence
    word, pos = view.word, view.pos
    hc, tc = coarse_class(h.label_), coarse_class(t.label_)
    forward = h.start < t.start
    first, second = (h, t) if forward else (t, h)
    direction = "ht" if forward else "th"
    feats: list[str] = [
        "bias",
        f"types={hc}>{tc}",
        f"fine={h.label_}>{t.label_}",
        f"hfine={h.label_}",
        f"tfine={t.label_}",
        f"dir={direction}",
    ]

    # the words between the mentions
    between = [i for i in range(first.end, second.start) if not view.space[i]]
    words = [word[i] for i in between]
    feats.append(f"nb={_bucket(len(words))}")
    if not words:
        feats.append(f"adjacent={direction}")
    feats += [f"b={w}" for w in words]
    feats += [f"bb={a}_{b}" for a, b in pairwise(words)]
    if words:
        feats += [f"bf={words[0]}", f"bl={words[-1]}"]
    if 0 < len(words) <= _MAX_SEQUENCE:
        feats.append(f"bs={direction}:{'_'.join(words)}")
        feats.append(f"bpos={direction}:{'_'.join(pos[i] for i in between)}")
    feats += [f"bv={word[i]}" for i in between if pos[i] in _VERBS]
    if "," in words:
        feats.append("comma")
    if words[:1] == [","] and len(words) == 1:
        feats.append(f"comma_only={hc}>{tc}")
    inside = [
        n
        for n in view.between(first.end, second.start)
        if n not in {head, tail} and spans[n].end <= second.start
    ]
    feats.append(f"ne={min(len(inside), 3)}")
    feats += [f"bet={view.coarse[n]}" for n in inside]

    # the words around the mentions (within the sentence)
    for role, span in (("h", h), ("t", t)):
        feats += [role + f for f in view.mention(span, sentence, 0)]

    # the dependency path between the mentions' heads
    path = dependency_path(h.root, t.root) if view.has_dep else None
    if path is None:
        feats.append("nopath")
    else:
        up, top, down = path
        length = len(up) + len(down)
        feats.append(f"plen={_bucket(length)}")
        if length <= _MAX_PATH:
            ups = [f"{tok.dep_}<" for tok in up]
            downs = [f">{tok.dep_}" for tok in down]
            middle = "^" if top.i in {h.root.i, t.root.i} else word[top.i]
            feats.append(f"pu={' '.join(ups)}|{' '.join(downs)}")
            feats.append(f"pl={' '.join(ups)}|{middle}|{' '.join(downs)}")
            lex = [word[tok.i] for tok in up[1:]] + [word[tok.i] for tok in down[:-1]]
            lex_path = " ".join([*(word[tok.i] for tok in up[1:]), middle])
            lex_path += " " + " ".join(word[tok.i] for tok in down[:-1])
            feats.append(f"plex={lex_path.strip()}")
            if middle != "^":
                feats.append(f"top={middle}")
                feats.append(f"toppos={pos[top.i]}")
                lex.append(middle)
            feats += [f"pw={w}" for w in lex]
            if up:
                feats.append(f"hup={up[0].dep_}>{word[up[1].i] if len(up) > 1 else middle}")
            if down:
                feats.append(
                    f"tdown={down[-1].dep_}<{word[down[-2].i] if len(down) > 1 else middle}"
                )
            on_path = [tok.i for tok in (*up[1:], top, *down[:-1])]
            for i in on_path:
                if h.start <= i < h.end or t.start <= i < t.end:
                    continue
                for predicate in sorted(view.triggers[i]):
                    feats.append(f"ptrig={predicate}")
                if pos[i] in _VERBS:
                    feats.append(f"pv={word[i]}")
            verbs = sum(1 for i in on_path if pos[i] in _VERBS)
            feats.append(f"npv={min(verbs, 2)}")

    # how the pair stands among the other mentions of the sentence
    for role, span, other, cls in (("t", t, head, tc), ("h", h, tail, hc)):
        distance = abs(span.start - spans[other].start)
        rank, alone = 0, True
        for gap, n in view.rivals(other, cls, sentence):
            if n in (head, tail):
                continue
            alone = False
            if gap >= distance or rank == 2:
                break
            rank += 1
        feats.append(f"{role}rank={rank}")
        if alone:
            feats.append(f"{role}alone")
    for role, span in (("h", h), ("t", t)):
        feats += [role + f for f in view.mention(span, sentence, 1)]
    sentence_feats, in_sentence = view.sentence(s_start, s_end)
    feats += sentence_feats
    for role, span in (("h", h), ("t", t)):
        # "Amherst , Mass.": a place right after another place and a comma qualifies it
        before = span.start - 2
        if (
            before >= s_start
            and doc[before + 1].text == ","
            and any(s.end == before + 1 and coarse_class(s.label_) == "Place" for s in in_sentence)
        ):
            feats.append(f"{role}qualifies")
        after = span.end + 1
        if (
            after < s_end
            and doc[span.end].text == ","
            and any(s.start == after and coarse_class(s.label_) == "Place" for s in in_sentence)
        ):
            feats.append(f"{role}qualified")
        feats += [role + f for f in view.mention(span, sentence, 2)]

    # what the lexicon component found
    for predicate in sorted(lexicon.get((head, tail), ())):
        feats.append(f"lex={predicate}")
    for predicate in sorted(lexicon.get((tail, head), ())):
        feats.append(f"lexrev={predicate}")
    roles = doc._.kg_roles if Doc.has_extension("kg_roles") else None
    for role, span in (("h", h), ("t", t)):
        if roles and span.start in roles:
            feats.append(f"{role}title")
            feats += [f"{role}title={w.lower()}" for w in roles[span.start].split()]
    return list(dict.fromkeys(feats))


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True, eq=False)
class RelationModel:
    """Weights of the classifier: feature vocabulary, a (features x labels) matrix, a bias.

    ``threshold`` is the probability at or above which a candidate becomes a relation.
    """

    features: tuple[str, ...]
    weights: np.ndarray  # float32, shape (len(features), len(labels))
    bias: np.ndarray  # float32, shape (len(labels),)
    labels: tuple[str, ...] = LABELS
    threshold: float = 0.5
    settings: tuple[tuple[str, Any], ...] = ()

    @cached_property
    def index(self) -> dict[str, int]:
        """Feature -> row of ``weights``."""
        return {f: i for i, f in enumerate(self.features)}


def probabilities(
    model: RelationModel, rows: Sequence[Sequence[str]], predicates: Sequence[str]
) -> np.ndarray:
    """The probability of each row's allowed predicate (the other choice is ``NONE``).

    >>> m = RelationModel(("b=in",), np.array([[0, 0, 0, 0, 2, 0]], np.float32),
    ...                   np.zeros(6, np.float32))
    >>> [round(float(p), 3) for p in probabilities(m, [["b=in"], []], ["livesIn", "livesIn"])]
    [0.881, 0.5]
    """
    index = model.index
    out = np.zeros(len(rows), dtype=np.float64)
    for n, (row, predicate) in enumerate(zip(rows, predicates, strict=True)):
        label = model.labels.index(predicate)
        ids = [index[f] for f in row if f in index]
        score = model.weights[ids].sum(axis=0, dtype=np.float64) + model.bias
        margin = float(score[label] - score[0])
        out[n] = 1.0 / (1.0 + np.exp(-margin))
    return out


def default_model_dir() -> Path:
    """The folder of the shipped weights (``kg/models/relations``).

    >>> default_model_dir().name
    'relations'
    """
    return Path(__file__).resolve().parents[1] / "models" / "relations"


def save_model(model: RelationModel, path: str | Path) -> list[Path]:
    """Write ``model.json`` (vocabulary, labels, threshold, settings) and ``weights.npy``.

    Returns the files written.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": MODEL_FORMAT,
        "labels": list(model.labels),
        "threshold": model.threshold,
        "settings": dict(model.settings),
        "bias": [round(float(b), 6) for b in model.bias],
        "features": list(model.features),
    }
    meta_path = folder / "model.json"
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    weights_path = folder / "weights.npy"
    with weights_path.open("wb") as handle:
        np.save(handle, np.ascontiguousarray(model.weights, dtype=np.float32), allow_pickle=False)
    return [meta_path, weights_path]


def load_model(path: str | Path | None = None) -> RelationModel:
    """Read the weights written by :func:`save_model` (default: the shipped ones).

    Raises :class:`~kg.errors.ModelNotFoundError` when the files are missing or broken.
    """
    folder = Path(path) if path is not None else default_model_dir()
    meta_path, weights_path = Path(folder) / "model.json", Path(folder) / "weights.npy"
    hint = (
        "Train it with `python -m kg.train.news --conll train.json "
        f"--news eval/news/train.gold.json --out {folder}`, or reinstall kg."
    )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        weights = np.load(weights_path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise ModelNotFoundError(
            f"relation classifier weights missing or unreadable in {folder} ({err}). {hint}"
        ) from err
    if (
        not isinstance(meta, dict)
        or meta.get("format") != MODEL_FORMAT
        or weights.shape != (len(meta.get("features", ())), len(meta.get("labels", ())))
        or len(meta.get("bias", ())) != weights.shape[1]
    ):
        raise ModelNotFoundError(f"relation classifier files in {folder} do not match. {hint}")
    return RelationModel(
        features=tuple(meta["features"]),
        weights=weights.astype(np.float32),
        bias=np.asarray(meta["bias"], dtype=np.float32),
        labels=tuple(meta["labels"]),
        threshold=float(meta["threshold"]),
        settings=tuple(sorted(meta.get("settings", {}).items())),
    )


# --------------------------------------------------------------------------- decoding


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """A candidate and the model's probability that its predicate holds."""

    candidate: Candidate
    probability: float


def score_candidates(doc: Doc, model: RelationModel) -> list[ScoredCandidate]:
    """Every candidate of ``doc`` with its probability, in text order."""
    found = [c for c in candidates(doc) if c.predicate in model.labels]
    if not found:
        return []
    view = DocFeatures(doc)
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


def decode(scored: Iterable[ScoredCandidate], threshold: float) -> list[ScoredCandidate]:
    """Keep candidates at or above ``threshold``; of the predicates and directions of one
    pair, the likeliest; then add what ``livesIn``/``basedIn`` and ``locatedIn`` imply
    (see :func:`_inferred`).

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
    found = {(s.candidate.head, s.candidate.tail, s.candidate.predicate): s for s in kept.values()}
    found.update(_inferred(found, scored))
    return sorted(found.values(), key=lambda s: (s.candidate.head, s.candidate.tail))


def _inferred(
    found: dict[tuple[int, int, str], ScoredCandidate], scored: Sequence[ScoredCandidate]
) -> dict[tuple[int, int, str], ScoredCandidate]:
    """Who lives (or what is based) in a place also lives (is based) in the place that
    holds it: livesIn(a, x) and locatedIn(x, y) give livesIn(a, y), as does basedIn."""
    by_key = {(s.candidate.head, s.candidate.tail, s.candidate.predicate): s for s in scored}
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
      organization carried the words, it does not employ the speaker.

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
    return None


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


def _noun_modifier(span: Span, spans: Sequence[Span]) -> bool:
    root = span.root
    governor = root.head
    return (
        root.dep_ in {"compound", "amod", "nmod"}
        and governor.pos_ == "NOUN"
        and not any(s.start <= governor.i < s.end for s in spans)
    )


# --------------------------------------------------------------------------- the component


@dataclass(frozen=True)
class Calibration:
    """Maps from raw scores to calibrated confidence, as (knots x, knots y) of a
    piecewise-linear monotone function: the model's probability, and the
    lexicon's confidence for the lexicon relations the model does not score.
    ``min_confidence`` is the default threshold of a build (see kg/train/news.py).
    """

    classifier: tuple[list[float], list[float]] = ([0.0, 1.0], [0.0, 1.0])
    lexicon: tuple[list[float], list[float]] = ([0.0, 1.0], [0.0, 1.0])
    #: The model's probability for a candidate the lexicon also found: a trigger word makes
    #: a fact likelier than the model's score alone says (None: as ``classifier``).
    backed: tuple[list[float], list[float]] | None = None
    #: predicate -> (lexicon relations right, lexicon relations judged) on held-out news
    lexicon_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    min_confidence: float = 0.5
    #: Predicates with enough training examples for the model's probability to replace the
    #: lexicon's own calibrated confidence of a lexicon relation (empty: all the model knows).
    trusted: frozenset[str] = frozenset()
    #: How many judged relations the pooled estimate counts for against a predicate's own.
    prior_weight: float = 5.0

    def of_model(self, probability: float, *, backed: bool = False) -> float:
        """The calibrated confidence of a model probability; ``backed``: of a candidate the
        lexicon found too.

        >>> c = Calibration(classifier=([0.0, 0.5, 1.0], [0.0, 0.2, 0.9]),
        ...                 backed=([0.0, 1.0], [0.5, 1.0]))
        >>> c.of_model(0.75), c.of_model(0.5, backed=True)
        (0.55, 0.75)
        """
        knots = self.backed if backed and self.backed is not None else self.classifier
        return round(float(np.interp(probability, *knots)), 4)

    def of_lexicon(self, confidence: float, predicate: str | None = None) -> float:
        """The calibrated confidence of a lexicon relation the model does not score: the
        pooled map of its confidence, moved toward its predicate's own precision as far as
        the judged relations of that predicate allow.

        >>> c = Calibration(lexicon=([0.0, 1.0], [0.0, 0.5]), lexicon_counts={"sues": (10, 10)})
        >>> c.of_lexicon(0.8), c.of_lexicon(0.8, "sues"), c.of_lexicon(0.8, "sells")
        (0.4, 0.8, 0.4)
        """
        pooled = float(np.interp(confidence, *self.lexicon))
        right, judged = self.lexicon_counts.get(predicate or "", (0, 0))
        return round((right + self.prior_weight * pooled) / (judged + self.prior_weight), 4)


def save_calibration(calibration: Calibration, path: str | Path) -> list[Path]:
    """Write ``calibration.json`` into the model folder; returns the file written."""
    target = Path(path) / "calibration.json"
    data = {
        "classifier": [list(map(_round6, xs)) for xs in calibration.classifier],
        "lexicon": [list(map(_round6, xs)) for xs in calibration.lexicon],
        **(
            {"backed": [list(map(_round6, xs)) for xs in calibration.backed]}
            if calibration.backed is not None
            else {}
        ),
        "lexicon_counts": {p: list(c) for p, c in sorted(calibration.lexicon_counts.items())},
        "min_confidence": calibration.min_confidence,
        "trusted": sorted(calibration.trusted),
    }
    target.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return [target]


def _round6(value: float) -> float:
    return round(float(value), 6)


def load_calibration(path: str | Path | None = None) -> Calibration:
    """Read ``calibration.json`` (default: the shipped one); none there: the identity."""
    target = Path(path if path is not None else default_model_dir()) / "calibration.json"
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Calibration()
    except (OSError, ValueError) as err:
        raise ModelNotFoundError(f"unreadable calibration {target} ({err}); reinstall kg.") from err
    return Calibration(
        classifier=(data["classifier"][0], data["classifier"][1]),
        lexicon=(data["lexicon"][0], data["lexicon"][1]),
        backed=(data["backed"][0], data["backed"][1]) if "backed" in data else None,
        lexicon_counts={
            p: (int(c[0]), int(c[1])) for p, c in data.get("lexicon_counts", {}).items()
        },
        min_confidence=float(data["min_confidence"]),
        trusted=frozenset(data.get("trusted", ())),
    )


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
        scored = score_candidates(doc, self.model)
        found = self._rescored(doc, scored)
        for item in decode(scored, self.threshold):
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
        return found

    def _rescored(self, doc: Doc, scored: Sequence[ScoredCandidate]) -> list[RawRelation]:
        """The lexicon's relations with calibrated confidence (see the class docstring)."""
        table = mention_table(doc)
        probability = {
            (s.candidate.head, s.candidate.tail, s.candidate.predicate): s.probability
            for s in scored
        }
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
    "CONLL_PREDICATES",
    "LABELS",
    "PREDICATES",
    "PREDICATES_OF",
    "Calibration",
    "Candidate",
    "DocFeatures",
    "RelationClassifier",
    "RelationModel",
    "ScoredCandidate",
    "candidates",
    "conflict",
    "decode",
    "default_model_dir",
    "dependency_path",
    "lexicon_pairs",
    "load_calibration",
    "load_model",
    "pair_features",
    "probabilities",
    "save_calibration",
    "save_model",
    "score_candidates",
    "sentence_units",
]
