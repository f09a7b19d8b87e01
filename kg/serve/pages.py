"""The query page of ``kg serve``: its HTML, script and style sheet, shipped in kg/serve/assets/."""

from __future__ import annotations

import json
import string
from importlib import resources
from xml.sax.saxutils import escape

from kg import __version__
from kg.stores import Store

__all__ = ["ASSETS", "EXAMPLE_QUERY", "PAGE_CSP", "asset", "page"]

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
ASSETS = {"query.js": "text/javascript", "query.css": "text/css"}

EXAMPLE_QUERY = """\
SELECT ?class (COUNT(DISTINCT ?entity) AS ?entities)
WHERE { ?entity a ?class ; kgo:mentionedIn ?article }
GROUP BY ?class
ORDER BY DESC(?entities) ?class"""


def asset(name: str) -> bytes:
    return resources.files("kg.serve").joinpath("assets", name).read_bytes()


def page(store: Store) -> bytes:
    template = string.Template(asset("index.html").decode("utf-8"))
    prefixes = json.dumps(store.prefixes, sort_keys=True).replace("<", "\\u003c")
    return template.safe_substitute(
        store=_html_escape(store.name),
        version=_html_escape(__version__),
        prefixes=prefixes,
        example=_html_escape(EXAMPLE_QUERY),
    ).encode("utf-8")


def _html_escape(text: str) -> str:
    return escape(text, {'"': "&quot;", "'": "&#x27;"})
