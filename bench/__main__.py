"""`make bench`: every benchmark, figures printed; `make bench ARGS="profiles"` runs one (gateway,
profiles, outbox, requests, matching, apply, progress)."""

import sys

from bench import (
    gateway,
    matching,
    outbox,
    profiles,
    progress_health,
    progress_scale,
    requests_lifecycle,
    requests_review,
    runs_apply,
)

BENCHES = {
    "gateway": gateway.main,
    "profiles": profiles.main,
    "outbox": outbox.main,
    "requests": lambda argv: max(requests_review.main(argv), requests_lifecycle.main(argv)),
    "matching": matching.main,
    "apply": runs_apply.main,
    "progress": lambda argv: max(progress_health.main([]), progress_scale.main(argv)),
}

if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] in BENCHES:
        sys.exit(BENCHES[args[0]](args[1:]))
    sys.exit(max(run([]) for run in BENCHES.values()))
