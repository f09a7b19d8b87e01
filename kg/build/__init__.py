"""Building an output folder: ``kg build``, ``kg add`` and ``kg remove``.

- :mod:`kg.build.pipeline`: the build, its updates and its output files;
- :mod:`kg.build.state`: the build state kept for updates, the writer lock and the
  output transaction that commits a build's files together;
- :mod:`kg.build.graphfiles`: kg.trig and kg.ttl, the articles' graphs made in forked processes;
- :mod:`kg.build.parallel`: extraction over a local pool of processes;
- :mod:`kg.build.forks`: a map over items in forked processes, results in order;
- :mod:`kg.build.cluster`: extraction and graph shards on a Dask cluster.

Importing the package loads none of them: import the module you need. The
attribute ``kg.build`` is the function :func:`kg.build` (``import kg``), so
reach a module with ``from kg.build import pipeline`` or ``from
kg.build.pipeline import ...``, not ``import kg.build.pipeline as pipeline``.
"""

from __future__ import annotations

__all__: list[str] = []
