"""Features of the relation classifier's candidates (:mod:`kg.extract.classifier`).

:func:`pair_features` describes a pair of mentions of one sentence (a
:class:`~kg.extract.relation_candidates.Candidate`) by sparse string features:
the classes, the words between and around the mentions, the dependency path
between their heads, the titles, what the lexicon found. Training
(:mod:`kg.train.relations`, :mod:`kg.train.news`) and inference share them; the
shipped weights are keyed by these strings.

>>> import spacy
>>> from spacy.tokens import Doc, Span
>>> nlp = spacy.blank("en")
>>> doc = Doc(nlp.vocab, words=["Ann", "Lee", "lives", "in", "Oslo"],
...           heads=[1, 2, 2, 2, 3], deps=["compound", "nsubj", "ROOT", "prep", "pobj"])
>>> doc.spans["kg_entities"] = [Span(doc, 0, 2, label="Person"), Span(doc, 4, 5, label="City")]
>>> "b=in" in pair_features(doc, 0, 1)
True
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from functools import cache
from itertools import pairwise

import numpy as np
from spacy.attrs import DEP, HEAD, IS_SPACE, LEMMA, LIKE_NUM, LOWER, POS
from spacy.parts_of_speech import NAMES as POS_NAMES
from spacy.tokens import Doc, Span, Token

from kg.extract.columns import hashed, lower_lemmas, strings
from kg.extract.entities import SPAN_KEY
from kg.extract.mentions import mention_table
from kg.extract.relation_candidates import PREDICATES, TRIGGER, sentence_units
from kg.ontology import load_lexicon
from kg.types import coarse_class

_MAX_PATH = 7
_MAX_SEQUENCE = 4
#: The most tokens a chain of heads climbs (a parse is a tree; this bounds a bad one).
_MAX_CHAIN = 50


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
    while chain[-1].head.i != chain[-1].i and len(chain) < _MAX_CHAIN:
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
        self.word, self.lower, self.pos, self.space, self.triggers = _token_columns(doc)
        self.has_dep = doc.has_annotation("DEP")
        self._units: list[tuple[int, int]] | None = None
        self._heads: list[int] = []  # each token's head, read on the first path
        self.dep: list[str] = []  # each token's dependency label, likewise
        self._roots: dict[int, int] = {}  # mention -> its root token
        self._chains: dict[int, tuple[list[int], dict[int, int]]] = {}
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

    def root(self, n: int) -> int:
        """The root token of mention ``n``."""
        found = self._roots.get(n)
        if found is None:
            found = self._roots[n] = self.spans[n].root.i
        return found

    def path(self, head: int, tail: int) -> tuple[list[int], int, list[int]] | None:
        """:func:`dependency_path` between tokens ``head`` and ``tail``, as token indices
        (each token's chain of heads read once)."""
        if not self._heads:
            offsets = self.doc.to_array(HEAD).astype(np.int64)  # relative, as uint64
            self._heads = (offsets + np.arange(len(self.doc))).tolist()
            self.dep = strings(self.doc, DEP)
        up, _ = self._chain(head)
        down, down_index = self._chain(tail)
        for n, i in enumerate(up):
            if i in down_index:
                return up[:n], i, list(reversed(down[: down_index[i]]))
        return None

    def _chain(self, i: int) -> tuple[list[int], dict[int, int]]:
        """:func:`_ancestors` of token ``i`` as indices, and each one's place in it."""
        found = self._chains.get(i)
        if found is None:
            heads = self._heads
            chain = [i]
            while heads[chain[-1]] != chain[-1] and len(chain) < _MAX_CHAIN:
                chain.append(heads[chain[-1]])
            found = self._chains[i] = (chain, {t: n for n, t in enumerate(chain)})
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
            feats += _share_features(self.lower[start:end])
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


def _token_columns(
    doc: Doc,
) -> tuple[list[str], list[str], list[str], list[bool], list[frozenset[str]]]:
    """Each token's feature word (:func:`_word`), lower-case form, POS, whether it is
    white space, and the predicates its lemma triggers, read from the doc's arrays."""
    triggers = _trigger_predicates()
    rows: list[list[int]] = doc.to_array([LIKE_NUM, LEMMA, LOWER, POS, IS_SPACE]).tolist()
    lemmas = lower_lemmas(doc, [row[1] for row in rows])
    forms = hashed(doc, [row[2] for row in rows])
    word = [
        "<num>" if row[0] else lemma or form
        for row, lemma, form in zip(rows, lemmas, forms, strict=True)
    ]
    pos = [POS_NAMES[row[3]] for row in rows]
    space = [bool(row[4]) for row in rows]
    return word, forms, pos, space, [triggers.get(lemma, _NO_TRIGGERS) for lemma in lemmas]


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
    The features come in a fixed order (the shipped weights are keyed by them).
    """
    if view is None:
        view = DocFeatures(doc, spans=spans, lexicon=lexicon)
    h, t = view.spans[head], view.spans[tail]
    if sentence is None:
        sentence = view.unit_of(h.start)
    hc, tc = coarse_class(h.label_), coarse_class(t.label_)
    direction = "ht" if h.start < t.start else "th"
    feats: list[str] = [
        "bias",
        f"types={hc}>{tc}",
        f"fine={h.label_}>{t.label_}",
        f"hfine={h.label_}",
        f"tfine={t.label_}",
        f"dir={direction}",
    ]
    feats += _between_features(view, head, tail)
    for role, span in (("h", h), ("t", t)):
        feats += [role + f for f in view.mention(span, sentence, 0)]
    feats += _path_features(view, head, tail)
    feats += _rank_features(view, head, tail, sentence)
    for role, span in (("h", h), ("t", t)):
        feats += [role + f for f in view.mention(span, sentence, 1)]
    feats += _sentence_features(doc, view, h, t, sentence)
    feats += _lexicon_features(doc, view, head, tail)
    return list(dict.fromkeys(feats))


#: Words after a number that make it a share ("24 pct", "15 %", "20 per cent").
_PERCENT = frozenset({"pct", "percent", "%", "cent"})
#: Words that make a sentence's stake all or most of a company ("all the outstanding shares").
_WHOLE = frozenset({"all", "outstanding", "majority", "controlling", "wholly", "remaining"})


def _share_features(words: Sequence[str]) -> list[str]:
    """What a sentence says of shares: a stake ("stake", "shares", "pct"), below half
    ("owned 24 pct by Ford") or whole ("all the outstanding shares"): a minority holder
    owns no subsidiary.

    >>> _share_features("mazda is owned 24 pct by ford".split())
    ['share=minority']
    >>> _share_features("it bought 73,000 certron shares".split())
    ['share=stake']
    >>> _share_features("it bid for all the outstanding shares".split())
    ['share=whole']
    >>> _share_features("acme acquired beta".split())
    []
    """
    shares = [
        float(a.replace(",", ""))
        for a, b in pairwise(words)
        if b in _PERCENT and a.replace(",", "").replace(".", "", 1).isdigit()
    ]
    stake = bool(shares) or any(w in {"stake", "shares"} for w in words)
    if not stake:
        return []
    if any(w in _WHOLE for w in words) or any(n >= 50 for n in shares):
        return ["share=whole"]
    return ["share=minority" if shares else "share=stake"]


def _between_features(view: DocFeatures, head: int, tail: int) -> list[str]:
    """The words and the mentions between the pair's two mentions."""
    spans, word, pos = view.spans, view.word, view.pos
    h, t = spans[head], spans[tail]
    hc, tc = coarse_class(h.label_), coarse_class(t.label_)
    forward = h.start < t.start
    first, second = (h, t) if forward else (t, h)
    direction = "ht" if forward else "th"
    feats: list[str] = []
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
    return feats


def _path_features(view: DocFeatures, head: int, tail: int) -> list[str]:
    """The dependency path between the mentions' heads: its shape, words and triggers."""
    h_root, t_root = (view.root(head), view.root(tail)) if view.has_dep else (0, 0)
    path = view.path(h_root, t_root) if view.has_dep else None
    if path is None:
        return ["nopath"]
    word, pos, dep = view.word, view.pos, view.dep
    up, top, down = path
    length = len(up) + len(down)
    feats = [f"plen={_bucket(length)}"]
    if length > _MAX_PATH:
        return feats
    ups = [f"{dep[i]}<" for i in up]
    downs = [f">{dep[i]}" for i in down]
    middle = "^" if top in {h_root, t_root} else word[top]
    feats.append(f"pu={' '.join(ups)}|{' '.join(downs)}")
    feats.append(f"pl={' '.join(ups)}|{middle}|{' '.join(downs)}")
    lex = [word[i] for i in up[1:]] + [word[i] for i in down[:-1]]
    lex_path = " ".join([*(word[i] for i in up[1:]), middle])
    lex_path += " " + " ".join(word[i] for i in down[:-1])
    feats.append(f"plex={lex_path.strip()}")
    if middle != "^":
        feats.append(f"top={middle}")
        feats.append(f"toppos={pos[top]}")
        lex.append(middle)
    feats += [f"pw={w}" for w in lex]
    if up:
        feats.append(f"hup={dep[up[0]]}>{word[up[1]] if len(up) > 1 else middle}")
    if down:
        feats.append(f"tdown={dep[down[-1]]}<{word[down[-2]] if len(down) > 1 else middle}")
    h, t = view.spans[head], view.spans[tail]
    on_path = [*up[1:], top, *down[:-1]]
    for i in on_path:
        if h.start <= i < h.end or t.start <= i < t.end:
            continue
        for predicate in sorted(view.triggers[i]):
            feats.append(f"ptrig={predicate}")
        if pos[i] in _VERBS:
            feats.append(f"pv={word[i]}")
    verbs = sum(1 for i in on_path if pos[i] in _VERBS)
    feats.append(f"npv={min(verbs, 2)}")
    return feats


def _rank_features(view: DocFeatures, head: int, tail: int, sentence: tuple[int, int]) -> list[str]:
    """How the pair stands among the other mentions of the sentence: how many mentions of
    each one's class are nearer to the other one."""
    spans = view.spans
    h, t = spans[head], spans[tail]
    feats: list[str] = []
    for role, span, other in (("t", t, head), ("h", h, tail)):
        distance = abs(span.start - spans[other].start)
        rank, alone = 0, True
        for gap, n in view.rivals(other, coarse_class(span.label_), sentence):
            if n in (head, tail):
                continue
            alone = False
            if gap >= distance or rank == 2:
                break
            rank += 1
        feats.append(f"{role}rank={rank}")
        if alone:
            feats.append(f"{role}alone")
    return feats


def _sentence_features(
    doc: Doc, view: DocFeatures, h: Span, t: Span, sentence: tuple[int, int]
) -> list[str]:
    """The sentence's own features, then for each mention the places it qualifies or is
    qualified by, and the trigger words near it."""
    s_start, s_end = sentence
    feats, in_sentence = view.sentence(s_start, s_end)
    feats = list(feats)
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
    return feats


def _lexicon_features(doc: Doc, view: DocFeatures, head: int, tail: int) -> list[str]:
    """What the lexicon component found for the pair, and the mentions' titles."""
    lexicon = view.lexicon
    feats = [f"lex={predicate}" for predicate in sorted(lexicon.get((head, tail), ()))]
    feats += [f"lexrev={predicate}" for predicate in sorted(lexicon.get((tail, head), ()))]
    roles = doc._.kg_roles if Doc.has_extension("kg_roles") else None
    for role, span in (("h", view.spans[head]), ("t", view.spans[tail])):
        if roles and span.start in roles:
            feats.append(f"{role}title")
            feats += [f"{role}title={w.lower()}" for w in roles[span.start].split()]
    return feats


__all__ = [
    "DocFeatures",
    "dependency_path",
    "lexicon_pairs",
    "pair_features",
]
