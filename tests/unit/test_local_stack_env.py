"""`make stack-env` output survives a shell: sourced, every service's settings still load."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from deploy.local.stack import env_lines

# What deploy/local's engines export, with the values that a shell would mangle.
STACK_ENV = {
    "DLHUB_BUS__TYPE": "kafka",
    "DLHUB_BUS__BOOTSTRAP_SERVERS": "127.0.0.1:40001",
    "DLHUB_DOCUMENTS__TYPE": "mongo",
    "DLHUB_DOCUMENTS__URL": "mongodb://127.0.0.1:40002/?directConnection=true&w=1",
    "DLHUB_SEARCH__TYPE": "opensearch",
    "DLHUB_SEARCH__HOSTS": json.dumps(["http://127.0.0.1:40003", "http://127.0.0.1:40004"]),
    "DLHUB_OBJECTS__TYPE": "s3",
    "DLHUB_OBJECTS__BUCKET": "dlhub",
    "DLHUB_OBJECTS__SECRET_ACCESS_KEY": 'it\'s $ecret `x` "y"',
}

READ_BACK = (
    "import json, os; from dlhub_common.settings import Settings; s = Settings();"
    "print(json.dumps({'hosts': s.search.hosts, 'type': s.search.type,"
    " 'env': {k: v for k, v in os.environ.items() if k.startswith('DLHUB_')}}))"
)


def test_sourced_stack_env_keeps_every_value_and_settings_load(tmp_path: Path) -> None:
    env_file = tmp_path / "stack.env"
    env_file.write_text(env_lines(STACK_ENV))
    script = f'set -a; . "{env_file}"; set +a; exec "{sys.executable}" -c "$READ_BACK"'
    result = subprocess.run(
        ["bash", "-c", script],
        env={"READ_BACK": READ_BACK, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["env"] == STACK_ENV
    assert loaded["type"] == "opensearch"
    assert loaded["hosts"] == ["http://127.0.0.1:40003", "http://127.0.0.1:40004"]
