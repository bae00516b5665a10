# One-command entry points (see README). Everything installs from the package registries at the
# pinned versions of pyproject.toml and package-lock.json.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup map sample wheel test browser postgis qgis lint bench clean docs

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs,distributed]'
	touch $@

# Leaflet and other web assets: pinned npm packages, inlined into maps at write time.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Headless Chromium for the browser tests, and LibreOffice Calc (no GUI, ~1.5 min to install) that
# opens the sample workbook in tests/test_hostile.py (Debian packages).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver; }
	@command -v soffice >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui; }

# PostgreSQL and PostGIS (Debian packages; `postgresql-postgis` follows the default PostgreSQL
# version) for tests/test_postgis.py, which starts its own server on a free local port in a
# temporary folder and stops it after (tests/postgis_server.py); nothing listens between runs.
postgis:
	@ls /usr/lib/postgresql/*/bin/initdb /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends postgresql postgresql-postgis; }

# QGIS (Debian python3-qgis, no GUI) that opens the exported GeoPackage headless and renders each
# layer with its stored default style (tests/test_export_gpkg.py). Measured on bookworm: 169
# packages, 202 MB of archives, 962 MB on disk, 3 min 41 s on a loaded 2-core machine.
# `make test QGIS=0` skips it (the test then skips).
QGIS ?= 1
qgis:
ifeq ($(QGIS),1)
	@/usr/bin/python3 -c "import qgis.core" 2>/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends python3-qgis; }
endif

map: setup
	$(BIN)/ntmgis map --out out/tan_yen_map.html

# Regenerate the packaged sample (ntmgis/datasets/tan_yen/); refuses to overwrite edited files.
sample: setup
	$(BIN)/ntmgis sample

# A wheel that carries the sample and Leaflet (copied from node_modules by setup.py's build_py).
wheel: setup
	$(BIN)/python -m pip wheel . --no-deps -w dist

# The user guide (Vietnamese and English) into site/, offline; --strict: a broken link fails.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# The docstring examples run too: pyproject.toml sets --doctest-modules and testpaths tests + ntmgis.
test: lint browser postgis qgis docs
	$(BIN)/python -m pytest -q

# The tree is ruff-formatted; `make lint FORMAT_CHECK=0` skips the format check while editing.
FORMAT_CHECK ?= 1
lint: setup
	$(BIN)/ruff check ntmgis tests benchmarks tools conftest.py
ifeq ($(FORMAT_CHECK),1)
	$(BIN)/ruff format --check ntmgis tests benchmarks tools conftest.py
endif
	$(BIN)/lint-imports
	$(BIN)/mypy

# Benchmarks print medians and the ratio against a named baseline measured in the same run.
bench: setup
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_concretization.py --national
	$(BIN)/python benchmarks/bench_reach.py
	$(BIN)/python benchmarks/bench_validation.py

clean:
	rm -rf out tests/artifacts .pytest_cache site
