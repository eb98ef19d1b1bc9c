# Marelle task runner. The two commands a new user needs:
#   make run    installs what is needed and runs Marelle on the embedded default
#   make test   installs what is needed and runs the checks and the tests
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PYTEST_WORKERS ?= 2
AXE_VERSION := 4.11.0
AXE := var/cache/axe/node_modules/axe-core/axe.min.js

.PHONY: run test install lint typecheck compose-check pytest axe bench servers-up servers-down distributed-up distributed-down migration

$(UV):
	@echo "uv absent : installation depuis PyPI (pip --user)"
	python3 -m pip install --user --quiet uv || python3 -m pip install --user --quiet --break-system-packages uv

install: | $(UV)
	$(UV) sync --frozen

run: install
	$(UV) run python -m marelle_embedded

test: install lint typecheck compose-check pytest

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run python -m marelle_testkit.lint

typecheck:
	$(UV) run mypy services/kit/src services/contracts/src services/testkit/src \
		auth-service/src family-service/src booking-service/src billing-service/src \
		mailing-service/src gateway/src deploy/embedded/src

compose-check:
	$(UV) run check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

pytest: axe
	$(UV) run pytest -n $(PYTEST_WORKERS) --dist loadfile

# axe-core for the accessibility browser test, from the npm registry, cached in var/cache/axe.
axe: $(AXE)

$(AXE):
	@command -v npm >/dev/null || { echo "npm absent : apt-get install npm"; exit 1; }
	npm install --no-save --no-audit --no-fund --prefix var/cache/axe axe-core@$(AXE_VERSION)

bench: install
	$(UV) run python tests/benchmarks/run.py

servers-up:
	bash deploy/local/servers.sh up

servers-down:
	bash deploy/local/servers.sh down

distributed-up: install
	bash deploy/distributed/start.sh

distributed-down:
	bash deploy/distributed/stop.sh

# make migration service=family m="add children"
migration: install
	$(UV) run python -m marelle_$(service) revision -m "$(m)"
