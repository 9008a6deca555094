# DLHub developer entry points. `make run` and `make test` are the two
# commands a newcomer needs; everything else is a building block.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
PY := $(UV) run --frozen python

.PHONY: install protos protos-check lint buf-lint test test-unit run up clean

install:  ## create .venv with every package and tool (installs uv when missing)
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || python3 -m pip install --user --quiet uv
	$(UV) sync --frozen

protos: install  ## regenerate the gRPC stubs from protos/
	$(PY) protos/generate.py

protos-check: protos  ## fail when the committed stubs are out of date
	git diff --exit-code -- libs/common/src/dlhub_common/_proto

buf-lint:  ## lint the .proto files with buf (from the npm registry)
	cd protos && npx --yes @bufbuild/buf@1.47.2 lint

lint: install buf-lint  ## ruff + mypy strict on libs + buf
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy libs/common/src libs/sdk/src

test: install  ## lint, then the whole test suite
	$(MAKE) lint
	$(UV) run --frozen pytest

test-unit: install
	$(UV) run --frozen pytest tests/unit tests/contract

run: install  ## the mesh on the embedded default, with the digits example published
	$(UV) run --frozen dlhub up --example digits

clean:
	rm -rf .dlhub .pytest_cache .mypy_cache .ruff_cache
