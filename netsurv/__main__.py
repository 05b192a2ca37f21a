"""``python -m netsurv``: the same command line as ``netsurv``."""

from __future__ import annotations

import sys

from netsurv.present.cli import main

if __name__ == "__main__":
    sys.exit(main())
