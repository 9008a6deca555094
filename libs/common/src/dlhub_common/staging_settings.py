"""Settings of inputs and outputs by reference (``staging.*``; docs/staging.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

MiB = 1 << 20
SCHEMES = ("s3", "https", "http", "globus")


class StagingS3Settings(BaseModel):
    """The S3 service s3:// references are read from (and outputs written to)."""

    model_config = ConfigDict(extra="forbid")

    endpoint_url: str | None = Field(
        None,
        description="Non-AWS endpoint, e.g. http://127.0.0.1:8333; default: the object"
        " store's when it is S3, else AWS",
    )
    region: str = Field("us-east-1", description="Region of the buckets")
    access_key_id: SecretStr | None = Field(
        None, description="Access key; default: the object store's, else the AWS chain"
    )
    secret_access_key: SecretStr | None = Field(None, description="Its secret; never logged")


class StagingSettings(BaseModel):
    """Inputs given by reference (staged by the executor) and outputs written by reference."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Accept inputs by reference at all")
    schemes: list[str] = Field(
        default_factory=lambda: list(SCHEMES),
        description="URL schemes a reference may use (of s3, https, http, globus)",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts http(s) references may name (exact names, *.suffix, or CIDRs);"
        " empty: any host with a public address",
    )
    private_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts that may be loopback, private or link-local (refused otherwise):"
        " exact names or IP literals (matching the URL's host as written), or CIDRs"
        " such as 10.0.0.0/8 (matching the resolved addresses)",
    )
    token_hosts: list[str] = Field(
        default_factory=list,
        description="https hosts (exact names or *.suffix) that get the caller's token;"
        " globus:// references always do, other hosts never",
    )
    s3_buckets: list[str] = Field(
        default_factory=list, description="Buckets s3:// references may name; empty: any"
    )
    output_prefixes: list[str] = Field(
        default_factory=list,
        description="s3://bucket/prefix locations a run may write its outputs under;"
        " empty: outputs by reference are off",
    )
    max_input_bytes: int = Field(256 * MiB, ge=1, description="Largest staged input")
    max_task_bytes: int = Field(1024 * MiB, ge=1, description="Staged bytes of one task, in all")
    timeout_s: float = Field(60.0, gt=0, le=3600, description="Longest one download may take")
    max_redirects: int = Field(5, ge=0, le=20, description="Redirects followed (each checked)")
    cache_bytes: int = Field(
        2048 * MiB, ge=0, description="Staging cache bound (least recently used go first)"
    )
    s3: StagingS3Settings = Field(default_factory=StagingS3Settings)

    @field_validator("schemes")
    @classmethod
    def _known_schemes(cls, value: list[str]) -> list[str]:
        unknown = sorted({s.lower() for s in value} - set(SCHEMES))
        if unknown:
            raise ValueError(f"staging.schemes: unknown {unknown}; known: {list(SCHEMES)}")
        return [s.lower() for s in value]

    @field_validator("output_prefixes")
    @classmethod
    def _s3_prefixes(cls, value: list[str]) -> list[str]:
        for entry in value:
            if not entry.startswith("s3://") or len(entry) <= 5:
                raise ValueError(f"staging.output_prefixes: {entry!r} is not s3://bucket/prefix")
        return value
