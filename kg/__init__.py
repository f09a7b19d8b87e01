"""kg: an offline knowledge-graph builder for news.

Articles in, an RDF knowledge graph out: entities resolved to one node each and
linked to Wikidata, relations with dates, status and roles, figures, and
provenance back to the sentence. See :mod:`kg.pipeline` for the Python API.
"""

__version__ = "0.1.0"
