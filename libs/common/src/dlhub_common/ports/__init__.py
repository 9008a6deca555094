"""Backend ports: the small abstract classes every backend adapter implements.

Services depend on these classes only. Adapters live in ``dlhub_common.adapters``
(embedded ones) or in their own modules that import the heavy client library.
"""

from dlhub_common.ports.bus import Delivery, EventBus, Subscription
from dlhub_common.ports.documents import DocumentStore
from dlhub_common.ports.objects import Incomplete, ObjectInfo, ObjectStore, StoredObject
from dlhub_common.ports.search_index import SearchIndex, SearchQuery, SearchResult

__all__ = [
    "Delivery",
    "DocumentStore",
    "EventBus",
    "Incomplete",
    "ObjectInfo",
    "ObjectStore",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "StoredObject",
    "Subscription",
]
