"""The ``kg`` command: thin commands over the library, one module per group of commands.

Each command parses its options, calls the library, and turns library errors
(:class:`~kg.errors.KGError`) into a one-line message and an exit code
(:mod:`kg.cli.common`). :mod:`kg.cli.build` builds and changes a build folder,
:mod:`kg.cli.query` queries and exports, :mod:`kg.cli.views` draws and explores,
:mod:`kg.cli.serve` serves, :mod:`kg.cli.check` validates and scores. The
console script enters through :mod:`kg.launch`; ``python -m kg.cli`` works too.
"""

from kg.cli import build, check, query, serve, views
from kg.cli.common import app, main, register

__all__ = ["app", "main"]

# The commands in the order `kg --help` lists them.
for _command, _name in (
    (build.build, None),
    (build.add, None),
    (build.remove, None),
    (query.query, None),
    (query.export, None),
    (build.extract, None),
    (views.viz, None),
    (check.evaluate, "eval"),
    (serve.serve, None),
    (check.validate, None),
    (views.analyze, None),
    (views.path, None),
    (views.timeline, None),
    (views.conflicts, None),
):
    register(_command, _name)
del _command, _name
