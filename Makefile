# The two commands of the README.  Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := .make
export DVC_NO_ANALYTICS := 1
export MPLBACKEND := Agg

.PHONY: reproduce test clean browser lab strip

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(STAMP)/install: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@# notebooks are stored without outputs: git strips them on commit (filter named in .gitattributes)
	@if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/nbstripout --install --attributes .gitattributes; fi
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/install-test: $(STAMP)/install
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@mkdir -p $(STAMP) && touch $@

reproduce: $(STAMP)/install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dvc repro
	@echo
	@echo "Reports: $(CURDIR)/reports/_site/index.html"

# Headless Chromium + chromedriver (Debian packages) for tests/test_browser.py; idempotent.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver; \
	fi

# JupyterLab on the notebooks, with the project's environment as the "python3" kernel.
lab: $(STAMP)/install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab notebooks/

# Remove outputs and execution counts from the notebooks (the commit filter does it too).
strip: $(STAMP)/install
	$(BIN)/nbstripout notebooks/*.ipynb

test: $(STAMP)/install-test browser
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(STAMP)
