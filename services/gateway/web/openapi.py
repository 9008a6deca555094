"""Print the gateway's OpenAPI document (the web client's types are generated from it).

    make web   # runs it: python services/gateway/web/openapi.py > src/api/openapi.json

The document depends only on the routes, so the context's services are left out.
"""

from __future__ import annotations

import sys
from typing import Any, cast

from dlhub_gateway.http.app import create_app, openapi_json
from dlhub_gateway.http.context import GatewayContext


def main() -> None:
    none = cast(Any, None)
    context = GatewayContext(
        registry=none,
        search=none,
        tasks=none,
        oip=none,
        auth=none,
        max_message_bytes=1,
        max_artifact_bytes=1,
        default_timeout_s=1.0,
    )
    sys.stdout.write(openapi_json(create_app(context)) + "\n")


if __name__ == "__main__":
    main()
