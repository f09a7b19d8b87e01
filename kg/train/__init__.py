"""Training code for the statistical parts of kg (run as scripts, never at build time).

- ``python -m kg.train.ner`` fine-tunes the ``ner`` of spaCy's small English
  model on CoNLL04 and writes the weights to ``kg/models/ner``.
- ``python -m kg.train.relations`` trains the relation classifier and writes
  ``kg/models/relations``.
"""
