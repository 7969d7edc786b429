"""`make bench`: every benchmark, figures printed."""

import sys

from bench import gateway

if __name__ == "__main__":
    sys.exit(gateway.main(sys.argv[1:]))
