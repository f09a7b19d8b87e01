"""Shared fixtures: the extraction pipeline, hand-parsed docs and one sample build.

The statistical model is loaded once per session (``nlp``) and the sample
corpus is built once per session (``sample_build``); tests that use either
are marked ``model``.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest
import spacy
from hypothesis import HealthCheck, settings
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.types import Article, Entity, Extraction, Mention, RelationCandidate, Resolved

if TYPE_CHECKING:
    from kg.build.resolution import BuildResult

# A shell starts a background job with Ctrl-C ignored, and the kg processes the tests start
# would inherit that and never see the SIGINT the interruption tests send them: give this
# process Python's own handler, which a new program resets to the default.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# kg's cache (kg.cache) lives in a folder of the suite's own, not in the user's home: the
# kg processes the tests start inherit it, and it goes when the suite ends.
_CACHE = tempfile.TemporaryDirectory(prefix="kg-test-cache-")
os.environ["KG_CACHE_DIR"] = _CACHE.name

# Hypothesis profiles. "ci" (the default) keeps property tests quick and free of
# deadlines (CI machines are slow and shared). "fuzz" runs 10,000 examples of each
# property test without saving them: `python -m pytest tests/test_properties.py
# --hypothesis-profile=fuzz`, or HYPOTHESIS_PROFILE=fuzz in the environment.
settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile(
    "fuzz",
    deadline=None,
    print_blob=True,
    max_examples=10_000,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Words written without a space before them, and after which no space follows.
_NO_SPACE_BEFORE = frozenset({".", ",", "'s", "’s", ")", ":", ";", "-", "?", "!"})
_NO_SPACE_AFTER = frozenset({"(", "-"})
_TAGS = {"NOUN": "NN", "PROPN": "NNP", "PRON": "PRP", "VERB": "VB", "ADJ": "JJ", "NUM": "CD"}


DocMaker = Callable[..., Doc]


@pytest.fixture(scope="session")
def blank_nlp() -> Language:
    """A blank English pipeline: tokenizer and vocab only."""
    return spacy.blank("en")


@pytest.fixture(scope="session")
def make_doc(blank_nlp: Language) -> DocMaker:
    """Build a parsed Doc by hand (no model).

    ``table`` has one token a line: ``word POS dep head [lemma [tag]]`` with the
    head as an absolute token index; ``ents`` are (start, end, label) NER spans;
    ``spans`` are (start, end, class, kb_id) kg entity mentions stored in
    ``doc.spans["kg_entities"]``; ``roles`` and ``coref`` fill ``doc._.kg_roles``
    and ``doc._.kg_coref``; ``spaces`` overrides the guessed white space after tokens.
    """
    from kg.extract.entities import SPAN_KEY

    def make(
        table: str,
        *,
        ents: Sequence[tuple[int, int, str]] = (),
        spans: Sequence[tuple[int, int, str, str]] | None = None,
        roles: dict[int, str] | None = None,
        coref: Sequence[tuple[int, int, int]] | None = None,
        spaces: Sequence[bool] | None = None,
    ) -> Doc:
        rows = [line.split() for line in table.strip().splitlines() if line.strip()]
        for row in rows:
            assert 4 <= len(row) <= 6, f"bad token line: {row}"
        words = [row[0] for row in rows]
        if spaces is None:
            spaces = [
                i + 1 < len(words)
                and words[i + 1] not in _NO_SPACE_BEFORE
                and words[i] not in _NO_SPACE_AFTER
                for i in range(len(words))
            ]
        iob = ["O"] * len(words)
        for start, end, label in ents:
            iob[start] = f"B-{label}"
            for i in range(start + 1, end):
                iob[i] = f"I-{label}"
        doc = Doc(
            blank_nlp.vocab,
            words=words,
            spaces=spaces,
            pos=[row[1] for row in rows],
            tags=[row[5] if len(row) > 5 else _TAGS.get(row[1], row[1]) for row in rows],
            deps=[row[2] for row in rows],
            heads=[int(row[3]) for row in rows],
            lemmas=[row[4] if len(row) > 4 else row[0].lower() for row in rows],
            ents=iob,
        )
        if spans is not None:
            doc.spans[SPAN_KEY] = [
                Span(doc, s, e, label=cls, kb_id=key) for s, e, cls, key in spans
            ]
            doc._.kg_roles = dict(roles or {})
            doc._.kg_coref = list(coref or [])
        return doc

    return make


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The real extraction pipeline (statistical model + kg components), loaded once."""
    from kg.extract import make_nlp

    return make_nlp()


@dataclass(frozen=True)
class Facts:
    """What the pipeline made of one text, by entity label."""

    entities: dict[str, str]  # label -> class
    aliases: dict[str, tuple[str, ...]]  # label -> aliases
    relations: dict[tuple[str, str, str], object]  # (subject, predicate, object) -> Qualifiers
    mentions: list[tuple[str, str]]  # (text, class) of every named mention, in order
    observations: list[dict[str, str | None]]


