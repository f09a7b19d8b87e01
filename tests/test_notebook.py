"""examples/quickstart.ipynb runs from top to bottom in a fresh kernel, offline: it builds
the sample, gets a query's answer as a DataFrame and shows the graph inline."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "quickstart.ipynb"


def html_outputs(cell: Any) -> list[str]:
    return [
        o["data"]["text/html"] for o in cell.get("outputs", []) if "text/html" in o.get("data", {})
    ]


def test_the_notebook_is_stored_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


@pytest.mark.model
@pytest.mark.slow
def test_the_quickstart_notebook_runs(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # the kernel is this Python (ipykernel's own spec); the notebook writes into tmp_path
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if a cell fails
    assert (tmp_path / "build" / "kg.trig").is_file()
    cells = [c for c in notebook.cells if c.cell_type == "code"]

    frames = [h for c in cells for h in html_outputs(c) if h.startswith("<iframe")]
    assert len(frames) == 1, "the graph cell shows the view inline"
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', frames[0])[1])  # type: ignore[index]
    assert page.startswith("<!DOCTYPE html>") and "Xiaomi" in page

    tables = [h for c in cells for h in html_outputs(c) if "<table" in h]
    assert len(tables) == 2, "the query's DataFrame and the edges' DataFrame"
    answer = tables[0]
    assert re.search(r"<th>company</th>\s*<th>place</th>\s*<th>confidence</th>", answer)
    assert re.search(r"<td>Xiaomi</td>\s*<td>Beijing</td>", answer)

    printed = "".join(
        o.get("text", "") for c in cells for o in c.outputs if o.get("output_type") == "stream"
    )
    assert re.search(r"^2 articles, \d+ entities, \d+ relations$", printed, re.M)
    assert "Xiaomi is based in Beijing" in printed
