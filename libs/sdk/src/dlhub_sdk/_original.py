"""The original DLHub SDK's ``DLHubClient`` names that the rest of the client does not
already have: ``list_servables``, ``describe_methods``, the ``search_by_*`` helpers,
``query`` (a query builder), ``run_serial``, ``get_username`` and ``logout``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dlhub_common.errors import InvalidArgument, NotFound
from dlhub_sdk._discover import ADVANCED_FIELDS, ORIGINAL_TYPES


class SearchHelper:
    """A query built step by step, as the original SDK's ``client.query``, e.g.
    ``client.query.match_term('servable.type', '"Keras Model"')``
    ``.match_domains('chemistry').search()``.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._text: list[str] = []
        self._filters: dict[str, list[str]] = {}
        self._all_authors: list[str] = []

    def match_term(self, field: str, value: str) -> SearchHelper:
        """Require ``field`` (an original metadata path such as ``dlhub.domains``, or a
        filter name) to equal ``value`` (quotes around it are dropped)."""
        name = ADVANCED_FIELDS.get(field)
        if name is None:
            raise InvalidArgument(
                f"cannot search on {field!r}; fields: {', '.join(sorted(ADVANCED_FIELDS))}",
                details={"field": field},
            )
        value = value.strip().strip('"')
        if name == "servable_type":
            value = ORIGINAL_TYPES.get(value.lower(), value.lower())
        self._filters.setdefault(name, []).append(value)
        return self

    match_field = match_term

    def match_domains(self, domains: str | Sequence[str]) -> SearchHelper:
        for domain in [domains] if isinstance(domains, str) else domains:
            self.match_term("domains", domain)
        return self

    def match_owner(self, owner: str) -> SearchHelper:
        return self.match_term("owner", owner)

    def match_servable(
        self,
        servable_name: str | None = None,
        owner: str | None = None,
        publication_date: int | None = None,
    ) -> SearchHelper:
        if servable_name:
            self.match_term("name", servable_name)
        if owner:
            self.match_term("owner", owner)
        if publication_date is not None:  # the original's version
            self._filters.setdefault("_version", []).append(str(publication_date))
        return self

    def match_authors(self, authors: str | Sequence[str], match_all: bool = True) -> SearchHelper:
        names = [authors] if isinstance(authors, str) else list(authors)
        for name in names:
            self.match_term("authors", name)
        if match_all:
            self._all_authors.extend(names)
        return self

    def match_keywords(self, text: str) -> SearchHelper:
        self._text.append(text)
        return self

    def search(
        self,
        q: str | None = None,
        advanced: bool = False,
        limit: int | None = None,
        info: bool = False,
        only_latest: bool = True,
    ) -> Any:
        """Run the query (plus free text ``q``); ``info``: also a dict with the match count."""
        filters = {k: v for k, v in self._filters.items() if not k.startswith("_")}
        versions = {int(v) for v in self._filters.get("_version", [])}
        text = " ".join([*self._text, *([q] if q else [])])
        hits: list[dict[str, Any]] = self._client.search(
            text,
            advanced,
            None if versions or self._all_authors else limit,
            only_latest and not versions,
            **filters,
        )
        if versions:
            hits = [h for h in hits if int(h["version"]) in versions]
        if self._all_authors:  # a filter matches any of its values; all were asked for
            hits = [h for h in hits if set(self._all_authors) <= set(h["authors"])]
        hits = hits if limit is None else hits[:limit]
        return (hits, {"total_query_matches": len(hits)}) if info else hits


