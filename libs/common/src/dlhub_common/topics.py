"""Event-bus topic names (documented in docs/architecture.md).

* ``dlhub.tasks``: WorkItem messages, keyed by task id (one servable's tasks
  spread over every partition); unpinned executors consume them in the
  group ``executors``.
* ``dlhub.results``: WorkResult messages, keyed by task id; the task
  managers record them in the durable group ``taskmanager-results`` (one
  replica each), and every replica also reads all of them in a group of its
  own, to wake the callers it holds.
* ``dlhub.servables``: ServableEvent messages, keyed by ``owner/name``; the
  search service indexes from them, and every task-manager replica
  invalidates its cached references from them.
* ``dlhub.control``: TaskControl messages (cancel), keyed by task id; every
  executor and every task-manager replica reads all of them (a group each).
* ``dlhub.executors``: ExecutorAnnouncement messages, keyed by executor id;
  task managers learn from them which servables have pinned executors.
* ``dlhub.tasks.<owner>.<name>``: WorkItem messages of a servable that has
  live pinned executors (``pinned_topic``), keyed by task id; only those
  executors read it, in ``pinned_group``.
"""

TASKS = "dlhub.tasks"
RESULTS = "dlhub.results"
SERVABLE_EVENTS = "dlhub.servables"
CONTROL = "dlhub.control"
EXECUTORS = "dlhub.executors"


def pinned_topic(owner: str, name: str) -> str:
    """The task topic of a servable served by pinned executors."""
    return f"{TASKS}.{owner}.{name}"


def pinned_group(owner: str, name: str) -> str:
    """The consumer group of the executors pinned to one servable."""
    return f"executors.{owner}.{name}"


# Consumer groups that producers create up front (EventBus.ensure_group), so
# that nothing published before their first member joins is missed.
EXECUTORS_GROUP = "executors"
SEARCH_GROUP = "search"
# The task managers' shared group on RESULTS: its committed offsets survive
# restarts, so results published while no task manager runs are recorded later.
RESULTS_GROUP = "taskmanager-results"

# Executors announce themselves on EXECUTORS this often; a task manager counts
# an executor as live for EXECUTOR_LIVE_S after its latest announcement.
EXECUTOR_ANNOUNCE_S = 2.0
EXECUTOR_LIVE_S = 3 * EXECUTOR_ANNOUNCE_S
