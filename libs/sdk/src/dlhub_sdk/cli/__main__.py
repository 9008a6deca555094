"""``python -m dlhub_sdk.cli``: the same as the ``dlhub`` command."""

import sys

from dlhub_sdk.cli import main

sys.exit(main())
