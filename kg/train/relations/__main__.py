"""``python -m kg.train.relations``: train the relation classifier (:mod:`kg.train.relations`)."""

from kg.train.commandline import run
from kg.train.relations.command import main

if __name__ == "__main__":
    raise SystemExit(run(main))
