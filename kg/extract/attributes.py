"""The model's attribute rules (tag -> POS and morphology, lemma exceptions), looked up.

spaCy's :class:`~spacy.pipeline.AttributeRuler` runs a :class:`~spacy.matcher.Matcher`
over ~180 patterns on every token, about 11% of the small English pipeline's
time. Almost all of them are one-token patterns on the token's own tag,
lower-case form and dependency, so :class:`IndexedAttributeRuler` answers
those with a table keyed by the attribute values a token has (filled once per
distinct key) and leaves only the multi-token patterns to a matcher. The
matches, their order and hence the annotations are exactly the stock ruler's
(tests/test_extract_attributes.py compares both on real text); patterns it
cannot evaluate (an operator or attribute outside the supported set) send
every document back to the stock matcher.

``make_nlp`` swaps it in with :func:`index_attribute_ruler`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from spacy.attrs import IDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

#: Token attributes read as strings (their hash in the vocab) or as booleans.
_STRING_ATTRS = frozenset({"ORTH", "LOWER", "NORM", "TAG", "DEP", "SHAPE", "PREFIX", "SUFFIX"})
_FLAG_ATTRS = frozenset({"IS_SPACE", "IS_PUNCT", "IS_ALPHA", "IS_DIGIT", "IS_TITLE", "IS_UPPER"})
_OPERATORS = frozenset({"IN", "NOT_IN", "REGEX"})

#: (attribute-rule index, match id) of one-token patterns, in rule order.
_Hits = tuple[tuple[int, int], ...]
#: A token's hits, and the sequences (multi-token patterns) its token may begin.
_Entry = tuple[_Hits, tuple[int, ...]]


class _Unsupported(Exception):
    """A pattern this table cannot evaluate: use the stock matcher."""


class IndexedAttributeRuler(AttributeRuler):
    """An :class:`AttributeRuler` that looks one-token patterns up instead of matching them."""

    def __init__(self, vocab: Any, name: str = "attribute_ruler", **kwargs: Any) -> None:
        super().__init__(vocab, name, **kwargs)
        self._table: _Table | None = None

    def add(self, patterns: Iterable[Any], attrs: dict[Any, Any], index: int = 0) -> None:
        self._table = None
        super().add(patterns, attrs, index)

    def clear(self) -> None:
        self._table = None
        super().clear()

    def set_annotations(self, doc: Doc, matches: list[tuple[int, int, int, int]]) -> None:
        """As the stock ruler's, with a one-token match's token read from the doc (the
        stock one makes a :class:`~spacy.tokens.Span` of each match to find its token)."""
        for match in matches:  # in order: a later rule overrides an earlier one
            attr_id, _, start, end = match
            if end - start == 1 and self.indices[attr_id] in (0, -1):
                set_token_attrs(doc[start], self.attrs[attr_id])
            else:
                super().set_annotations(doc, [match])

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        if self._table is None:
            self._table = _Table.of(self)
        if not self._table.supported:
            return super().match(doc)
        return self._table.match(doc)


class _Table:
    """One-token patterns as tests over a few attributes, memoised by their values; the
    tokens of fixed-length patterns tested in turn from where their first token matches."""

    def __init__(
        self,
        ruler: AttributeRuler,
        attrs: tuple[str, ...],
        tests: list[tuple[int, int, _Test]],
        multi: Matcher | None,
        *,
        supported: bool = True,
        sequences: Sequence[tuple[int, int, list[_Test]]] = (),
    ) -> None:
        self.ruler = ruler
        self.attrs = attrs
        self.attr_ids = [IDS[a] for a in attrs]
        self.singles = len(tests)
        # the first token of each sequence is one more test, whose hits are starts
        self.tests = [*tests, *((a, m, steps[0]) for a, m, steps in sequences)]
        self.sequences = list(sequences)
        self.multi = multi
        self.supported = supported
        self.cache: dict[tuple[int, ...], _Entry] = {}
        # A token's key is new more often than not (it holds the lower-case form), so
        # a miss must be cheap: the tests that read no lower-case form are answered
        # once per value of the other attributes; those that ask for given forms only
        # for a token of one of them; the rest (a pattern or exclusion) every time.
        self.lower = attrs.index("LOWER") if "LOWER" in attrs else None
        self.general: list[int] = []
        self.by_lower: dict[object, list[int]] = {}
        self.always: list[int] = []
        for n, (_, _, test) in enumerate(self.tests):
            forms = test.forms if self.lower is not None else None
            if forms is None:
                self.general.append(n)
            elif forms is _ANY_FORM:
                self.always.append(n)
            else:
                for form in forms:
                    self.by_lower.setdefault(form, []).append(n)
        self.general_cache: dict[tuple[int, ...], list[int]] = {}

    @classmethod
    def of(cls, ruler: AttributeRuler) -> _Table:
        strings = ruler.vocab.strings
        singles: list[tuple[int, int, list[dict[str, Any]]]] = []
        longer: list[tuple[int, int, list[dict[str, Any]]]] = []  # every other alternative
        for attr_id in range(len(ruler.attrs)):
            key = str(attr_id)
            alternatives = ruler.matcher.get(key)[1]
            if len(alternatives) == 1 and len(alternatives[0]) == 1:
                singles.append((attr_id, strings[key], alternatives[0]))
            else:
                longer += [(attr_id, strings[key], tokens) for tokens in alternatives]
        own = {a for _, _, pattern in singles for a in pattern[0]}
        try:
            attrs = tuple(sorted(own | {a for _, _, tokens in longer for t in tokens for a in t}))
            sequences = [(i, m, [_Test(t, attrs) for t in tokens]) for i, m, tokens in longer]
            multi = None
        except _Unsupported:  # an operator ("OP": "+") or attribute for the matcher
            attrs, sequences, multi = tuple(sorted(own)), [], Matcher(ruler.vocab)
            for attr_id, _, tokens in longer:
                multi.add(str(attr_id), [tokens])
        try:
            if not attrs:
                raise _Unsupported("no one-token patterns")
            tests = [(i, m, _Test(p[0], attrs)) for i, m, p in singles]
        except _Unsupported:
            return cls(ruler, (), [], None, supported=False)
        return cls(ruler, attrs, tests, multi, sequences=sequences)

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        found: list[tuple[int, int, int, int]] = []
        if len(doc):
            # uint64 hashes (and 0/1 flags), one row per token
            array = doc.to_array(self.attr_ids).reshape(len(doc), -1)
            values: list[list[int]] = array.tolist()  # type: ignore[assignment]
            cache = self.cache
            begun: list[tuple[int, int]] = []  # (sequence, its first token)
            for i, row in enumerate(values):
                key = tuple(row)
                entry = cache.get(key)
                if entry is None:
                    entry = cache[key] = self._hits(key)
                for attr_id, match_id in entry[0]:
                    found.append((attr_id, match_id, i, i + 1))
                begun += [(k, i) for k in entry[1]]
            found += self._sequences(begun, values)
        if self.multi is not None:
            strings = self.ruler.vocab.strings
            for match_id, start, end in self.multi(doc, allow_missing=True):
                found.append((int(strings[match_id]), match_id, start, end))
        found.sort()
        return found

    def _sequences(
        self, begun: list[tuple[int, int]], rows: list[list[int]]
    ) -> set[tuple[int, int, int, int]]:
        """The sequences whose every token matches from where their first one does; one
        match per rule and place, as the matcher gives (two alternatives may agree)."""
        found = set()
        for k, start in begun:
            attr_id, match_id, steps = self.sequences[k]
            end = start + len(steps)
            if end <= len(rows) and all(
                step(self._values(tuple(rows[start + n])))
                for n, step in enumerate(steps[1:], start=1)
            ):
                found.add((attr_id, match_id, start, end))
        return found

    def _values(self, key: tuple[int, ...]) -> list[object]:
        """The key attributes' values: strings (hashes looked up) and booleans."""
        strings = self.ruler.vocab.strings
        return [
            bool(v) if a in _FLAG_ATTRS else (strings[v] if v else "")
            for a, v in zip(self.attrs, key, strict=True)
        ]

    def _hits(self, key: tuple[int, ...]) -> _Entry:
        """The one-token patterns a token of attribute values ``key`` matches, in rule
        order, and the sequences it may begin: those of the tests that pass (see
        ``__init__`` for which are tried)."""
        values = self._values(key)
        tests = self.tests
        if self.lower is None:
            passed = [n for n, (_, _, test) in enumerate(tests) if test(values)]
        else:
            rest = key[: self.lower] + key[self.lower + 1 :]
            cached = self.general_cache.get(rest)
            if cached is None:
                cached = [n for n in self.general if tests[n][2](values)]
                self.general_cache[rest] = cached
            passed = cached
            asking = self.by_lower.get(values[self.lower], ())
            more = [n for n in (*asking, *self.always) if tests[n][2](values)]
            if more:
                passed = sorted((*passed, *more))
        hits = tuple(tests[n][:2] for n in passed if n < self.singles)
        return hits, tuple(n - self.singles for n in passed if n >= self.singles)


