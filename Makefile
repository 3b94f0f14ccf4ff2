# jiceng: two commands — `make run` (demo county on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed
VENDOR := src/jiceng/static/vendor
export DJANGO_SETTINGS_MODULE := jiceng.settings

.PHONY: run test test-unit test-e2e install assets lint fmt typecheck demo bench clean messages

# Type-checked: core, and every app's services, selectors and queries (the layers others build on).
MYPY_FILES = src/jiceng/core $(filter-out src/jiceng/core/%,$(wildcard src/jiceng/*/services.py src/jiceng/*/selectors.py src/jiceng/*/queries.py))

run: install assets
	@mkdir -p var
	$(BIN)/jiceng manage migrate --noinput -v 0
	$(BIN)/jiceng demo --if-empty
	PORT=$(PORT) $(BIN)/jiceng serve

test: install assets
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(MYPY_FILES)
	$(BIN)/jiceng manage makemigrations --check --dry-run -v 0
	# the unit tests on both cores (each worker its own test database); the browser journeys after,
	# one at a time: each starts a server with its own workers
	$(BIN)/python -m pytest -q -m "not e2e" -n 2 --dist worksteal
	$(BIN)/python -m pytest -q -m e2e

test-unit: install assets
	$(BIN)/python -m pytest -q -m "not e2e"

test-e2e: install assets
	$(BIN)/python -m pytest -q -m e2e

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# ECharts and htmx come from the npm registry at build time and are served by us: government
# intranets are offline, so nothing is fetched from a CDN at run time.
assets: $(VENDOR)/echarts.min.js $(VENDOR)/htmx.min.js

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/%.js: node_modules/.package-lock.json
	@mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/

messages: install
	cd src/jiceng && ../../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete && ../../$(BIN)/django-admin compilemessages -l zh_Hans

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy $(MYPY_FILES)

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: install
	@mkdir -p var
	$(BIN)/jiceng demo

clean:
	rm -rf var/jiceng.sqlite3* var/static

# Benchmarks print numbers; they never fail on timing. SCALE=village|county|city|province.
SCALE ?= village
bench: install assets
	$(BIN)/python bench/run.py --scale $(SCALE)
