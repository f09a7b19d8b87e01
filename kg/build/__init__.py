"""Building an output folder: ``kg build``, ``kg add`` and ``kg remove``.

- :mod:`kg.build.pipeline`: ``kg build``: read, extract, resolve, write (and the build's
  fingerprint and summary);
- :mod:`kg.build.updates`: ``kg add`` and ``kg remove``, a build changed in place;
- :mod:`kg.build.resolution`: resolution over a build state (the result a build writes);
- :mod:`kg.build.outputs`: every output file, written together with the state;
- :mod:`kg.build.extractions`: the records of ``kg extract`` and extractions.jsonl;
- :mod:`kg.build.publish`: the build's own store and the store ``--store`` names;
- :mod:`kg.build.state`: the build state kept for updates (state.json, the IRI registry),
  with :mod:`kg.build.state_records`, its extractions as checked JSON;
- :mod:`kg.build.transaction`: the output transaction that commits a build's files together,
  :mod:`kg.build.commit` its commit record and recovery, :mod:`kg.build.lock` the writer lock;
- :mod:`kg.build.folder`: where a build folder keeps things; :mod:`kg.build.checkpoints`:
  named points where tests stop a build;
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
