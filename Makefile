# Viva: every target sets itself up (venv, CPU torch first, the package) on a fresh Debian machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.viva-installed
SYSTEM_STAMP := $(VENV)/.viva-system

.PHONY: install practice test lint run db bench content-check clean

# System packages: libseccomp for the code sandbox (installed with apt when root).
$(SYSTEM_STAMP):
	@bash scripts/install-system-deps.sh
	@mkdir -p $(VENV) && touch $@

# torch goes first and pinned: the CPU wheel; an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml $(SYSTEM_STAMP)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

db: $(STAMP)
	$(BIN)/python -m bot db upgrade

practice: $(STAMP)
	$(BIN)/python -m bot db upgrade
	$(BIN)/python -m bot practice $(ARGS)

run: $(STAMP)
	$(BIN)/python -m bot run

content-check: $(STAMP)
	$(BIN)/python -m bot content check

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks migrations

# The whole suite: content check, lint, then pytest. Exit code 5 (no test collected) is a failure.
test: $(STAMP)
	$(BIN)/python -m bot content check
	$(BIN)/ruff check bot tests benchmarks migrations
	@$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no test: treating as a failure"; exit 1; fi; exit $$rc

bench: $(STAMP)
	$(BIN)/python benchmarks/grader.py
	$(BIN)/python benchmarks/sandbox.py
	$(BIN)/python benchmarks/discord_load.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