class OriginalNamesMixin:
    def search(self, query: str = "", *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        raise NotImplementedError  # DiscoverMixin.search

    def whoami(self) -> dict[str, Any]:
        raise NotImplementedError  # DLHubClient.whoami

    def run(self, name: str, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError  # DLHubClient.run

    def get_servables(self, owner: str | None = None, all_versions: bool = False) -> Any:
        raise NotImplementedError  # DiscoverMixin.get_servables

    def describe_servable(self, name: str, version: Any = None, layout: str = "dlhub") -> Any:
        raise NotImplementedError  # DiscoverMixin.describe_servable

    @property
    def query(self) -> SearchHelper:
        """A blank query to build (:class:`SearchHelper`)."""
        return SearchHelper(self)

    def list_servables(self) -> list[str]:
        """``owner/name`` of every servable you may see (latest versions)."""
        return [f"{s['owner']}/{s['name']}" for s in self.get_servables()]

    def describe_methods(self, name: str, method: str | None = None) -> dict[str, Any]:
        """The servable's methods (``{"run": {"input": ..., "output": ...}}``), or one of
        them when ``method`` is given.

        Raises:
            NotFound: no such method (the message lists the servable's methods).
        """
        methods: dict[str, Any] = self.describe_servable(name)["servable"]["methods"]
        if method is None:
            return methods
        if method not in methods:
            raise NotFound(
                f"{name} has no method {method!r}; its methods: {', '.join(sorted(methods))}",
                details={"method": method, "methods": sorted(methods)},
            )
        found: dict[str, Any] = methods[method]
        return found

    def search_by_servable(
        self,
        servable_name: str | None = None,
        owner: str | None = None,
        version: int | None = None,
        only_latest: bool = True,
        limit: int | None = None,
        get_info: bool = False,
    ) -> Any:
        """Servables by name, owner and/or version (at least one of them)."""
        if not servable_name and not owner and not version:
            raise InvalidArgument("give servable_name, owner or version")
        query = self.query.match_servable(servable_name, owner, version)
        return query.search(limit=limit, info=get_info, only_latest=only_latest)

    def search_by_authors(
        self,
        authors: str | Sequence[str],
        match_all: bool = True,
        limit: int | None = None,
        only_latest: bool = True,
    ) -> list[dict[str, Any]]:
        """Servables by their authors ("Family, Given"); ``match_all``: every one of them."""
        found: list[dict[str, Any]] = self.query.match_authors(authors, match_all).search(
            limit=limit, only_latest=only_latest
        )
        return found

    def search_by_related_doi(
        self, doi: str, limit: int | None = None, only_latest: bool = True
    ) -> list[dict[str, Any]]:
        """Servables whose metadata names ``doi`` as a related identifier (or as their DOI).

        Related identifiers are not indexed: this reads each candidate's metadata.
        """
        want = doi.lower().removeprefix("https://doi.org/").removeprefix("doi:")
        out = []
        for hit in self.search("", limit=None, only_latest=only_latest):
            related = self.describe_servable(f"{hit['owner']}/{hit['name']}", hit["version"])
            dois = {
                str(r.get("relatedIdentifier", "")).lower()
                for r in related["datacite"].get("relatedIdentifiers", [])
            } | {hit.get("doi", "").lower()}
            if want in dois:
                out.append(hit)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def run_serial(self, servables: Sequence[str], inputs: Any, async_wait: float = 5) -> Any:
        """Run each servable on the previous one's output (the first on ``inputs``).

        A tensor servable's single output is passed on as is; several go on by name.
        ``async_wait`` is accepted for the original's signature (results are awaited,
        not polled).
        """
        if isinstance(servables, str) or not isinstance(servables, Sequence):
            raise InvalidArgument("run_serial takes a list of servable names")
        data = inputs
        for name in servables:
            data = self.run(name, data)
            if isinstance(data, dict) and len(data) == 1:
                (only,) = data.values()
                if isinstance(only, np.ndarray):
                    data = only
        return data

    def get_username(self) -> str | None:
        """The user name the gateway sees for this client's token (None: anonymous)."""
        name: str | None = self.whoami()["username"]
        return name

    def logout(self, force: bool = False) -> None:
        """Forget the saved login (``dlhub login``), revoking a Globus login at Globus;
        ``force``: remove it even when Globus cannot revoke it."""
        from dlhub_sdk.config import forget_login

        forget_login(force)
