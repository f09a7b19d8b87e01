"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint, and a query page, over any store.

:mod:`kg.serve.server` holds the HTTP server and its routes,
:mod:`kg.serve.results` the answers' formats, :mod:`kg.serve.pages` the query
page, :mod:`kg.serve.guards` and :mod:`kg.serve.admission` what keeps the
server safe and responsive.
"""

from kg.serve.server import DEFAULT_HOST, DEFAULT_PORT, SparqlServer, make_server

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "SparqlServer", "make_server"]