@pytest.fixture(scope="session")
def analyze(nlp: Language) -> Callable[..., Facts]:
    """Run extraction and resolution on one text and return its facts by label."""
    from kg.extract import extract
    from kg.resolve import resolve
    from kg.types import Article

    def run(text: str, date: str | None = None) -> Facts:
        extractions = list(extract([Article("t", text, date=date)], nlp))
        entities, resolved = resolve(extractions)
        by_id = {e.id: e for e in entities}
        item = resolved[0]
        ex = item.extraction

        def label(i: int | None) -> str | None:
            if i is None:
                return None
            entity_id = item.entity_ids[i]
            return by_id[entity_id].label if entity_id else None

        relations: dict[tuple[str, str, str], object] = {}
        for rel in ex.relations:
            head, tail = label(rel.head), label(rel.tail)
            if head and tail:
                relations[(head, rel.predicate, tail)] = rel.qualifiers
        observations = [
            {
                "subject": label(o.subject),
                "metric": o.metric,
                "value": o.value,
                "unit": o.unit,
                "period": o.period,
                "place": label(o.place),
                "source": label(o.source),
            }
            for o in ex.observations
        ]
        return Facts(
            entities={e.label: e.cls for e in entities},
            aliases={e.label: e.aliases for e in entities},
            relations=relations,
            mentions=[(m.text, m.label) for m in ex.mentions if m.source != "coref"],
            observations=observations,
        )

    return run


@pytest.fixture(scope="session")
def sample_run() -> BuildResult:
    """Run the pipeline once on the shipped sample corpus (a
    ``kg.build.resolution.BuildResult``)."""
    from kg.build.pipeline import run

    return run()


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory, sample_run: BuildResult) -> Path:
    """Build the shipped sample corpus once; return the output folder.

    It holds kg.ttl, kg.trig, kg.html and extractions.jsonl, as ``kg build`` writes them.
    """
    from kg.build.outputs import write_outputs

    folder = tmp_path_factory.mktemp("sample-build")
    write_outputs(sample_run, folder)
    return folder


HandCorpus = Callable[[int], tuple[list[Entity], list[Resolved]]]


@pytest.fixture(scope="session")
def hand_corpus() -> HandCorpus:
    """A resolved build made by hand (no model), for the graph writers: see :func:`_hand_corpus`."""
    return _hand_corpus


_COMPANIES = [f"organization/firm-{n}" for n in range(6)]
_PERSON = "person/ann-vale"
_CITY = "place/lyon"


def _hand_corpus(n: int) -> tuple[list[Entity], list[Resolved]]:
    """``n`` articles about six firms, a person and a city: neighbours restate each
    other's partnerships, and every fifth article says a company livesIn the city (a
    predicate whose domain is a person, which the shape check sets aside)."""
    entities = [Entity(c, f"Firm {i}", "Company") for i, c in enumerate(_COMPANIES)]
    entities += [Entity(_PERSON, "Ann Vale", "Person"), Entity(_CITY, "Lyon", "City")]
    resolved = []
    for i in range(n):
        a, b = _COMPANIES[i % 6], _COMPANIES[(i + 1) % 6]
        text = f"Firm {i % 6} partners with Firm {(i + 1) % 6}. Ann Vale works for Firm {i % 6}."
        ids = (a, b, _PERSON, _CITY)
        mentions = tuple(
            Mention(0, 4, e, c)
            for e, c in zip(ids, ("Company", "Company", "Person", "City"), strict=True)
        )
        relations = [
            RelationCandidate(0, 1, "partnersWith", 0.8, (0, len(text))),
            RelationCandidate(2, 0, "worksFor", 0.7, (0, len(text))),
        ]
        if i % 5 == 0:
            relations.append(RelationCandidate(0, 3, "livesIn", 0.6, (0, len(text))))
        article = Article(f"doc-{i:03d}", text, title=f"Story {i}")
        resolved.append(Resolved(Extraction(article, mentions, tuple(relations)), ids))
    return entities, resolved


@pytest.fixture(scope="session")
def synthetic() -> ModuleType:
    """benchmarks/synthetic.py: ``synthetic.generate(n, seed=...)`` gives seeded news-like
    articles whose companies, people and places recur across articles."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "synthetic.py"
    spec = importlib.util.spec_from_file_location("kg_benchmarks_synthetic", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fast_model(nlp: Language) -> Iterator[None]:
    """In-process builds in this module reuse the session's ``nlp`` instead of loading the
    model each time (``kg.extract.make_nlp`` with default options)."""
    import kg.extract

    load = kg.extract.make_nlp

    def cached(**options: Any) -> Language:
        return nlp if not any(options.values()) else load(**options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kg.extract, "make_nlp", cached)
        yield
