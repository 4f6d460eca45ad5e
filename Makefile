# The two commands: `make demo` and `make test`. Everything else is what they build on.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# PostgreSQL for the second test pass; CI sets CIVICGRAPH_REQUIRE_POSTGRES=1 so that an
# unreachable server fails the run instead of quietly testing SQLite only.
POSTGRES_URL ?= $(or $(CIVICGRAPH_DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)
PYTEST_ARGS ?=
# Debian's packages the admin page's test needs (tests/schema/admin/test_admin_page.py): a
# headless Chromium, and a CJK font so that its screenshot shows the Chinese names.
SYSTEM_PACKAGES := chromium fonts-wqy-zenhei

.PHONY: install demo serve test test-sqlite test-postgres lint system-packages schema schema-release graphiql clean
# `make -j test` still lints first and runs the two passes one after the other.
.NOTPARALLEL:

$(STAMP): pyproject.toml
	@echo "== virtual environment $(VENV)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "== civicgraph and its test tools (pip: about a minute and a half on a fresh machine)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -e '.[test]'
	touch $(STAMP)
	@echo "== installed"

install: $(STAMP)

# Migrate the embedded SQLite database, load both cities' demo data, serve on :8000.
demo: $(STAMP)
	CIVICGRAPH_DATABASE_URL= $(BIN)/civicgraph migrate
	CIVICGRAPH_DATABASE_URL= $(BIN)/civicgraph demo-data
	CIVICGRAPH_DATABASE_URL= $(BIN)/civicgraph serve

# Everything CI runs (.ci/run starts PostgreSQL, then calls this).
test: lint system-packages test-sqlite test-postgres

test-sqlite: $(STAMP)
	CIVICGRAPH_DATABASE_URL= $(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-postgres: $(STAMP)
	@if $(BIN)/python -m tests.postgres_probe "$(POSTGRES_URL)"; then \
		CIVICGRAPH_DATABASE_URL="$(POSTGRES_URL)" $(BIN)/python -m pytest -q $(PYTEST_ARGS); \
	elif [ -n "$$CIVICGRAPH_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL at $(POSTGRES_URL) is required (CIVICGRAPH_REQUIRE_POSTGRES) but unreachable"; exit 1; \
	else \
		echo "PostgreSQL at $(POSTGRES_URL) unreachable: skipped the PostgreSQL pass"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Installs what is missing with apt-get as root; otherwise stops and prints the command.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	fc-list 2>/dev/null | grep -qi wqy || missing="$$missing fonts-wqy-zenhei"; \
	missing=$$(echo $$missing); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
		echo "missing for the admin page's test: $$missing. Install with (Debian):"; \
		echo "  sudo sh -c 'apt-get update && apt-get install -y $$missing'"; \
		exit 1; \
	fi; \
	echo "== installing $$missing (apt-get)"; \
	if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then apt-get update; fi; \
	apt-get install -y $$missing || { apt-get update && apt-get install -y $$missing; }

# Every committed SDL (the core and each city's); `schema-release` makes them the released ones
# that the breaking-change check compares against (docs/api.md, "The SDL files").
schema: $(STAMP)
	$(BIN)/civicgraph schema write

schema-release: $(STAMP)
	$(BIN)/civicgraph schema release

# GraphiQL's bundle, committed in schema/http/graphiql/assets (serving it needs no Node): rebuilt
# from the versions pinned in schema/http/graphiql/src/package-lock.json. Needs Node.js and npm.
GRAPHIQL_SRC := schema/http/graphiql/src
graphiql:
	cd $(GRAPHIQL_SRC) && npm ci --ignore-scripts --no-audit --no-fund && node build.mjs

clean:
	rm -rf $(VENV) var/*.sqlite3*
