"""``python -m dlhub_sdk.cli``: the same as the ``dlhub`` command."""

import sys

from dlhub_sdk.cli import main

if __name__ == "__main__":  # not when a spawned worker process imports this module
    sys.exit(main())
