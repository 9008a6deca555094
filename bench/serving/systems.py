"""What the load generator needs to know about one serving system under test."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.serving.procs import Server, group_cpu_s


@dataclass
class System:
    """One server (or mesh) answering the Open Inference Protocol on 127.0.0.1.

    Attributes:
        name: label in tables ("DLHub embedded, batching on", "MLServer 1.7.1"...).
        grpc: host:port of OIP gRPC.
        http: host:port of OIP REST.
        models: model key ("digits", "resnet") -> OIP model name on this system.
        servers: the processes whose CPU time is this system's cost.
        headers: sent with every request (DLHub's bearer token).
        note: how it is configured, for the table.
        extra_pgids: process groups it depends on and is charged for (its Kafka broker).
    """

    name: str
    grpc: str
    http: str
    models: dict[str, str]
    servers: list[Server]
    headers: dict[str, str] = field(default_factory=dict)
    note: str = ""
    extra_pgids: list[int] = field(default_factory=list)  # helpers it needs (Kafka)

    def cpu_s(self) -> float:
        pgids = [pgid for s in self.servers for pgid in s.pgids]
        return group_cpu_s([*pgids, *self.extra_pgids])

    def helper_cpu_s(self) -> float:
        """The part of ``cpu_s`` spent by helpers (the Kafka broker of distributed mode)."""
        return group_cpu_s(self.extra_pgids) if self.extra_pgids else 0.0

    def check_alive(self) -> None:
        for server in self.servers:
            server.check_alive()

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()