class _Test:
    """Whether a token of the key attributes' values matches one token pattern; ``forms``:
    the lower-case forms it can match (``None``: it reads none; :data:`_ANY_FORM`: any)."""

    def __init__(self, token: dict[str, Any], attrs: tuple[str, ...]) -> None:
        self.checks: list[tuple[int, Callable[[object], bool]]] = []
        for name, spec in token.items():
            if name not in _STRING_ATTRS and name not in _FLAG_ATTRS:
                raise _Unsupported(name)
            self.checks.append((attrs.index(name), _condition(spec)))
        self.forms: frozenset[object] | None = None
        if "LOWER" in token:
            spec = token["LOWER"]
            if not isinstance(spec, dict):
                self.forms = frozenset({spec})
            elif set(spec) == {"IN"}:
                self.forms = frozenset(spec["IN"])
            else:
                self.forms = _ANY_FORM

    def __call__(self, values: Sequence[object]) -> bool:
        return all(check(values[i]) for i, check in self.checks)


#: The forms of a test that may match any lower-case form (a pattern, an exclusion).
_ANY_FORM: frozenset[object] = frozenset({object()})


def _condition(spec: Any) -> Callable[[object], bool]:
    if not isinstance(spec, dict):
        return lambda value: value == spec
    if len(spec) != 1 or not set(spec) <= _OPERATORS:
        raise _Unsupported(str(spec))
    ((op, arg),) = spec.items()
    if op == "IN":
        members = frozenset(arg)
        return lambda value: value in members
    if op == "NOT_IN":
        excluded = frozenset(arg)
        return lambda value: value not in excluded
    pattern = re.compile(arg)
    return lambda value: bool(pattern.search(str(value)))


@Language.factory("kg_attribute_ruler_v1", default_config={"validate": False})
def make_indexed_attribute_ruler(nlp: Language, name: str, validate: bool) -> IndexedAttributeRuler:
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate)


def index_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> None:
    """Replace the pipeline's attribute ruler by an :class:`IndexedAttributeRuler`, same rules."""
    if name not in nlp.pipe_names:
        return
    stock = nlp.get_pipe(name)
    if type(stock) is not AttributeRuler:
        return
    patterns = stock.patterns
    indexed = nlp.replace_pipe(name, "kg_attribute_ruler_v1")
    assert isinstance(indexed, IndexedAttributeRuler)
    indexed.add_patterns(patterns)
