"""The graph stage: records to triples, the one checked stream of named graphs, SHACL, reasoning.

- :mod:`kg.graph.records`: pure triple makers: entities, statements, observations
  and their provenance as (graph name, sorted triples) blocks;
- :mod:`kg.graph.assemble`: the one assembler of a build's checked named graphs
  (kg.trig / kg.ttl, shards, the store and ``build_graph()`` read it);
- :mod:`kg.graph.validate`: the SHACL shapes, the check of each graph and the quarantine;
- :mod:`kg.graph.reason`: the triples OWL 2 RL entails (``--infer``).

Importing the package loads none of them: import the module you need.
"""

from __future__ import annotations

__all__: list[str] = []
