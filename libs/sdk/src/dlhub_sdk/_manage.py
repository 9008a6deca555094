"""Managing servables: versions and their lifecycle, sharing, the audit log.

:class:`ManageMixin` is part of :class:`dlhub_sdk.client.DLHubClient`; it
only builds requests and reads responses, through the client's ``_call``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.names import Ref, parse_ref
from dlhub_common.records import summary_from_pb
from dlhub_common.views import access_change_fields, audit_entry_fields


def _ref_pb(ref: Ref) -> types_pb2.ServableRef:
    return types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version)


class ManageMixin:
    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        raise NotImplementedError  # DLHubClient._call

    def list_versions(self, name: str) -> list[dict[str, Any]]:
        """Every version of ``owner/name`` you may see, ascending: summaries with
        ``version``, ``state``, ``state_reason``, ``publication_date`` and
        ``latest`` (the version ``owner/name`` alone resolves to)."""
        ref = parse_ref(name)
        resp = self._call(
            "ListVersions", registry_pb2.ListVersionsRequest(owner=ref.owner, name=ref.name)
        )
        return [summary_from_pb(s) for s in resp.versions]

    def _change_state(
        self, method: str, request_type: Any, name: str, reason: str, version: int | str | None
    ) -> dict[str, Any]:
        ref = parse_ref(name, version)
        resp = self._call(method, request_type(ref=_ref_pb(ref), reason=reason))
        return summary_from_pb(resp.servable)

    def deprecate_servable(
        self, name: str, reason: str, version: int | str | None = None
    ) -> dict[str, Any]:
        """Deprecate a version you own or co-own (the latest one not withdrawn by default).

        It still runs, with a warning, but leaves default search. Returns the
        version's summary.
        """
        return self._change_state(
            "DeprecateServable", registry_pb2.DeprecateServableRequest, name, reason, version
        )

    def withdraw_servable(
        self, name: str, reason: str, version: int | str | None = None
    ) -> dict[str, Any]:
        """Withdraw a version you own or co-own (the latest one not withdrawn by default).

        It no longer runs and leaves search and latest resolution; its
        metadata stays describable and its artifacts are kept. Final.
        Returns the version's summary.
        """
        return self._change_state(
            "WithdrawServable", registry_pb2.WithdrawServableRequest, name, reason, version
        )

    def share(
        self,
        name: str,
        *,
        version: int | str | None = None,
        visible_to: Sequence[str] | None = None,
        add_co_owners: Sequence[str] = (),
        remove_co_owners: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Change who may see a servable you own or co-own, and who co-owns it.

        Args:
            name: ``owner/name``; ``owner/name:3`` (or ``version``) changes
                ``visible_to`` of that version only, otherwise of every version.
            visible_to: the new ``visible_to``, replacing the old one
                (``public``, user names, ``group:<name>``, Globus identity and
                group URNs); ``[]``: only the owner and co-owners; None: unchanged.
            add_co_owners: people (user names, Globus identities) who may then
                publish new versions, deprecate, withdraw and change access.
            remove_co_owners: co-owners to remove.

        Returns:
            ``servables`` (the versions as they are now), ``changes`` (per
            version ``visible_to`` and ``co_owners`` before and after) and
            ``audit_id``. The digest does not change.

        Raises:
            InvalidArgument: a malformed entry (named), or nothing to change.
            NotFound: no such servable you may see.
            PermissionDenied: you may see it but neither own nor co-own it.
        """
        ref = parse_ref(name, version)
        resp = self._call(
            "SetAccess",
            registry_pb2.SetAccessRequest(
                ref=_ref_pb(ref),
                visible_to=(
                    registry_pb2.VisibleTo(entries=list(visible_to))
                    if visible_to is not None
                    else None
                ),
                add_co_owners=list(add_co_owners),
                remove_co_owners=list(remove_co_owners),
            ),
        )
        return access_change_fields(resp)

    def audit(
        self,
        *,
        actor: str = "",
        action: str = "",
        target: str = "",
        since: str = "",
        limit: int = 50,
    ) -> list[dict[str, Any]]:
        """Administrators only: audit entries, newest first (at most ``limit``,
        fetched page by page): ``id``, ``at``, ``actor``, ``action``,
        ``target`` and ``details``.

        Raises:
            PermissionDenied: you are not an administrator.
        """
        out: list[dict[str, Any]] = []
        token = ""
        while len(out) < limit:
            resp = self._call(
                "ListAudit",
                registry_pb2.ListAuditRequest(
                    actor=actor,
                    action=action,
                    target=target,
                    since=since,
                    page_size=min(1000, limit - len(out)),
                    page_token=token,
                ),
            )
            out.extend(audit_entry_fields(e) for e in resp.entries)
            token = resp.next_page_token
            if not token:
                break
        return out
