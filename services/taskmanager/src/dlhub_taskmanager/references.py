"""Inputs and outputs by reference at the task manager (docs/staging.md).

Every reference of a run is checked here, before anything is stored or
queued, so a run that names a disallowed scheme or host (file://,
169.254.169.254, localhost, a name resolving to loopback) is refused
synchronously with INVALID_ARGUMENT and nothing is fetched. JSON inputs
get their references in normal form (the decode kind read from the
declared type) for the executor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dlhub_common._proto.dlhub.v1 import types_pb2
from dlhub_common.errors import InvalidArgument, clip
from dlhub_common.references import json_references, needs_token, normalize_json, parse
from dlhub_common.staging_settings import StagingSettings
from dlhub_common.url_policy import UrlPolicy
from dlhub_taskmanager.resolver import JSON_TYPES, Resolved


@dataclass
class Referenced:
    """A run's inputs after the reference checks."""

    inputs_json: str
    count: int  # references in the run (0: none; the result cache applies)
    needs_token: bool  # one of them is staged with the caller's token


class ReferenceChecks:
    def __init__(self, settings: StagingSettings) -> None:
        self.settings = settings
        self.policy = UrlPolicy(settings)

    async def check(
        self,
        resolved: Resolved,
        inputs: list[types_pb2.Tensor],
        inputs_json: str,
        outputs_to: str,
    ) -> Referenced:
        """Check every reference and the outputs location.

        Raises:
            InvalidArgument: a malformed or disallowed reference, or an outputs
                location outside ``staging.output_prefixes``.
        """
        urls = [t.ref for t in inputs if t.ref]
        count = len(urls)
        if resolved.servable_type in JSON_TYPES and '"' in inputs_json:
            value, found = normalize_json(resolved.input_spec, json.loads(inputs_json))
            if found:
                count += found
                inputs_json = json.dumps(value, separators=(",", ":"))
                urls += [r["ref"] for r in json_references(value)]
        needy = False
        for url in urls:
            ref = await self.policy.check(parse(url))
            needy = needy or needs_token(ref, self.settings.token_hosts)
        if outputs_to:
            self.check_outputs_to(outputs_to)
        return Referenced(inputs_json, count, needy)

    def check_outputs_to(self, outputs_to: str) -> None:
        prefixes = self.settings.output_prefixes
        if not prefixes:
            raise InvalidArgument(
                "outputs by reference are off on this DLHub (staging.output_prefixes is empty)"
            )
        ref = parse(outputs_to)
        target = f"s3://{ref.host}/{ref.path.strip('/')}".rstrip("/") + "/"
        for prefix in prefixes:
            base = prefix.rstrip("/") + "/"
            if target.startswith(base):
                return
        raise InvalidArgument(
            f"outputs_to {clip(ref.shown)} is not under an allowed location"
            f" (staging.output_prefixes: {prefixes})"
        )
