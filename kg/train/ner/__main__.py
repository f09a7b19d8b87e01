"""``python -m kg.train.ner``: fine-tune the NER (see :mod:`kg.train.ner`)."""

from kg.train.commandline import run
from kg.train.ner.command import main

if __name__ == "__main__":
    raise SystemExit(run(main))
