"""One module per real engine: ``obtain(cache)`` and ``start(workdir, cache, ports)``."""

ENGINES = ("kafka", "opensearch", "mongo", "s3")
