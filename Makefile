# antt — two commands do all the setup: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CYCLE  ?=

.DEFAULT_GOAL := help
.PHONY: help setup report test lab bench clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'
	@echo "  (make report CYCLE=2022 re-runs an older cycle)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@# notebook outputs never reach a commit: git runs nbstripout on every .ipynb it stages
	@if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/nbstripout --install; fi
	@touch $(STAMP)

setup: $(STAMP) ## create or update .venv from requirements.txt

report: setup ## ingest, validate, run the notebooks, write charts, deck and workbook to reports/<cycle>/
	$(BIN)/antt report $(if $(CYCLE),--cycle $(CYCLE))

test: setup ## the whole suite: the package's layers, unit, integration, then the notebooks on the ingested sample
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -p no:cacheprovider tests
	$(BIN)/antt ingest
	$(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env notebooks

lab: setup ## JupyterLab on notebooks/ with the project's kernel
	$(BIN)/python -m ipykernel install --sys-prefix --name antt --display-name "antt (Python)" >/dev/null
	$(BIN)/jupyter lab --notebook-dir=notebooks

bench: setup ## speed and memory at three scales (writes a table; see README)
	$(BIN)/python -m antt.bench

clean: ## remove generated data and reports (never data/raw)
	rm -rf data/processed/*/ reports/*/
