"""Event-bus topic names (documented in docs/architecture.md).

* ``dlhub.tasks``: WorkItem messages, keyed by ``owner/name``; executors
  consume them in consumer groups.
* ``dlhub.results``: WorkResult messages, keyed by task id; every task
  manager replica reads them.
* ``dlhub.servables``: ServableEvent messages, keyed by ``owner/name``; the
  search service indexes from them.
"""

TASKS = "dlhub.tasks"
RESULTS = "dlhub.results"
SERVABLE_EVENTS = "dlhub.servables"

# Consumer groups that producers create up front (EventBus.ensure_group), so
# that nothing published before their first member joins is missed.
EXECUTORS_GROUP = "executors"
SEARCH_GROUP = "search"
