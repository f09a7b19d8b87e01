"""A build's output files (kg.ttl, kg.trig, extractions.jsonl, kg.html, candidates.trig,
shards), written together with its state, then published.

Every file is staged, then all replace the old ones at once (kg.build.transaction): an
interruption or error leaves the previous build whole. The store is opened
first (one that cannot be opened changes nothing) and updated after the
commit; the note staged with the files says it may lag until that is done.
The writer lock (already held by kg add/remove/build) covers the store update too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path

from kg.build.extractions import write_extractions
from kg.build.folder import DEFAULT_OUTPUT, SHARDS_DIR, STATE_DIR, state_dir
from kg.build.graphfiles import in_processes, write_build_graph
from kg.build.keptgraphs import GRAPHS_FILE, KeptGraphs, graphs_salt, read_kept, write_kept
from kg.build.lock import writer_lock
from kg.build.publish import (
    home_spec,
    mark_published,
    mark_publishing,
    open_publication,
    publish_committed,
    publish_home,
    publish_pending,
)
from kg.build.resolution import KEYS_FILE, BuildResult, keys_salt
from kg.build.state import save_state
from kg.build.transaction import output_transaction, recover
from kg.graph.assemble import assemble as assemble_graph
from kg.graph.records import Block, Triple, candidate_block, graph_prefixes, statements
from kg.graph.validate import QuarantinedTriple
from kg.graph.validate.memo import CheckMemo, check_salt
from kg.memo import Memo, read_memo, write_memo
from kg.ontology import KGR_IRI
from kg.rdf.trig import graph_piece, write_graph_files
from kg.stores.homeload import HomeLoad
from kg.views.read import ViewPart

__all__ = [
    "CANDIDATES_FILE",
    "CHECKS_FILE",
    "LAYOUTS_FILE",
    "write_candidates",
    "write_outputs",
]


#: The file of the relations a build found below its threshold (``kg build --candidates``).
CANDIDATES_FILE = "candidates.trig"

#: The check results a build keeps for the next (:mod:`kg.graph.validate.memo`), in its
#: state folder.
CHECKS_FILE = "checks.json"

#: What kg.html is read from: the triples of the graphs, and the parts that stand for the
#: articles' graphs (:class:`kg.views.read.ViewPart`).
_Page = tuple[list[Triple], list[ViewPart]]

#: The positions kg.html's layout keeps for the next build (:func:`kg.views.layout.layout`).
LAYOUTS_FILE = "layouts.json"


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
    :func:`~kg.build.resolution.resolve_state`). When the build state asks for candidates
    (``kg build --candidates``), candidates.trig holds the relations below
    the threshold (:func:`kg.graph.records.candidate_block`); otherwise the write
    removes a candidates.trig an earlier build left, so that it never
    describes another graph.

    With ``validate`` (the default) the graph files hold only what conforms to
    ontology/shapes.ttl; the rest goes to the quarantine graph, each triple
    set aside passed to ``on_quarantine`` (see :func:`kg.graph.assemble.assemble`).
    ``jobs`` processes make the articles' graphs (:mod:`kg.build.graphfiles`).

    The files, with the build state, replace the previous ones together or
    not at all (:func:`kg.build.transaction.output_transaction`), whatever stops the
    write. The build's store, if any, is updated once they are; if that is
    cut short, the next write sends it every graph again.
    """
    folder = Path(out_dir)
    digests: dict[str, str] = {}
    blocks = partial(_store_blocks, result, base=base, validate=validate, jobs=jobs)
    # kg.html shows the checked graph, as the files hold it: its triples are gathered
    # as the graphs are written, not made again (result.dataset).
    page_data: _Page | None = ([], []) if html else None
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
    return _written(result, folder, html=html)


def _store_blocks(result: BuildResult, *, base: str, validate: bool, jobs: int) -> Iterable[Block]:
    """The graph as the files hold it, for the store."""
    graphs = assemble_graph(
        result.entities,
        result.resolved,
        base=base,
        validate=validate,
        articles=in_processes(jobs),
    )
    return ((graph.name, graph.triples or ()) for graph in graphs)


def _written(result: BuildResult, folder: Path, *, html: bool) -> list[Path]:
    """The files :func:`write_outputs` writes."""
    names = ["kg.ttl", "kg.trig", "extractions.jsonl"] + (["kg.html"] if html else [])
    names += [CANDIDATES_FILE] if _with_candidates(result) else []
    return [folder / name for name in names]


