"""What the training scripts share on the command line: their usage text and one-line errors.

``python -m kg.train.ner``, ``kg.train.relations`` and ``kg.train.news``
describe themselves with their module docstring (without its doctest) and
end with one ``error:`` line, never a traceback, on a missing or bad input.

>>> print(usage('''Train it.
...
... Run ``python -m x``::
...
...     python -m x --in a.json
...
... >>> 1 + 1
... 2
... '''))
Train it.
<BLANKLINE>
Run python -m x:
<BLANKLINE>
    python -m x --in a.json
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kg.errors import EvaluationError, KGError, printable

__all__ = ["CONLL04_HINT", "check_files", "run", "usage"]

#: What to do when CoNLL04 is not where an option says.
CONLL04_HINT = (
    "CoNLL04 is not in the repository (its terms are not stated): fetch it in the SpERT "
    "JSON layout (see eval/README.md) and give its path"
)


def usage(doc: str | None) -> str:
    """A module docstring as an argparse description: no doctest, reST markup left out."""
    text = (doc or "").split("\n>>>", 1)[0]
    text = re.sub(r":(?:func|mod|class|data|meth):`~?([^`]+)`", r"\1", text)
    return text.replace("::\n", ":\n").replace("``", "").strip()


def check_files(hint: str = "", **files: str | Path | None) -> None:
    """Raise one clear error for the first of ``files`` (option name -> path) that is missing.

    Raises:
        EvaluationError: ``--train x.json: no such file.`` and ``hint``.

    >>> check_files(train="no/such.json")
    Traceback (most recent call last):
    ...
    kg.errors.EvaluationError: --train no/such.json: no such file.
    """
    for option, path in files.items():
        if path is not None and not Path(path).is_file():
            flag = "--" + option.replace("_", "-")
            raise EvaluationError(f"{flag} {path}: no such file." + (f" {hint}." if hint else ""))


def run(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> int:
    """Run a training script's ``main``; a library error or Ctrl-C is one line on stderr."""
    try:
        return main(argv)
    except KGError as err:
        print(f"error: {printable(str(err))}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("error: interrupted.", file=sys.stderr)
        return 130
    except OSError as err:
        where = f"{err.filename}: " if getattr(err, "filename", None) else ""
        print(f"error: {printable(where + (err.strerror or str(err)))}.", file=sys.stderr)
        return 1
