"""Where a build folder keeps things: the default output folder, the state folder and its files.

The build state (:mod:`kg.build.state`), the commit of a build's files
(:mod:`kg.build.transaction`) and the writer lock (:mod:`kg.build.lock`) all
find their files through these names.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "COMMIT_FILE",
    "DEFAULT_OUTPUT",
    "PACKAGE_DIR",
    "PUBLISH_FILE",
    "SHARDS_DIR",
    "SHARDS_NEW",
    "STAGING_DIR",
    "STATE_DIR",
    "state_dir",
]


#: Where builds go by default.
DEFAULT_OUTPUT = Path("output")

#: kg's package folder, whose code and shipped models a build's fingerprints cover.
PACKAGE_DIR = Path(__file__).resolve().parents[1]

#: The folder, inside a build's output folder, that holds its state.
STATE_DIR = ".kg"

#: In the state folder: the files of a write not yet committed, laid out as the output folder.
STAGING_DIR = "staging"

#: In the state folder: the commit record, the staged files being renamed into place.
COMMIT_FILE = "commit.json"

#: In the state folder: present while a store may lack part of the build
#: (see kg.build.publish.publish).
PUBLISH_FILE = "publishing"

#: In the state folder: the shards a cluster build wrote, until its commit moves them.
SHARDS_NEW = "shards.new"

#: The folder, in a build's output folder, of the N-Quads shards of a cluster build.
SHARDS_DIR = "shards"


def state_dir(out_dir: str | Path) -> Path:
    """The state folder of the build in ``out_dir``."""
    return Path(out_dir) / STATE_DIR
