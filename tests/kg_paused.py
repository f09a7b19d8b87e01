"""Run the kg CLI, stopped (SIGSTOP) at one checkpoint: ``python tests/kg_paused.py POINT ARGS``.

tests/test_interrupt.py runs kg through this, waits for the line ``kg: paused at
POINT`` on stderr, then interrupts or kills the stopped process, so that it stops
exactly there rather than after a guessed delay (see kg.build.checkpoints.set_pause_hook; kg
itself reads no variable to do this).
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    from kg.build.checkpoints import set_pause_hook
    from kg.cli import main as kg_main

    point = sys.argv.pop(1)

    def stop(reached: str) -> None:
        if reached == point:
            os.write(2, f"kg: paused at {point}\n".encode())
            os.kill(os.getpid(), signal.SIGSTOP)

    set_pause_hook(stop)
    sys.argv[0] = "kg"
    kg_main()


if __name__ == "__main__":
    main()
