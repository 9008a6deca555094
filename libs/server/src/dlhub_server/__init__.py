"""The DLHub server distribution: ``dlhub up`` (the whole mesh) and ``dlhub serve``
(one service), added to the ``dlhub`` command through the ``dlhub.cli`` entry point."""
