# The two commands: `make demo` and `make test`. Everything else is what they build on.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# PostgreSQL for the second test pass; CI sets CIVICGRAPH_REQUIRE_POSTGRES=1 so that an
# unreachable server fails the run instead of quietly testing SQLite only.
POSTGRES_URL ?= $(or $(CIVICGRAPH_DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)
PYTEST_ARGS ?=

.PHONY: install demo serve test test-sqlite test-postgres lint schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Migrate the embedded SQLite database, load both cities' demo data, serve on :8000.
demo: $(STAMP)
	CIVICGRAPH_DATABASE_URL= $(BIN)/civicgraph migrate
	CIVICGRAPH_DATABASE_URL= $(BIN)/civicgraph demo-data
	CIVICGRAPH_DATABASE_URL= $(BIN)/civicgraph serve

test: test-sqlite test-postgres

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
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

schema: $(STAMP)
	$(BIN)/python -c "from schema.api.build import core_schema; open('schema/schema.graphql', 'w').write(core_schema().as_str() + chr(10))"

clean:
	rm -rf $(VENV) var/*.sqlite3*