def _write_committed(
    result: BuildResult,
    folder: Path,
    blocks: Callable[[], Iterable[Block]],
    page_data: _Page | None,
    *,
    html: bool,
    base: str,
    validate: bool,
    jobs: int,
    on_quarantine: Callable[[QuarantinedTriple], None] | None,
    digests: dict[str, str],
) -> None:
    """:func:`write_outputs` with the writer lock held: stage, commit, then publish."""
    spec = _publication_spec(result, folder)
    recover(folder)
    behind = publish_pending(folder)  # an earlier update of the store was cut short
    removed = _removed(folder, html=html, with_candidates=_with_candidates(result))
    store = open_publication(spec) if spec else None
    salt, memo, kept = _kept_results(result, folder, base=base, validate=validate)
    try:
        # The load is inside the transaction: a write that fails discards it first.
        with output_transaction(folder, remove=removed) as stage, HomeLoad(folder) as loading:
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
                dataset=None if page_data is None else page_data[0],
                digests=digests,
                memo=memo,
                kept=kept,
                parts=None if page_data is None else page_data[1],
            )
            loading.start(None if spec else stage)  # publish_home says when and why
            # result.resolved holds what the graph asserts: the records list all of it.
            write_extractions(result.resolved, stage / "extractions.jsonl", base=base)
            if _with_candidates(result):
                write_candidates(result, stage / CANDIDATES_FILE, base=base)
            if page_data is not None:
                _write_page(page_data, stage, folder, keep=result.state is not None, remake=blocks)
            if result.state is not None and result.state.options.shards:
                _stage_shards(result, stage / SHARDS_DIR, base=base)
            _stage_state(stage, result, digests=digests, salt=salt, memo=memo, spec=spec, kept=kept)
            loading.wait()  # before the commit renames the files it reads
        if result.shards is not None:
            shutil.rmtree(result.shards, ignore_errors=True)
        if store is not None and spec and result.state is not None:
            previous = {} if behind else result.state.graphs
            publish_committed(blocks(), spec, store, previous=previous, current=digests)
            mark_published(folder)
    finally:
        if store is not None:
            store.close()
    publish_home(folder, loading)


def _with_candidates(result: BuildResult) -> bool:
    """Whether the build writes candidates.trig (``kg build --candidates``)."""
    return result.state is not None and result.state.options.candidates


def _kept_results(
    result: BuildResult, folder: Path, *, base: str, validate: bool
) -> tuple[str, CheckMemo | None, KeptGraphs | None]:
    """The check results (with their salt) and the article graphs (for a build with a state,
    which has the article hashes they are kept by) the build in ``folder`` kept."""
    salt = check_salt()
    if not validate:
        return salt, None, None
    memo = CheckMemo(read_memo(state_dir(folder) / CHECKS_FILE, salt))
    state = result.state
    if state is None:
        return salt, memo, None
    kept_salt = graphs_salt(_file_prefixes(base))
    kept = KeptGraphs(
        read_kept(state_dir(folder) / GRAPHS_FILE, kept_salt),
        hashes=state.hashes,
        made_from=f"{state.fingerprint}\x1d{state.options.min_confidence!r}",
        salt=kept_salt,
    )
    return salt, memo, kept


def _removed(folder: Path, *, html: bool, with_candidates: bool) -> list[str]:
    """The files of the build in ``folder`` that this write removes, if it does not write them."""
    removed = [] if with_candidates else [CANDIDATES_FILE]
    removed += [] if html else ["kg.html", f"{STATE_DIR}/{LAYOUTS_FILE}"]
    removed += _old_shards(folder)  # those the new build does not write again
    return removed


def _publication_spec(result: BuildResult, folder: Path) -> str | None:
    """The store the build in ``folder`` is published to, besides its own store."""
    spec = result.state.options.store if result.state is not None else None
    if spec == home_spec(folder):  # the build's own store is written anyway
        spec = None
    return spec


def _stage_state(
    stage: Path,
    result: BuildResult,
    *,
    digests: dict[str, str],
    salt: str,
    memo: CheckMemo | None,
    spec: str | None,
    kept: KeptGraphs | None = None,
) -> None:
    """Stage the build state (if the build has one), what the build keeps for the next, and
    the note of publishing."""
    if result.state is None:
        return
    save_state(stage, replace(result.state, graphs=digests))
    write_memo(state_dir(stage) / CHECKS_FILE, salt, memo.made if memo else {})
    if kept is not None:
        write_kept(state_dir(stage) / GRAPHS_FILE, kept.salt, kept.made)
    made = result.keys.made if result.keys else {}
    write_memo(state_dir(stage) / KEYS_FILE, keys_salt(result.state), made)
    if spec:
        mark_publishing(stage, spec)


def _write_page(
    page_data: _Page,
    stage: Path,
    folder: Path,
    *,
    keep: bool,
    remake: Callable[[], Iterable[Block]],
) -> None:
    """Write kg.html into ``stage``, reusing the layouts the build in ``folder`` kept, and
    (``keep``) keep this page's in the staged state. The page reads the triples and the
    parts of ``page_data``, or, should a part not stand for its graph, every graph
    made again (``remake``)."""
    from kg.views import DEFAULT_MAX_NODES, triples_to_view, write_html
    from kg.views.layout import layout_salt
    from kg.views.read import PartsOverlapError

    salt = layout_salt()
    layouts = Memo(read_memo(state_dir(folder) / LAYOUTS_FILE, salt))
    triples, parts = page_data
    try:
        view = triples_to_view(triples, parts=parts, max_nodes=DEFAULT_MAX_NODES)
    except PartsOverlapError:
        remade = (t for _, block in remake() for t in block)
        view = triples_to_view(remade, max_nodes=DEFAULT_MAX_NODES)
    write_html(view, stage / "kg.html", title="kg: knowledge graph", layouts=layouts)
    if keep:
        state_dir(stage).mkdir(parents=True, exist_ok=True)
        write_memo(state_dir(stage) / LAYOUTS_FILE, salt, layouts.made)


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
