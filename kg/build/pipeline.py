"""One function per user task: ingest -> extract -> resolve -> graph -> files.

The CLI is a thin layer over these; they are also the Python API::

    from kg.build.pipeline import build_graph, build
    dataset = build_graph(["corpus/"])            # an rdflib Dataset
    summary = build(["corpus/"], out_dir="output")  # writes kg.ttl, kg.trig, kg.html...
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import Dataset

from kg.build.checkpoints import article_checkpoints
from kg.build.extractions import extraction_records
from kg.build.folder import DEFAULT_OUTPUT, PACKAGE_DIR, SHARDS_NEW, state_dir
from kg.build.lock import writer_lock
from kg.build.outputs import write_outputs
from kg.build.parallel import extract_articles
from kg.build.publish import store_spec
from kg.build.resolution import BuildResult, assemble, resolve_state
from kg.build.state import BuildOptions, BuildState, article_hash, pipeline_fingerprint
from kg.confidence import DEFAULT_MIN_CONFIDENCE, check_threshold
from kg.errors import EmptyInputError
from kg.graph.records import count_facts
from kg.graph.validate import QuarantinedTriple
from kg.ingest import MAX_CHARS, read_articles, sample_corpus
from kg.memo import Memo
from kg.ontology import KGR_IRI, ontology_dir
from kg.types import Article, Extraction

__all__ = [
    "BuildSummary",
    "build",
    "build_graph",
    "extract_records",
    "fingerprint",
    "input_paths",
    "run",
    "shipped_files",
    "summarize",
]


@dataclass(frozen=True)
class BuildSummary:
    """Counts reported after a build, and the files written."""

    documents: int
    entities: dict[str, int]
    relations: dict[str, int]
    observations: int
    files: list[Path] = field(default_factory=list)


def input_paths(paths: Sequence[str | Path]) -> list[str | Path]:
    """The paths to read: the given ones, or the shipped sample corpus when none is given."""
    return list(paths) if paths else list(sample_corpus())


def run(
    paths: Sequence[str | Path] = (),
    *,
    encoding: str | None = None,
    gazetteer_files: Sequence[str] = (),
    base: str = KGR_IRI,
    on_article: Callable[[Article], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    model: str | None = None,
    jobs: int = 1,
    cluster: str | None = None,
    shard_dir: str | Path | None = None,
    store: str | None = None,
    max_chars: int | None = MAX_CHARS,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    candidates: bool = False,
) -> BuildResult:
    """Read, extract, resolve and build the dataset of ``paths`` (the sample corpus if empty).

    ``jobs`` processes extract in parallel (the graph is the same for any number). With
    ``cluster`` (a Dask scheduler address, or ``local:N``) extraction and graph writing run on
    the cluster (:mod:`kg.build.cluster`), which writes N-Quads shards for ``shard_dir`` (the
    ``shards`` folder of the build folder): they wait in the build's state folder until
    :func:`~kg.build.outputs.write_outputs` commits them with the other files. ``on_start`` is
    called with the number of articles once they are read, ``on_article`` after each is
    extracted (for progress bars). With ``store`` (a spec of :func:`kg.stores.open_store`, not
    ``memory``), :func:`~kg.build.outputs.write_outputs` also publishes the graph there, and
    ``kg add``/``kg remove`` keep it up to date. An article longer than ``max_chars`` is refused
    (see :func:`kg.ingest.read_articles`). The build asserts the relations whose confidence is
    at least ``min_confidence``; with ``candidates`` :func:`~kg.build.outputs.write_outputs`
    also writes the others to candidates.trig. Both are kept in the build state for ``kg add``
    and ``kg remove``.

    Raises:
        ThresholdError: ``min_confidence`` is not in [0, 1].
    """
    min_confidence = check_threshold(min_confidence)
    store = store_spec(store) if store else None
    articles = _read_inputs(paths, encoding=encoding, max_chars=max_chars, on_start=on_start)
    if cluster is not None:
        return _run_on_cluster(
            articles,
            cluster=cluster,
            shard_dir=Path(shard_dir or DEFAULT_OUTPUT / "shards"),
            encoding=encoding,
            gazetteer_files=gazetteer_files,
            base=base,
            model=model,
            on_article=on_article,
            store=store,
            min_confidence=min_confidence,
            candidates=candidates,
        )
    extractions, keys = _extract_here(
        articles, jobs=jobs, model=model, gazetteer_files=gazetteer_files, on_article=on_article
    )
    options = _options(encoding, gazetteer_files, base, model, store, min_confidence, candidates)
    return assemble(_new_state(extractions, options), keys=keys)


def _read_inputs(
    paths: Sequence[str | Path],
    *,
    encoding: str | None,
    max_chars: int | None,
    on_start: Callable[[int], None] | None,
) -> list[Article]:
    """The articles of ``paths`` (see :func:`run`); ``on_start`` is told how many."""
    articles = list(read_articles(input_paths(paths), encoding=encoding, max_chars=max_chars))
    if not articles:
        raise EmptyInputError(
            "no articles to read: give a file, a folder or a glob with .txt, .md, .html "
            "or .jsonl files."
        )
    if on_start is not None:
        on_start(len(articles))
    return articles


def _extract_here(
    articles: Sequence[Article],
    *,
    jobs: int,
    model: str | None,
    gazetteer_files: Sequence[str],
    on_article: Callable[[Article], None] | None,
) -> tuple[list[Extraction], Memo]:
    """Extract ``articles`` in ``jobs`` local processes (:mod:`kg.build.parallel`); the
    extractions, and the resolution keys the workers made, by article hash (for
    :func:`~kg.build.resolution.resolve_state`)."""
    made: dict[str, list[str | None]] = {}
    extractions = list(
        extract_articles(
            articles,
            jobs=jobs,
            model=model,
            gazetteer_files=gazetteer_files,
            on_article=article_checkpoints(on_article),
            keys=made,
        )
    )
    keys = {
        article_hash(ex.article): made[ex.article.id] for ex in extractions if ex.article.id in made
    }
    return extractions, Memo(keys)


def _options(
    encoding: str | None,
    gazetteer_files: Sequence[str],
    base: str,
    model: str | None,
    store: str | None,
    min_confidence: float,
    candidates: bool,
) -> BuildOptions:
    return BuildOptions(
        base=base,
        gazetteer_files=tuple(str(Path(f).resolve()) for f in gazetteer_files),
        model=model,
        encoding=encoding,
        store=store,
        min_confidence=min_confidence,
        candidates=candidates,
    )


def _new_state(extractions: Sequence[Extraction], options: BuildOptions) -> BuildState:
    return BuildState(
        options=options,
        fingerprint=fingerprint(model=options.model, gazetteer_files=options.gazetteer_files),
        extractions={ex.article.id: ex for ex in extractions},
        hashes={ex.article.id: article_hash(ex.article) for ex in extractions},
    )


def _run_on_cluster(
    articles: Sequence[Article],
    *,
    cluster: str,
    shard_dir: Path,
    encoding: str | None,
    gazetteer_files: Sequence[str],
    base: str,
    model: str | None,
    on_article: Callable[[Article], None] | None,
    store: str | None,
    min_confidence: float,
    candidates: bool,
) -> BuildResult:
    from kg.build.cluster import connect, extract_on_cluster, write_shards

    staged = state_dir(shard_dir.parent) / SHARDS_NEW
    shutil.rmtree(staged, ignore_errors=True)  # left by a build that was killed
    with connect(cluster) as client:
        extractions = extract_on_cluster(
            client, articles, model=model, gazetteer_files=gazetteer_files, on_article=on_article
        )
        options = _options(
            encoding, gazetteer_files, base, model, store, min_confidence, candidates
        )
        state = _new_state(extractions, replace(options, shards=True))
        keys = Memo()
        entities, resolved, below = resolve_state(state, keys=keys)
        # The workers write the articles' graphs, checked; the default graph
        # (descriptions and the corroborated facts, which need every article's
        # statements), the ontology and the quarantine are written here.
        write_shards(client, entities, resolved, staged.absolute(), base=base)
    return BuildResult(entities, resolved, state, base, below, shards=staged, keys=keys)


def fingerprint(*, model: str | None = None, gazetteer_files: Sequence[str] = ()) -> str:
    """The fingerprint of the extraction pipeline (see :func:`kg.build.state.pipeline_fingerprint`).

    It covers kg's version, the spaCy model's name and version, the shipped
    weights, ontology, lexicon and gazetteers, and the extra gazetteer files.
    """
    from kg import __version__

    meta = _model_meta(model)
    return pipeline_fingerprint(
        model_name=f"{meta.get('lang', '')}_{meta.get('name', '')}",
        model_version=str(meta.get("version", "")),
        kg_version=__version__,
        files=[*shipped_files(), *(Path(f) for f in gazetteer_files)],
    )


def shipped_files() -> list[Path]:
    """The knowledge files extraction reads from kg's package: the ontology, lexicon and
    gazetteers, and the weights and calibration of the NER and relation models."""
    return [
        path
        for folder in (ontology_dir(), PACKAGE_DIR / "models")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in {".ttl", ".json", ".npy", ""}
    ]


def _model_meta(model: str | None) -> dict[str, object]:
    """The meta of the spaCy model a build loads, read without loading the model."""
    import spacy.util

    from kg.extract import MODELS

    for name in (model,) if model else MODELS:
        try:
            return dict(spacy.util.get_model_meta(spacy.util.get_package_path(name)))
        except (OSError, ModuleNotFoundError, ValueError):
            continue
    return {}


def build(
    paths: Sequence[str | Path] = (),
    *,
    out_dir: str | Path = DEFAULT_OUTPUT,
    html: bool = True,
    base: str = KGR_IRI,
    validate: bool = True,
    on_quarantine: Callable[[QuarantinedTriple], None] | None = None,
    wait: bool = True,
    on_wait: Callable[[int | None], None] | None = None,
    **options: object,
) -> BuildSummary:
    """Build the graph of ``paths`` (the sample corpus if empty) and write every output file.

    The build holds the writer lock of ``out_dir`` throughout (:func:`kg.build.lock.writer_lock`,
    with ``wait`` and ``on_wait``); ``options`` go to :func:`run`, ``validate`` and
    ``on_quarantine`` to :func:`~kg.build.outputs.write_outputs`.
    """
    with writer_lock(out_dir, wait=wait, on_wait=on_wait):
        result = run(paths, base=base, **options)  # type: ignore[arg-type]
        jobs = options.get("jobs", 1)
        files = write_outputs(
            result,
            out_dir,
            html=html,
            base=base,
            validate=validate,
            on_quarantine=on_quarantine,
            jobs=jobs,  # type: ignore[arg-type]
        )
    summary = summarize(result)
    return BuildSummary(
        summary.documents, summary.entities, summary.relations, summary.observations, files
    )


def build_graph(paths: Sequence[str | Path] = (), **options: object) -> Dataset:
    """Return the knowledge graph of ``paths`` as an rdflib Dataset (a named graph per article),
    checked against the shapes as kg.trig is."""
    return run(paths, **options).dataset  # type: ignore[arg-type]


def extract_records(paths: Sequence[str | Path], **options: object) -> list[dict[str, object]]:
    """Return the ``kg extract`` records of ``paths`` (the relations a build with the same
    options asserts)."""
    result = run(paths, **options)  # type: ignore[arg-type]
    return extraction_records(
        result.resolved, base=str(options.get("base", KGR_IRI)), min_confidence=0
    )


def summarize(result: BuildResult) -> BuildSummary:
    """Count documents, entities by class and relations by predicate."""
    classes = Counter(e.cls for e in result.entities)
    predicates, observations = count_facts(result.resolved)
    return BuildSummary(
        documents=len(result.resolved),
        entities=dict(sorted(classes.items())),
        relations=predicates,
        observations=observations,
    )
