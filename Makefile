# mapapp — the two commands of the README:
#   make run    install into .venv, create the embedded SQLite store with the district data
#               (and demo data when it is empty), start the app on http://localhost:8501
#   make test   install what the tests need (tools/system-deps.sh: apt packages, PostgreSQL up;
#               tools/test-setup: test-side set-up) and run the whole suite (PostGIS required)
# Other targets: make lint, make bench, make clean.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench install clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "mapapp needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run:
	tools/system-deps.sh run
	$(MAKE) --no-print-directory install
	$(BIN)/mapapp init
	$(BIN)/mapapp demo --if-empty
	@echo ""
	@echo "  Öppna / open http://localhost:$(PORT) — demokonton / demo accounts:"
	@echo "  admin, polis, samordnare, lasare, vandrare — lösenord / password: demo-losen-2023"
	@echo ""
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT)

# System packages first (a fresh machine may even lack python3-venv), then the venv.
test:  # the suite on both cores (pytest-xdist): about twice as fast as one process
	tools/system-deps.sh
	$(MAKE) --no-print-directory install
	tools/test-setup
	MAPAPP_REQUIRE_POSTGIS=1 $(BIN)/python -m pytest -q -p no:cacheprovider -n 2

lint: $(STAMP)
	$(BIN)/ruff check mapapp layers tests benchmarks tools streamlit_app.py
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) var test-artifacts static/vendor tests/js/node_modules
