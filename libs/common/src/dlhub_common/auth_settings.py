"""Settings of identity (``auth.*``: the provider, Globus Auth, admins;
docs/globus.md, docs/configuration.md)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from dlhub_common.access import GLOBUS_IDENTITY_PREFIX, entry_kind

GROUPS_SCOPE = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GlobusAuthSettings(_Section):
    """Globus Auth as the identity provider (``auth.provider: globus``; docs/globus.md)."""

    client_id: str = Field(
        "", description="DLHub's confidential client (resource server) id at Globus Auth"
    )
    client_secret: SecretStr = Field(
        SecretStr(""), description="That client's secret; never logged"
    )
    required_scope: str = Field(
        "",
        description="The scope a token must grant to be accepted, e.g."
        " https://auth.globus.org/scopes/<client_id>/all",
    )
    groups: bool = Field(
        True,
        description="Read the caller's Globus groups (a dependent token for the Groups API)",
    )
    groups_scope: str = Field(
        GROUPS_SCOPE,
        min_length=1,
        description="The Groups API scope asked for as a dependent token",
    )
    cache_ttl_s: float = Field(
        60.0,
        ge=0,
        le=3600,
        description="How long an accepted token's principal is reused without asking Globus"
        " (never past the token's expiry); 0 turns the cache off. Bounds how long a token"
        " revoked at Globus keeps working",
    )
    cache_size: int = Field(10_000, ge=1, description="Most tokens kept in that cache")
    timeout_s: float = Field(10.0, gt=0, le=120, description="Timeout of one Globus request")
    retries: int = Field(
        1, ge=0, le=5, description="Retries of a Globus request that failed for a passing reason"
    )
    redirect_uri: str = Field(
        "",
        max_length=2048,
        description="Where Globus sends the browser back after signing in (register it with"
        " the client at Globus): https://<this gateway>/api/v1/sign-in/globus/callback;"
        " empty: derived from each request's base URL",
    )
    authorize_params: dict[str, str] = Field(
        default_factory=dict,
        description="Extra query parameters of the browser's authorize URL, e.g."
        " session_required_identities or a test stand-in's login_as; they never replace"
        " the flow's own (client_id, redirect_uri, scope, state, PKCE)",
    )

    @model_validator(mode="after")
    def _well_formed(self) -> GlobusAuthSettings:
        if self.redirect_uri and not self.redirect_uri.startswith(("https://", "http://")):
            raise ValueError(
                "auth.globus.redirect_uri must be an absolute http(s) URL ending in"
                " /api/v1/sign-in/globus/callback"
            )
        if self.client_id:
            try:
                uuid.UUID(self.client_id)
            except ValueError:
                raise ValueError(
                    f"auth.globus.client_id must be a Globus client id (a UUID), got"
                    f" {self.client_id[:60]!r}"
                ) from None
        if any(c.isspace() for c in self.required_scope):
            raise ValueError("auth.globus.required_scope is one scope string, without spaces")
        return self


class AuthSettings(_Section):
    """Who callers are: the identity provider of the gateway."""

    provider: Literal["local", "globus"] = Field(
        "local",
        description="'local' (the accounts file: tokens_file) or 'globus' (Globus Auth)",
    )
    globus: GlobusAuthSettings = Field(default_factory=GlobusAuthSettings)
    admins: list[str] = Field(
        default_factory=list,
        description="Administrators under the globus provider: owner slugs or"
        " urn:globus:auth:identity:<uuid> (local admins are in the accounts file)",
    )

    @model_validator(mode="after")
    def _complete(self) -> AuthSettings:
        normalised = []
        for entry in self.admins:
            text = entry.strip()
            norm = text.lower() if text.lower().startswith("urn:") else text
            if entry_kind(norm) not in ("user", "identity"):
                raise ValueError(
                    f"auth.admins entry {entry[:80]!r} is neither a user name nor"
                    f" {GLOBUS_IDENTITY_PREFIX}<uuid>"
                )
            normalised.append(norm)
        self.admins = normalised
        if self.provider == "globus":
            missing = [
                f"DLHUB_AUTH__GLOBUS__{name.upper()}"
                for name, value in (
                    ("client_id", self.globus.client_id),
                    ("client_secret", self.globus.client_secret.get_secret_value()),
                    ("required_scope", self.globus.required_scope),
                )
                if not value.strip()
            ]
            if missing:
                raise ValueError(
                    f"auth.provider is 'globus' but {', '.join(missing)} is not set"
                    " (docs/globus.md)"
                )
        return self
