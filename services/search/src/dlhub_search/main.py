"""Assembling the search service."""

from __future__ import annotations

from dlhub_common._proto.dlhub.v1 import search_pb2_grpc
from dlhub_common.rpc.server import GrpcServer
from dlhub_common.runtime import Backends
from dlhub_search.api import SearchAPI
from dlhub_search.core import Search
from dlhub_search.servicer import SearchServicer

SERVICE_NAME = "dlhub.v1.SearchService"


async def create(backends: Backends) -> tuple[SearchAPI, Search]:
    core = Search(await backends.search_index(), await backends.bus())
    await core.start()
    return SearchAPI(core), core


def register(server: GrpcServer, api: SearchAPI) -> None:
    server.add(
        search_pb2_grpc.add_SearchServiceServicer_to_server, SearchServicer(api), SERVICE_NAME
    )
