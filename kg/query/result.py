"""What a query returns: :class:`QueryResult`, whose rows are :class:`Row` objects.

>>> QueryResult(kind="ASK", boolean=True).boolean
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, SupportsIndex, overload

from rdflib import BNode, Graph, Literal
from rdflib.term import Node

from kg.errors import MissingDependencyError, QueryError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["QueryResult", "Row", "with_graph"]


class Row(tuple[Node | None, ...]):
    """One solution of a query: a tuple of terms (``None`` where a variable is unbound)
    that also answers to its variables' names, as rdflib's result rows do.

    ``row[0]``, ``row["name"]`` and ``row.name`` give the same term (a name that
    is also a tuple method, such as ``count`` or ``index``, only by key);
    :meth:`asdict` maps every variable to its term.

    >>> row = Row((Literal("Xiaomi"), None), ("name", "city"))
    >>> row.name == row["name"] == row[0] == Literal("Xiaomi"), row.city
    (True, None)
    >>> row.country
    Traceback (most recent call last):
    ...
    AttributeError: no variable ?country in this row; it has ?name, ?city
    """

    _names: tuple[str, ...]

    def __new__(cls, values: Iterable[Node | None], names: Iterable[str]) -> Row:
        row = super().__new__(cls, values)
        object.__setattr__(row, "_names", tuple(names))
        if len(row._names) != len(row):
            raise ValueError(f"{len(row)} values for {len(row._names)} variables")
        return row

    def __getattr__(self, name: str) -> Node | None:
        if name.startswith("__"):  # copy, pickle and friends probe for dunders
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as err:
            raise AttributeError(err.args[0]) from None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("query rows are read-only")

    @overload
    def __getitem__(self, key: SupportsIndex | str) -> Node | None: ...
    @overload
    def __getitem__(self, key: slice) -> tuple[Node | None, ...]: ...
    def __getitem__(self, key: SupportsIndex | str | slice) -> Any:
        if isinstance(key, str):
            try:
                key = self._names.index(key)
            except ValueError:
                raise KeyError(
                    f"no variable ?{key} in this row; it has "
                    + (", ".join(f"?{n}" for n in self._names) or "none")
                ) from None
        return super().__getitem__(key)

    def __reduce__(self) -> tuple[Any, ...]:
        return Row, (tuple(self), self._names)

    def __repr__(self) -> str:
        pairs = ", ".join(f"{n}={v!r}" for n, v in zip(self._names, self, strict=True))
        return f"Row({pairs})"

    def asdict(self) -> dict[str, Node | None]:
        """The row as ``{variable: term}``, in the query's variable order."""
        return dict(zip(self._names, self, strict=True))


#: The columns of a CONSTRUCT or DESCRIBE result's rows (one per triple).
_TRIPLE_COLUMNS = ("subject", "predicate", "object")


@dataclass(frozen=True)
class QueryResult:
    """What a query returned.

    SELECT fills ``vars`` and ``rows`` (one tuple per solution, ``None`` for
    an unbound variable); ASK fills ``boolean``; CONSTRUCT and DESCRIBE fill
    ``graph``. ``prefixes`` (the predeclared ones, the graph's and the
    query's) are used to shorten IRIs when the result is formatted.

    A result reads like rdflib's and pandas': iterating gives :class:`Row`
    objects (for CONSTRUCT and DESCRIBE one per triple, with the columns
    ``subject``, ``predicate``, ``object``), ``len()`` counts them,
    ``bool()`` is an ASK's answer (otherwise: are there rows), and
    :meth:`to_pandas` makes a DataFrame.

    >>> r = QueryResult(kind="SELECT", vars=("name",), rows=((Literal("Xiaomi"),),))
    >>> len(r), [row.name for row in r], bool(QueryResult(kind="ASK", boolean=False))
    (1, [rdflib.term.Literal('Xiaomi')], False)
    """

    kind: str
    vars: tuple[str, ...] = ()
    rows: tuple[tuple[Node | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = field(default=None, compare=False)
    prefixes: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of the rows' columns: a SELECT's variables in the query's order, or
        ``subject``, ``predicate``, ``object`` for a graph; none for ASK."""
        return _TRIPLE_COLUMNS if self.kind in ("CONSTRUCT", "DESCRIBE") else self.vars

    def _values(self) -> Iterable[tuple[Node | None, ...]]:
        if self.kind in ("CONSTRUCT", "DESCRIBE"):
            triples = self.graph if self.graph is not None else ()
            return sorted(triples, key=lambda t: tuple(_sort_key(term) for term in t))
        return self.rows

    def __iter__(self) -> Iterator[Row]:
        columns = self.columns
        return (Row(values, columns) for values in self._values())

    def __len__(self) -> int:
        if self.kind in ("CONSTRUCT", "DESCRIBE"):
            return len(self.graph) if self.graph is not None else 0
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ASK" else len(self) > 0

    def to_pandas(self, *, terms: bool = False) -> pd.DataFrame:
        """The rows as a :class:`pandas.DataFrame`, one column per variable in the query's order.

        Literals become Python values (``int``, ``Decimal``, ``date``, ``str``...),
        IRIs strings, blank nodes ``_:label`` and unbound cells ``None``; with
        ``terms=True`` the cells keep their rdflib terms. Needs pandas
        (``pip install 'kg-builder[pandas]'``).

        Raises:
            MissingDependencyError: pandas is not installed.
            QueryError: the result is an ASK answer, which has no rows.
        """
        if self.kind == "ASK":
            raise QueryError("an ASK query has no rows, only an answer: use bool(result).")
        try:
            import pandas as pd  # optional: only this method needs it
        except ImportError as err:
            raise MissingDependencyError(
                "to_pandas needs pandas, which is not installed: pip install 'kg-builder[pandas]'."
            ) from err
        cells = (row if terms else tuple(_python_value(t) for t in row) for row in self._values())
        return pd.DataFrame(list(cells), columns=list(self.columns))


def _sort_key(term: Node | None) -> tuple[str, str]:
    return ("", "") if term is None else (type(term).__name__, str(term))


def _python_value(term: Node | None) -> object:
    """A term as the Python value a DataFrame cell holds (:meth:`QueryResult.to_pandas`)."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value  # an unknown datatype
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def with_graph(result: QueryResult, triples: Iterable[tuple[Node, Node, Node]]) -> QueryResult:
    """``result`` with a Graph of ``triples``, the result's prefixes bound (CONSTRUCT, DESCRIBE).

    Query processes send triples, not Graphs (a Graph does not pickle cheaply).
    """
    graph = Graph()
    graph.addN((s, p, o, graph) for s, p, o in triples)
    for prefix, ns in result.prefixes.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return replace(result, graph=graph)
