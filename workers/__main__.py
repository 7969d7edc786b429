"""`python -m workers [interactive|bulk ...]`: the workers of the named lanes (default: all)."""

import sys

from services.core.queue import Lane
from workers.main import run_worker

names = sys.argv[1:]
unknown = [name for name in names if name not in {lane.value for lane in Lane}]
if unknown:
    sys.exit(f"unknown lane {unknown[0]!r}; lanes: {', '.join(Lane)}")
run_worker([Lane(name) for name in names] or list(Lane))
