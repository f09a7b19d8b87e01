"""One function per user task: ingest -> extract -> resolve -> graph -> files.

The CLI is a thin layer over these; they are also the Python API::

    from kg.build.pipeline import build_graph, build
    dataset = build_graph(["corpus/"])            # an rdflib Dataset
    summary = build(["corpus/"], out_dir="output")  # writes kg.ttl, kg.trig, kg.html...
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset

from kg.atomic import write_atomic
from kg.build.graphfiles import in_processes, write_build_graph
from kg.build.parallel import extract_articles
from kg.build.state import (
    SHARDS_DIR,
    SHARDS_NEW,
    STATE_DIR,
    BuildOptions,
    BuildState,
    article_checkpoints,
    article_hash,
    checkpoint,
    load_state,
    mark_published,
    mark_publishing,
    output_transaction,
    pipeline_fingerprint,
    publish_pending,
    recover,
    save_state,
    state_dir,
    writer_lock,
)
from kg.confidence import DEFAULT_MIN_CONFIDENCE, check_threshold, split_relations
from kg.errors import EmptyInputError, PublishInterruptedError, StateError, StoreError
from kg.graph.assemble import assemble as assemble_graph
from kg.graph.assemble import build_dataset
from kg.graph.records import (
    Block,
    Triple,
    candidate_block,
    count_facts,
    graph_prefixes,
    statements,
)
from kg.graph.validate import QuarantinedTriple
from kg.graph.validate.memo import CheckMemo, check_salt
from kg.ingest import MAX_CHARS, check_replacements, read_articles, sample_corpus
from kg.memo import Memo, read_memo, write_memo
from kg.ontology import KGR_IRI, Gazetteer, load_gazetteer, ontology_dir
from kg.rdf.trig import graph_piece, write_graph_files
from kg.resolve import article_keys, resolve_minted
from kg.stores.home import GRAPH_FILE, home_of, stamp, unstamp
from kg.types import Article, Entity, Extraction, Resolved, coarse_class

if TYPE_CHECKING:
    from kg.stores import Store

#: Where builds go by default.
DEFAULT_OUTPUT = Path("output")
#: Mention sources that refer to an entity without naming it.
_REFERENCES = frozenset({"coref", "demonym"})
#: The file of the relations a build found below its threshold (``kg build --candidates``).
CANDIDATES_FILE = "candidates.trig"
#: The check results a build keeps for the next (:mod:`kg.graph.validate.memo`), in its
#: state folder.
CHECKS_FILE = "checks.json"
#: The positions kg.html's layout keeps for the next build (:func:`kg.views.layout.layout`).
LAYOUTS_FILE = "layouts.json"
#: The resolution keys of each article, kept for the next build (:func:`resolve_state`).
KEYS_FILE = "keys.json"


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: entities, per-document records, and the build state.

    ``resolved`` holds the relations the build asserts, those at or above its
    confidence threshold; ``candidates`` the ones below it, by document
    (documents with none left out). ``dataset`` (an rdflib Dataset of the
    whole graph, checked: what kg.trig holds) is made on first use: writing
    the graph files streams and does not need it.
    """

    entities: list[Entity]
    resolved: list[Resolved]
    state: BuildState | None = None
    base: str = KGR_IRI
    candidates: list[Resolved] = field(default_factory=list)
    #: A cluster build's N-Quads shards, written but not committed (see :func:`run`).
    shards: Path | None = None
    #: The resolution's keys of each article, for the next build (see :func:`resolve_state`).
    keys: Memo | None = None

    @cached_property
    def dataset(self) -> Dataset:
        """The whole graph as an rdflib Dataset (a named graph per article), as kg.trig holds it
        (:func:`kg.graph.assemble.assemble`)."""
        return build_dataset(self.entities, self.resolved, base=self.base)


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

    ``jobs`` processes extract in parallel (the graph is the same for any
    number). With ``cluster`` (a Dask scheduler address, or ``local:N``)
    extraction and graph writing run on the cluster (:mod:`kg.build.cluster`),
    which writes N-Quads shards for ``shard_dir`` (the ``shards`` folder of
    the build folder): they wait in the build's state folder until
    :func:`write_outputs` commits them with the other files. ``on_start`` is called
    with the number of articles once they are read, ``on_article`` after
    each is extracted (for progress bars). With ``store`` (a spec of
    :func:`kg.stores.open_store`, not ``memory``), :func:`write_outputs` also
    publishes the graph there, and ``kg add``/``kg remove`` keep it up to date.
    An article longer than ``max_chars`` is refused (see :func:`kg.ingest.read_articles`).
    The build asserts the relations whose confidence is at least
    ``min_confidence``; with ``candidates`` :func:`write_outputs` also writes
    the others to candidates.trig. Both are kept in the build state for
    ``kg add`` and ``kg remove``.

    Raises:
        ThresholdError: ``min_confidence`` is not in [0, 1].
    """
    min_confidence = check_threshold(min_confidence)
    store = store_spec(store) if store else None
    articles = list(read_articles(input_paths(paths), encoding=encoding, max_chars=max_chars))
    if not articles:
        raise EmptyInputError(
            "no articles to read: give a file, a folder or a glob with .txt, .md, .html "
            "or .jsonl files."
        )
    if on_start is not None:
        on_start(len(articles))
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
    extractions = list(
        extract_articles(
            articles,
            jobs=jobs,
            model=model,
            gazetteer_files=gazetteer_files,
            on_article=article_checkpoints(on_article),
        )
    )
    options = _options(encoding, gazetteer_files, base, model, store, min_confidence, candidates)
    return assemble(_new_state(extractions, options))


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


def store_spec(spec: str) -> str:
    """Check a store spec for a build and make a folder path absolute.

    >>> store_spec("sparql+http://127.0.0.1:7878")
    'sparql+http://127.0.0.1:7878'
    >>> store_spec("memory")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.StoreError: a memory store ends with this process: ...
    """
    text = spec.strip()
    if text == "memory":
        raise StoreError(
            "a memory store ends with this process: publish a build to oxigraph:PATH or "
            "sparql+http://HOST:PORT/."
        )
    if text.startswith(("sparql+http://", "sparql+https://")):
        return text
    path = text.removeprefix("oxigraph:")
    return "oxigraph:" + str(Path(path).resolve())


def resolve_state(
    state: BuildState, *, keys: Memo | None = None
) -> tuple[list[Entity], list[Resolved], list[Resolved]]:
    """Resolve the extractions of a build state, in article-id order, and apply its threshold.

    The order makes the graph depend only on which articles the build
    holds, not on the order they came in. The state keeps every relation
    found; this is where the build's ``min_confidence`` splits them
    (:func:`kg.confidence.split_relations`), after resolution, which reads
    mentions only. Returns the entities, each article with the relations it
    asserts (everything that makes graph output, extractions.jsonl included,
    reads these), and each article that has relations below the threshold
    with those only (for candidates.trig).

    Entity ids the build folder gave before (``state.iris``) are kept, and
    the ids given here are added to ``state.iris``, the build's registry
    (:func:`kg.resolve.resolve_minted`): an IRI never moves to another entity.
    ``keys`` holds each article's resolution keys (:func:`kg.resolve.article_keys`)
    by article hash: those of unchanged articles are reused, and all kept.
    """
    gazetteer = load_gazetteer(state.options.gazetteer_files)
    docs = sorted(state.extractions)
    extractions = [state.extractions[doc] for doc in docs]
    known = None
    if keys is not None:
        known = [_article_keys(state, doc, keys, gazetteer) for doc in docs]
    entities, resolved, iris = resolve_minted(
        extractions, gazetteer=gazetteer, minted=state.iris, known_keys=known
    )
    state.iris.update(iris)  # only ever grows: ids are added, none changes
    kept, below = threshold_resolved(resolved, state.options.min_confidence)
    return entities, kept, below


def _article_keys(
    state: BuildState, doc: str, keys: Memo, gazetteer: Gazetteer
) -> list[str | None]:
    """The resolution keys of article ``doc``: those kept under its hash, if they fit it."""
    extraction = state.extractions[doc]
    kept = keys.get(state.hashes[doc])
    fits = isinstance(kept, list) and len(kept) == len(extraction.mentions)
    if fits and all(k is None or isinstance(k, str) for k in kept):
        return kept
    made = article_keys(extraction, gazetteer=gazetteer)
    keys.put(state.hashes[doc], made)
    return made


def _kept_keys(state: BuildState, out_dir: str | Path) -> Memo:
    """The resolution keys the build in ``out_dir`` kept (:func:`resolve_state`)."""
    return Memo(read_memo(state_dir(out_dir) / KEYS_FILE, keys_salt(state)))


def keys_salt(state: BuildState) -> str:
    """What kept resolution keys hold for: kg's version and the code and knowledge files
    resolution reads (a change to any of them makes every article's keys again)."""
    from kg import __version__

    here = Path(__file__).parent
    code = [here / name for name in ("resolve.py", "ontology.py", "types.py")]
    knowledge = sorted(ontology_dir().glob("*.ttl"))
    files = [*code, *knowledge, *map(Path, state.options.gazetteer_files)]
    digest = hashlib.sha256(f"{__version__}\x1d{state.fingerprint}".encode())
    for path in files:
        try:
            digest.update(b"\x1d" + path.read_bytes())
        except OSError:  # resolution says so when it reads the file
            digest.update(b"\x1d?" + str(path).encode())
    return digest.hexdigest()[:32]


def threshold_resolved(
    resolved: Iterable[Resolved], min_confidence: float
) -> tuple[list[Resolved], list[Resolved]]:
    """Split resolved articles at a confidence threshold (:func:`kg.confidence.split_relations`).

    Returns every article with the relations at or above ``min_confidence``,
    and the articles that have relations below it, with those only.

    >>> from kg.types import Article, Mention, RelationCandidate
    >>> ms = (Mention(0, 4, "Acme", "Company"), Mention(14, 20, "Berlin", "City"))
    >>> rels = (RelationCandidate(0, 1, "basedIn", 0.9, (0, 21)),
    ...         RelationCandidate(0, 1, "operatesIn", 0.3, (0, 21)))
    >>> ex = Extraction(Article("d1", "Acme is from Berlin."), ms, rels)
    >>> kept, below = threshold_resolved([Resolved(ex, ("org/acme", "place/berlin"))], 0.5)
    >>> [r.predicate for r in kept[0].extraction.relations], len(below)
    (['basedIn'], 1)
    """
    kept: list[Resolved] = []
    below: list[Resolved] = []
    for item in resolved:
        extraction, low = split_relations(item.extraction, min_confidence)
        kept.append(item if extraction is item.extraction else replace(item, extraction=extraction))
        if low:
            below.append(replace(item, extraction=replace(item.extraction, relations=low)))
    return kept, below


def assemble(state: BuildState, *, keys: Memo | None = None) -> BuildResult:
    """Resolve the extractions of a build state (:func:`resolve_state`, reusing ``keys``)."""
    keys = Memo() if keys is None else keys
    entities, resolved, below = resolve_state(state, keys=keys)
    return BuildResult(entities, resolved, state, state.options.base, below, keys=keys)


def fingerprint(*, model: str | None = None, gazetteer_files: Sequence[str] = ()) -> str:
    """The fingerprint of the extraction pipeline (see :func:`kg.build.state.pipeline_fingerprint`).

    It covers kg's version, the spaCy model's name and version, the shipped
    weights, ontology, lexicon and gazetteers, and the extra gazetteer files.
    """
    from kg import __version__

    meta = _model_meta(model)
    shipped = [
        path
        for folder in (ontology_dir(), Path(__file__).parent / "models")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in {".ttl", ".json", ".npy", ""}
    ]
    return pipeline_fingerprint(
        model_name=f"{meta.get('lang', '')}_{meta.get('name', '')}",
        model_version=str(meta.get("version", "")),
        kg_version=__version__,
        files=[*shipped, *(Path(f) for f in gazetteer_files)],
    )


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


def build_graph(paths: Sequence[str | Path] = (), **options: object) -> Dataset:
    """Return the knowledge graph of ``paths`` as an rdflib Dataset (a named graph per article),
    checked against the shapes as kg.trig is."""
    return run(paths, **options).dataset  # type: ignore[arg-type]


def extraction_records(
    resolved: Iterable[Resolved],
    *,
    base: str = KGR_IRI,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[dict[str, object]]:
    """The ``kg extract`` records of CONTRACT.md, one per document.

    ``entities`` lists the named mentions (not pronouns, descriptions or
    nationality words); a relation stated through a reference ("the company",
    "Chinese") points at the nearest named mention of the same entity.
    ``relations`` lists those a build with ``min_confidence`` asserts (the
    default's, so that records scored by ``kg eval`` are what a build
    asserts; 0 lists every relation of ``resolved``).
    """
    records: list[dict[str, object]] = []
    for item in resolved:
        ex = item.extraction
        index: dict[int, int] = {}
        entities: list[dict[str, object]] = []
        for i, (mention, entity_id) in enumerate(zip(ex.mentions, item.entity_ids, strict=True)):
            if entity_id is None or mention.source in _REFERENCES:
                continue
            index[i] = len(entities)
            entities.append(
                {
                    "start": mention.start,
                    "end": mention.end,
                    "text": mention.text,
                    "type": coarse_class(mention.label),
                    "class": mention.label,
                    "node": base + entity_id,
                }
            )
        relations = []
        for rel in ex.relations:
            if rel.confidence < min_confidence:
                continue
            head = _named(ex, item, rel.head, index)
            tail = _named(ex, item, rel.tail, index)
            if head is None or tail is None or entities[head]["node"] == entities[tail]["node"]:
                continue  # the graph states nothing of a node with itself
            record: dict[str, object] = {
                "head": head,
                "tail": tail,
                "predicate": rel.predicate,
                "confidence": rel.confidence,
                "evidence": list(rel.evidence),
            }
            qualifiers = {k: v for k, v in vars_of(rel.qualifiers).items() if v}
            if qualifiers:
                record["qualifiers"] = qualifiers
            relations.append(record)
        records.append(
            {
                "id": ex.article.id,
                "text": ex.article.text,
                "entities": entities,
                "relations": relations,
            }
        )
    return records


def vars_of(obj: object) -> dict[str, object]:
    """The fields of a slotted dataclass as a dict."""
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


def _named(ex: Extraction, item: Resolved, i: int, index: dict[int, int]) -> int | None:
    if i in index:
        return index[i]
    entity = item.entity_ids[i]
    if entity is None:
        return None
    anchor = ex.mentions[i].start
    named = [j for j, e in enumerate(item.entity_ids) if e == entity and j in index]
    if not named:
        return None
    best = min(named, key=lambda j: (abs(ex.mentions[j].start - anchor), j))
    return index[best]


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


def write_outputs(
    result: BuildResult,
    out_dir: str | Path = DEFAULT_OUTPUT,
    *,
    html: bool = True,
    base: str = KGR_IRI,
    validate: bool = True,
    on_quarantine: Callable[[QuarantinedTriple], None] | None = None,
    jobs: int = 1,
) -> list[Path]:
    """Write kg.ttl, kg.trig, extractions.jsonl and (unless ``html`` is false) kg.html.

    Without ``html`` a kg.html an earlier build left is removed in the same
    commit, so that the page never shows articles the build no longer holds.
    A build whose state asks for shards (a cluster build's) also commits its
    N-Quads shards to shards/ (``result.shards``, or made here for ``kg add``
    and ``kg remove``); any other build removes the shards an earlier one left.

    They hold the relations of ``result.resolved`` (those the build asserts,
    :func:`resolve_state`). When the build state asks for candidates
    (``kg build --candidates``), candidates.trig holds the relations below
    the threshold (:func:`kg.graph.records.candidate_block`); otherwise the write
    removes a candidates.trig an earlier build left, so that it never
    describes another graph.

    With ``validate`` (the default) the graph files hold only what conforms to
    ontology/shapes.ttl; the rest goes to the quarantine graph, each triple
    set aside passed to ``on_quarantine`` (see :func:`kg.graph.assemble.assemble`).
    ``jobs`` processes make the articles' graphs (:mod:`kg.build.graphfiles`).

    The files, with the build state, replace the previous ones together or
    not at all (:func:`kg.build.state.output_transaction`), whatever stops the
    write. The build's store, if any, is updated once they are; if that is
    cut short, the next write sends it every graph again.
    """
    folder = Path(out_dir)
    digests: dict[str, str] = {}

    def blocks() -> Iterable[Block]:  # the graph as the files hold it, for the store
        graphs = assemble_graph(
            result.entities,
            result.resolved,
            base=base,
            validate=validate,
            articles=in_processes(jobs),
        )
        return ((graph.name, graph.triples or ()) for graph in graphs)

    # kg.html shows the checked graph, as the files hold it: its triples are gathered
    # as the graphs are written, not made again (result.dataset).
    page_data: list[Triple] | None = [] if html else None

    # Every file is staged, then all replace the old ones at once (kg.build.state): an
    # interruption or error leaves the previous build whole. The store is opened
    # first (one that cannot be opened changes nothing) and updated after the
    # commit; the note staged with the files says it may lag until that is done.
    # The writer lock (already held by kg add/remove/build) covers the store update too.
    with writer_lock(folder):
        _write_committed(
            result,
            folder,
            blocks,
            page_data,
            html=html,
            base=base,
            validate=validate,
            jobs=jobs,
            on_quarantine=on_quarantine,
            digests=digests,
        )
    with_candidates = result.state is not None and result.state.options.candidates
    names = ["kg.ttl", "kg.trig", "extractions.jsonl"] + (["kg.html"] if html else [])
    names += [CANDIDATES_FILE] if with_candidates else []
    return [folder / name for name in names]


def _write_committed(
    result: BuildResult,
    folder: Path,
    blocks: Callable[[], Iterable[Block]],
    page_data: list[Triple] | None,
    *,
    html: bool,
    base: str,
    validate: bool,
    jobs: int,
    on_quarantine: Callable[[QuarantinedTriple], None] | None,
    digests: dict[str, str],
) -> None:
    """:func:`write_outputs` with the writer lock held: stage, commit, then publish."""
    spec = result.state.options.store if result.state is not None else None
    if spec == _home_spec(folder):  # the build's own store is written anyway
        spec = None
    with_candidates = result.state is not None and result.state.options.candidates
    with_shards = result.state is not None and result.state.options.shards
    recover(folder)
    behind = publish_pending(folder)  # an earlier update of the store was cut short
    store = _open_publication(spec) if spec else None
    salt = check_salt()
    memo = CheckMemo(read_memo(state_dir(folder) / CHECKS_FILE, salt)) if validate else None
    try:
        removed = [] if with_candidates else [CANDIDATES_FILE]
        removed += [] if html else ["kg.html", f"{STATE_DIR}/{LAYOUTS_FILE}"]
        removed += _old_shards(folder)  # those the new build does not write again
        with output_transaction(folder, remove=removed) as stage:
            write_build_graph(
                result.entities,
                result.resolved,
                trig=stage / "kg.trig",
                turtle=stage / "kg.ttl",
                prefixes=_file_prefixes(base),
                base=base,
                validate=validate,
                jobs=jobs,
                on_quarantine=on_quarantine,
                dataset=page_data,
                digests=digests,
                memo=memo,
            )
            # result.resolved holds what the graph asserts: the records list all of it.
            records = extraction_records(result.resolved, base=base, min_confidence=0)
            lines = "".join(
                json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records
            )
            write_atomic(stage / "extractions.jsonl", lines.encode("utf-8"))
            if with_candidates:
                write_candidates(result, stage / CANDIDATES_FILE, base=base)
            if page_data is not None:
                _write_page(page_data, stage, folder, keep=result.state is not None)
            if with_shards:
                _stage_shards(result, stage / SHARDS_DIR, base=base)
            if result.state is not None:
                save_state(stage, replace(result.state, graphs=digests))
                write_memo(state_dir(stage) / CHECKS_FILE, salt, memo.made if memo else {})
                made = result.keys.made if result.keys else {}
                write_memo(state_dir(stage) / KEYS_FILE, keys_salt(result.state), made)
                if spec:
                    mark_publishing(stage, spec)
        if result.shards is not None:
            shutil.rmtree(result.shards, ignore_errors=True)
        if store is not None and spec and result.state is not None:
            previous = {} if behind else result.state.graphs
            _publish_committed(blocks(), spec, store, previous=previous, current=digests)
            mark_published(folder)
    finally:
        if store is not None:
            store.close()
    publish_home(folder)


def _write_page(page_data: list[Triple], stage: Path, folder: Path, *, keep: bool) -> None:
    """Write kg.html into ``stage``, reusing the layouts the build in ``folder`` kept, and
    (``keep``) keep this page's in the staged state."""
    from kg.views import DEFAULT_MAX_NODES, triples_to_view, write_html
    from kg.views.layout import layout_salt

    salt = layout_salt()
    layouts = Memo(read_memo(state_dir(folder) / LAYOUTS_FILE, salt))
    view = triples_to_view(page_data, max_nodes=DEFAULT_MAX_NODES)
    write_html(view, stage / "kg.html", title="kg: knowledge graph", layouts=layouts)
    if keep:
        state_dir(stage).mkdir(parents=True, exist_ok=True)
        write_memo(state_dir(stage) / LAYOUTS_FILE, salt, layouts.made)


def _home_spec(folder: Path) -> str:
    return "oxigraph:" + str(home_of(folder).resolve())


#: Seconds a build waits for the readers of its store (a kg query) to let it go.
_HOME_WAIT = 30.0


def publish_home(folder: Path) -> None:
    """Make the build's own store (``folder/store``, :mod:`kg.stores.home`) hold its kg.trig.

    A new store is bulk-loaded from kg.trig beside the old one and takes its
    place once no reader has the old one open. Sending only the graphs that
    changed (:func:`publish`) would cost more: finding them means making and
    checking every graph again, and Oxigraph loads a whole build's kg.trig
    in seconds (5,000 Reuters articles: about 6 s). The store is stamped
    with the kg.trig it holds; until then reading commands read kg.trig.
    Called with the files committed.

    Raises:
        StoreError: a reader kept the store longer than :data:`_HOME_WAIT`
            seconds, or it cannot be written; the files are written, and the
            next ``kg add``, ``kg remove`` or ``kg build`` there rebuilds it.
    """
    from kg.stores import OxigraphStore

    home = home_of(folder)
    graph_file = folder / GRAPH_FILE
    written = (
        "The graph files are written and the reading commands read kg.trig; the next "
        "`kg add`, `kg remove` or `kg build` there brings the store up to date."
    )
    unstamp(home)
    try:
        fresh = folder / ".store-new"
        shutil.rmtree(fresh, ignore_errors=True)  # left by a write that was killed
        with OxigraphStore(fresh, create=True) as store:
            store.load_file(graph_file, format="trig")
        stamp(fresh, graph_file)
        _swap_in(fresh, home)
    except StoreError as err:
        raise StoreError(f"{err} {written}") from err


def _swap_in(fresh: Path, home: Path) -> None:
    """Put the store folder ``fresh`` in the place of ``home``, once no reader holds it."""
    from kg.stores import holding

    old = home.with_name(".store-old")
    shutil.rmtree(old, ignore_errors=True)
    if not home.exists():
        os.replace(fresh, home)
        return
    with holding(home, wait=_HOME_WAIT):  # no reader has the old store open, none comes in
        os.replace(home, old)
        os.replace(fresh, home)
    shutil.rmtree(old, ignore_errors=True)


def _old_shards(folder: Path) -> list[str]:
    """The shards an earlier build left in ``folder`` (relative paths)."""
    shards = folder / SHARDS_DIR
    if not shards.is_dir() or shards.is_symlink():
        return []
    return sorted(f"{SHARDS_DIR}/{p.name}" for p in shards.glob("*.nq"))


def _stage_shards(result: BuildResult, target: Path, *, base: str) -> None:
    """Put the build's shards into the staging folder: those the cluster wrote, or, for
    ``kg add`` and ``kg remove``, the same shards made here
    (:func:`kg.build.cluster.write_shards`)."""
    if result.shards is None:
        from kg.build.cluster import write_local_shards

        write_local_shards(result.entities, result.resolved, target, base=base)
        return
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(result.shards.glob("*.nq")):
        try:
            os.replace(path, target / path.name)
        except OSError:  # another file system (shards written outside the build folder)
            shutil.copyfile(path, target / path.name)


def _file_prefixes(base: str) -> dict[str, str]:
    """The prefixes of the graph files: the prefix table, ``kgr:`` the build's base (its
    IRIs written ``kgr:organization\\/acme``, the ``/`` escaped as Turtle wants)."""
    return graph_prefixes(base)


def write_candidates(result: BuildResult, path: str | Path, *, base: str = KGR_IRI) -> None:
    """Write the candidates graph of a build (:func:`kg.graph.records.candidate_block`) as TriG.

    The file holds the one named graph ``<base>graph/candidates``, so that
    loading it beside kg.trig adds no triple to kg.trig's graphs.
    """
    prefixes = _file_prefixes(base)
    name, triples = candidate_block(
        result.candidates, asserted=statements(result.resolved), base=base
    )
    write_graph_files([graph_piece(name, triples, prefixes=prefixes)], trig=path, prefixes=prefixes)


def _open_publication(spec: str) -> Store:
    from kg.stores import open_store

    return open_store(spec, create=True)


def _publish_committed(
    blocks: Iterable[Block],
    spec: str,
    store: Store,
    *,
    previous: Mapping[str, str],
    current: Mapping[str, str],
) -> None:
    """:func:`publish` once the files are committed: failures say that the files are written."""
    written = "The graph files are written; the next `kg add`, `kg remove` or `kg build` there"
    try:
        publish(blocks, spec, previous=previous, current=current, store=store)
    except KeyboardInterrupt:
        raise PublishInterruptedError(
            f"{spec}: interrupted while the store was being updated. {written} brings the "
            "store up to date."
        ) from None
    except StoreError as err:
        raise StoreError(f"{err} {written} sends the store what it lacks.") from err


def publish(
    blocks: Iterable[Block],
    spec: str,
    *,
    previous: Mapping[str, str],
    current: Mapping[str, str],
    store: Store | None = None,
) -> tuple[int, int]:
    """Bring the store ``spec`` names up to date with a build, graph by graph.

    Graphs whose digest differs from ``previous`` (what the store was last
    sent) are replaced, graphs the build no longer has are removed, and the
    rest is left alone: ``kg add`` of one article to a big build sends that
    article's graph (and the default graph of entity descriptions) only, or
    also the graphs of other articles whose entities it merged. With no
    ``previous``, every graph is sent and any other graph in the store removed.
    ``blocks`` are the graph as the files hold it (:func:`kg.graph.assemble.assemble`).
    ``store``, when given, is ``spec`` already open (and left open). Returns (graphs sent,
    graphs removed).
    """
    from kg.stores import open_store

    opened = store if store is not None else open_store(spec, create=True)
    try:
        if previous:
            stale = set(previous) - set(current)
        else:  # a first publication: whatever else the store holds goes
            stale = {str(n) for n in opened.graph_names() if not str(n).startswith("urn:x-kg:")}
        sent = 0
        for name, triples in blocks:
            key = "" if name is None else str(name)
            stale.discard(key)
            if previous and previous.get(key) == current.get(key):
                continue
            opened.replace_graph(name, triples)
            sent += 1
            checkpoint(f"publish:{sent}")
        for key in sorted(stale):
            opened.remove_graph(key or None)
    finally:
        if store is None:
            opened.close()
    return sent, len(stale)


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

    The build holds the writer lock of ``out_dir`` throughout (:func:`kg.build.state.writer_lock`,
    with ``wait`` and ``on_wait``); ``options`` go to :func:`run`, ``validate`` and
    ``on_quarantine`` to :func:`write_outputs`.
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


@dataclass(frozen=True)
class ChangeSummary:
    """What ``kg add`` or ``kg remove`` changed, by article id."""

    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    documents: int = 0  # articles in the build afterwards


def add(
    paths: Sequence[str | Path],
    *,
    out_dir: str | Path = DEFAULT_OUTPUT,
    html: bool = True,
    jobs: int = 1,
    on_article: Callable[[Article], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    encoding: str | None = None,
    max_chars: int | None = MAX_CHARS,
    store: str | None = None,
) -> ChangeSummary:
    """Add articles to the build in ``out_dir``, in place.

    ``encoding`` reads these files (default: the build's encoding); ``max_chars``
    is as in :func:`run`. ``store`` is the store to publish the build to (see
    :func:`publication`); the command holds the folder's writer lock from
    before it reads the state until it is written.

    An article already there with the same content changes nothing; one
    whose content changed (same id) replaces its earlier version. Only new
    and changed articles are extracted; resolution and the graph are redone
    over the whole build, reusing what the build kept for unchanged inputs
    (checks, resolution keys, layouts: :mod:`kg.memo`), so the result is what
    a full build gives.

    Raises:
        StateError: no build in ``out_dir``, or kg, its model or its knowledge
            files changed since (then extractions cannot be mixed: build again),
            or the build publishes to a remote store that ``store`` does not name.
    """
    with writer_lock(out_dir):
        state = publication(load_state(out_dir), out_dir, store)
        checkpoint("state:read")
        return _add(state, paths, out_dir, html, jobs, on_article, on_start, encoding, max_chars)


def publication(state: BuildState, out_dir: str | Path, store: str | None) -> BuildState:
    """The build state with the store ``kg add``/``kg remove`` publish to.

    ``store`` (the command line's ``--store``), when given, replaces the
    state's store (a new store is sent every graph). Otherwise a local store
    the state names is kept, but not a remote one: a build folder may come
    from anyone, and its state alone must not decide where articles are sent.

    Raises:
        StateError: the state names a remote store and ``store`` is not given.
    """
    if store is not None:
        spec = store_spec(store)
        if spec == state.options.store:
            return state
        return replace(state, options=replace(state.options, store=spec), graphs={})
    named = state.options.store
    if named and named.startswith(("sparql+http://", "sparql+https://")):
        raise StateError(
            f"{out_dir}: this build publishes to the remote store {named}; kg sends articles "
            "to a remote store only when the command names it: give --store again, or "
            "build again without --store."
        )
    return state


def _add(
    state: BuildState,
    paths: Sequence[str | Path],
    out_dir: str | Path,
    html: bool,
    jobs: int,
    on_article: Callable[[Article], None] | None,
    on_start: Callable[[int], None] | None,
    encoding: str | None,
    max_chars: int | None,
) -> ChangeSummary:
    """:func:`add`, with the writer lock held and the state read."""
    articles = list(
        read_articles(list(paths), encoding=encoding or state.options.encoding, max_chars=max_chars)
    )
    if not articles:
        raise EmptyInputError("no articles to add: give files, folders or globs of articles.")
    check_replacements({doc: ex.article for doc, ex in state.extractions.items()}, articles)
    todo = [a for a in articles if state.hashes.get(a.id) != article_hash(a)]
    todo_ids = {a.id for a in todo}
    unchanged = tuple(sorted(a.id for a in articles if a.id not in todo_ids))
    if on_start is not None:
        on_start(len(todo))
    if not todo:
        # The store's last update was cut short, or it is a store new to the build.
        if state.options.store and (publish_pending(out_dir) or not state.graphs):
            result = assemble(state, keys=_kept_keys(state, out_dir))
            write_outputs(result, out_dir, html=html, base=state.options.base)
        return ChangeSummary(unchanged=unchanged, documents=len(state.extractions))
    options = state.options
    current = fingerprint(model=options.model, gazetteer_files=options.gazetteer_files)
    if current != state.fingerprint:
        raise StateError(
            f"{out_dir}: kg, its model or its knowledge files changed since this build, so new "
            "extractions would not match the kept ones. Run `kg build` again on all articles."
        )
    extractions = dict(state.extractions)
    hashes = dict(state.hashes)
    for ex in extract_articles(
        todo,
        jobs=jobs,
        model=options.model,
        gazetteer_files=options.gazetteer_files,
        on_article=article_checkpoints(on_article),
    ):
        extractions[ex.article.id] = ex
        hashes[ex.article.id] = article_hash(ex.article)
    new_state = replace(state, extractions=extractions, hashes=hashes)
    result = assemble(new_state, keys=_kept_keys(state, out_dir))
    write_outputs(result, out_dir, html=html, base=options.base, jobs=jobs)
    return ChangeSummary(
        added=tuple(sorted(a.id for a in todo if a.id not in state.hashes)),
        replaced=tuple(sorted(a.id for a in todo if a.id in state.hashes)),
        unchanged=unchanged,
        documents=len(extractions),
    )


def remove(
    doc_ids: Sequence[str],
    *,
    out_dir: str | Path = DEFAULT_OUTPUT,
    html: bool = True,
    store: str | None = None,
) -> ChangeSummary:
    """Retract articles from the build in ``out_dir``, and whatever only they asserted.

    ``store`` is as for :func:`add`; so is the writer lock.

    Raises:
        StateError: no build in ``out_dir``, an id it does not hold (the
            message lists close ids), or a remote store ``store`` does not name.
    """
    with writer_lock(out_dir):
        state = publication(load_state(out_dir), out_dir, store)
        checkpoint("state:read")
        return _remove(state, doc_ids, out_dir, html)


def _remove(
    state: BuildState, doc_ids: Sequence[str], out_dir: str | Path, html: bool
) -> ChangeSummary:
    """:func:`remove`, with the writer lock held and the state read."""
    # An id typed with a combining accent (NFD) is the NFC id a file name gives.
    doc_ids = [d if d in state.extractions else unicodedata.normalize("NFC", d) for d in doc_ids]
    unknown = [doc for doc in doc_ids if doc not in state.extractions]
    if unknown:
        close = sorted(
            {m for doc in unknown for m in difflib.get_close_matches(doc, state.extractions, 3)}
        )
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise StateError(
            f"{out_dir}: the build holds no article {', '.join(map(repr, unknown))} "
            f"({len(state.extractions)} article{'' if len(state.extractions) == 1 else 's'}).{hint}"
        )
    if len(set(doc_ids)) == len(state.extractions):
        raise StateError(
            f"{out_dir}: removing every article would leave an empty graph; delete the folder "
            "instead."
        )
    gone = set(doc_ids)
    new_state = replace(
        state,
        extractions={k: v for k, v in state.extractions.items() if k not in gone},
        hashes={k: v for k, v in state.hashes.items() if k not in gone},
    )
    result = assemble(new_state, keys=_kept_keys(state, out_dir))
    write_outputs(result, out_dir, html=html, base=state.options.base)
    return ChangeSummary(removed=tuple(sorted(gone)), documents=len(new_state.extractions))


def extract_records(paths: Sequence[str | Path], **options: object) -> list[dict[str, object]]:
    """Return the ``kg extract`` records of ``paths`` (the relations a build with the same
    options asserts)."""
    result = run(paths, **options)  # type: ignore[arg-type]
    return extraction_records(
        result.resolved, base=str(options.get("base", KGR_IRI)), min_confidence=0
    )
