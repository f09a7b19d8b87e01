"""What type checkers see of ``import kg`` (kg/__init__.py imports these on first use)."""

from kg.api import KnowledgeGraph as KnowledgeGraph
from kg.api import add as add
from kg.api import build as build
from kg.api import export as export
from kg.api import load as load
from kg.api import query as query
from kg.api import remove as remove
from kg.api import to_networkx as to_networkx
from kg.api import write_html as write_html
from kg.query import QueryResult as QueryResult
from kg.query import Row as Row

__version__: str
