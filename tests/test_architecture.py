"""The layers of kg hold: the import contracts of pyproject.toml, and no spaCy below extraction.

``lint-imports`` checks the contracts of ``[tool.importlinter]`` (no spaCy or
kg.extract in the graph, RDF, store and query stages; views apart from
evaluation; nothing importing the CLI; no import cycles). A fresh interpreter
checks what the contracts mean at run time: importing those stages does not
load spaCy.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The contracts the layers rest on; removing one from pyproject.toml fails a test.
CONTRACTS = {
    "no-spacy-below-extraction",
    "extraction-below-graph",
    "views-not-evaluation",
    "cli-on-top",
    "no-cycles",
}

#: The stages that must not load spaCy, as ``kg build``, ``kg query`` and ``kg serve`` use them.
SPACY_FREE = (
    "kg.ingest",
    "kg.gazetteer",
    "kg.build.state",
    "kg.build.transaction",
    "kg.build.publish",
    "kg.graph.records",
    "kg.graph.assemble",
    "kg.rdf.load",
    "kg.rdf.turtle",
    "kg.stores.open",
    "kg.stores.memory",
    "kg.stores.oxigraph",
    "kg.stores.sparql",
    "kg.query.run",
    "kg.query.saved",
    "kg.query.formats",
    "kg.graph.validate",
    "kg.graph.reason",
    "kg.graph.export",
    "kg.rdf.serialize",
    "kg.rdf.trig",
    "kg.serve",
    "kg.views",
    "kg.views.analyze",
    "kg.views.timeline",
    "kg.stores.sources",
    "kg.graph.validate.listing",
)


def test_the_contracts_are_written_down() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert {c["id"] for c in contracts} >= CONTRACTS


def test_lint_imports_keeps_every_contract() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    assert lint_imports.exists(), "install the test extra: pip install -e '.[test]'"
    done = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_graph_stages_do_not_load_spacy() -> None:
    code = (
        f"import {', '.join(SPACY_FREE)}; import sys; "
        "loaded = sorted(m for m in sys.modules if m == 'spacy' or m.startswith('kg.extract')); "
        "assert not loaded, loaded"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
