# The two commands: `make run` and `make test`. Both create the virtualenv if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean browser

# Each step is announced: on a fresh machine the install takes about a minute.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || { echo "Creating the virtualenv in $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing meldingen and its pinned dependencies into $(VENV) (about a minute the first time)"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)
	@echo "Installed"

run: $(STAMP)
	$(BIN)/meldingen run

test: $(STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Chromium for the browser tests (tests/browser): installed from Debian when missing and
# when we are root; otherwise skipped quietly (the tests then skip, or fail under CI=true).
browser:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1 \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		chromium chromium-driver >/dev/null; } \
		|| echo "chromium could not be installed: the browser tests will skip (fail under CI=true)"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/meldingen bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
