# Rebuild the analysis from data/raw to reports/<stage>/. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := report
MAKEFLAGS += --no-builtin-rules --no-print-directory

# The one Python the pinned packages are locked for (pyproject's requires-python says the same).
PYTHON_NEEDED := 3.11
PYTHON ?= $(firstword $(shell command -v python$(PYTHON_NEEDED) 2>/dev/null) python3)
VENV ?= .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
# The Jupyter kernel `make lab` registers for this project (other front ends find it by this name).
KERNEL_NAME ?= $(notdir $(CURDIR))
KERNEL_LABEL ?= Python $(PYTHON_NEEDED) ($(KERNEL_NAME) .venv)
STAGE ?= draft
# OUT: where generated files go (data/processed, reports, .build); `make verify` uses a scratch folder.
OUT ?= .
OUT_ABS := $(abspath $(OUT))
export ANALYSIS_OUTPUT_ROOT := $(OUT_ABS)
# Documents take their dates from the last commit, so the same commit gives the same files.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1764288000)
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# AS_OF=yyyy-mm-dd overrides the as-of date of config/corridor.yaml for the rules shown.
AS_OF ?=
export AS_OF

# Inputs are read from this folder, never from the copy the package was installed from.
export ANALYSIS_PROJECT_ROOT := $(CURDIR)
STAMPS := $(OUT_ABS)/.build/$(STAGE)
REPORT_DIR := $(OUT_ABS)/reports/$(STAGE)
DEPS_MK := $(STAMPS)/deps.mk
# Notebooks depend on the configuration keys they read (a fingerprint per notebook in the rules), not
# on the whole file; the report's title page reads the rest.
COMMON_INPUTS := requirements.lock
ANALYSIS := $(PY) -m analysis
# JOBS=n: notebooks at a time (default: every core of the machine).
JOBS ?=
BUILD = $(ANALYSIS) build --stage $(STAGE) $(if $(JOBS),--jobs $(JOBS))
# The as-of date of this build (AS_OF=… or the configuration): a change reruns the notebooks that use it.
AS_OF_STAMP := $(STAMPS)/as_of
$(shell mkdir -p $(STAMPS) && { echo '$(AS_OF)' | cmp -s - $(AS_OF_STAMP) 2>/dev/null || echo '$(AS_OF)' > $(AS_OF_STAMP); })
# A folder input stands for every file in it, so adding a file reruns the notebook.
inputs_of = $(if $(wildcard $(1)/.),$(shell find $(1) -type f -not -name '.*' | sort),$(wildcard $(1)))
NOTEBOOKS :=

ifeq ($(filter help clean venv lock reliability,$(MAKECMDGOALS)),)
include $(DEPS_MK)
endif

.PHONY: report html watch final notebooks verify test test-fast lint lab templates example-data feedback bench clean help venv lock check reliability

report: $(STAMPS)/report.done ## Build the draft analysis: reports/draft/analysis.{html,docx,pdf} (creates .venv first)

html: $(STAMPS)/html.done ## Build only the HTML (quick looks: no Word or PDF)

watch: | $(VENV_STAMP) ## Rebuild the HTML on every save of an input, the config or a notebook; serve it with live reload
	@$(ANALYSIS) watch --stage $(STAGE) $(if $(JOBS),--jobs $(JOBS)) $(if $(PORT),--port $(PORT))

final: | $(VENV_STAMP) ## Build the final analysis after the feedback gate (every comment answered, every finding validated)
	@$(ANALYSIS) final-gate
	@$(MAKE) report STAGE=final

notebooks: $(STAMPS)/notebooks.done ## Execute the notebooks whose inputs changed (no documents)

# Make only asks whether anything a notebook or the report depends on changed since the last build (so a
# no-op build costs make's own time); `analysis build` then decides which notebooks rerun, runs them in
# parallel in warm kernels, then writes the HTML and, for the report, the DOCX and PDF from it.
# The build checks the inputs when a raw input, the configuration or the code changed since it last ran
# (`--check`: `make check --brief`, beside the warm kernels' start and the first notebooks): no notebook
# counts as built before the check has passed, and a failed check stops the build.
SOURCES := $(shell find src/analysis -name '*.py')
CHECK_INPUTS := $(call inputs_of,data/raw) config/corridor.yaml $(SOURCES)
NOTEBOOK_INPUTS := $(CHECK_INPUTS) $(addprefix $(STAMPS)/,$(addsuffix .done,$(NOTEBOOKS))) $(sort $(NOTEBOOK_PREREQS)) \
	notebooks/. $(wildcard notebooks/*.ipynb) $(AS_OF_STAMP) $(COMMON_INPUTS)
REPORT_INPUTS := $(NOTEBOOK_INPUTS) $(wildcard references/*) $(shell find src/analysis/engine -type f -not -name "*.pyc") \
	data/raw/provenance.yaml
# `$?`: the prerequisites newer than the target's stamp (all of them when there is none).
CHECKED_BUILD = $(BUILD) $(1) $(if $(filter $(CHECK_INPUTS),$?),--check)

$(STAMPS)/notebooks.done: $(NOTEBOOK_INPUTS) | $(VENV_STAMP)
	@$(call CHECKED_BUILD,notebooks)
	@touch $@

$(STAMPS)/html.done: $(REPORT_INPUTS) | $(VENV_STAMP)
	@$(call CHECKED_BUILD,html)
	@touch $(STAMPS)/notebooks.done $@

$(STAMPS)/report.done: $(REPORT_INPUTS) | $(VENV_STAMP)
	@$(call CHECKED_BUILD,report)
	@touch $(STAMPS)/notebooks.done $(STAMPS)/html.done $@

# A missing fingerprint (a new notebook) only means "run the build", which writes it.
$(STAMPS)/config/%.digest: ;

check: | $(VENV_STAMP) ## Check every raw input and the configuration in one pass, in seconds, without running a notebook
	@$(ANALYSIS) check

# Written here when missing or when this Makefile changed (the rules' format); every build rewrites it.
# Before the first build nothing is built, so there is nothing to compare: an empty file lets make go on at
# once (the rules matter from the second build on, and the first build writes them).
$(DEPS_MK): Makefile | $(VENV_STAMP)
	@if ls $(STAMPS)/*.done >/dev/null 2>&1; then $(ANALYSIS) deps --stage $(STAGE) --out $@; \
	else echo "# No build yet: the first build writes the rules." > $@; fi

verify: | $(VENV_STAMP) ## Rerun everything from data/raw in a scratch folder and compare with reports/$(STAGE)/
	@$(ANALYSIS) verify --stage $(STAGE)

# One test worker per core (pytest-xdist); a module's tests, and a notebook's cells, stay on one worker.
TEST_JOBS ?= auto
test: | $(VENV_STAMP) ## Run every test: unit tests, nbval over the notebooks, end-to-end build and verify (TEST_JOBS=0: in one process)
	@$(PY) -m pytest tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider -n $(TEST_JOBS) --dist loadscope --no-loadscope-reorder

test-fast: | $(VENV_STAMP) ## Unit tests only (seconds)
	@$(PY) -m pytest tests -m "not slow" -p no:cacheprovider

lint: | $(VENV_STAMP) ## House style: ruff lint and format check over the code and tests
	@$(VENV)/bin/ruff check src tests benchmarks tools
	@$(VENV)/bin/ruff format --check src tests benchmarks tools

lab: | $(VENV_STAMP) ## Open JupyterLab at the project root with the project's kernel (runs by hand write to .lab/)
	@$(PY) -m ipykernel install --user --name "$(KERNEL_NAME)" --display-name "$(KERNEL_LABEL)" >/dev/null
	@echo "JupyterLab at the project root; notebooks in notebooks/, kernel \"$(KERNEL_LABEL)\" (runs by hand write to .lab/)"
	@if [ "$$(id -u)" = 0 ]; then echo "Running as root (a container or a shared server): JupyterLab needs --allow-root, passed for you. On your own machine, run make lab as your user."; fi
	@$(VENV)/bin/jupyter lab --notebook-dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

templates: | $(VENV_STAMP) ## Write empty input workbooks of the right shape to reports/templates/
	@$(ANALYSIS) templates $(OUT_ABS)/reports/templates

example-data: | $(VENV_STAMP) ## Regenerate the synthetic example inputs in data/raw (only files provenance.yaml marks synthetic)
	@$(ANALYSIS) example-data

reliability: | $(VENV_STAMP) ## Krippendorff's alpha of FILE (CSV/XLSX, coder per row, unit per column) at LEVEL=nominal|ordinal|interval|ratio [ORDER=low,...,high]
	@$(ANALYSIS) reliability "$(FILE)" --level "$(or $(LEVEL),nominal)" --order "$(ORDER)"

feedback: | $(VENV_STAMP) ## Read reviewers' Word comments from data/raw/feedback/ into data/feedback/feedback_log.xlsx
	@$(ANALYSIS) feedback import

bench: | $(VENV_STAMP) ## Time clean, no-op and one-change builds and the processing-time reader at 5 and 20 million rows
	@$(PY) benchmarks/bench_pipeline.py

venv: $(VENV_STAMP) ## Create .venv with the pinned dependencies

# The stamp is written last: a .venv without it is half-built (an install that failed or was interrupted)
# and is removed and rebuilt, never reused. A .venv of another Python is rebuilt too.
$(VENV_STAMP): requirements.lock pyproject.toml
	@version=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo none); \
	if [ "$$version" != "$(PYTHON_NEEDED)" ]; then \
	  if [ "$$version" = none ]; then found="was not found or does not run"; else found="is Python $$version"; fi; \
	  echo "✖ Python $(PYTHON_NEEDED) is needed (the pinned packages are built for it); '$(PYTHON)' $$found."; \
	  echo "  Install Python $(PYTHON_NEEDED) and run: make venv PYTHON=/path/to/python$(PYTHON_NEEDED)"; exit 2; fi
	@if [ -d $(VENV) ] && { [ ! -x $(PY) ] || [ "$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" != "$(PYTHON_NEEDED)" ]; }; then \
	  echo "Removing a half-built or foreign $(VENV) …"; rm -rf $(VENV); fi
	@if [ -d $(VENV) ] && [ ! -f $@ ]; then echo "Removing the half-built $(VENV) of an install that did not finish …"; rm -rf $(VENV); fi
	@echo "Creating $(VENV) with the pinned dependencies (2–4 minutes the first time) …"
	@$(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

lock: ## Re-resolve requirements.in into requirements.lock (then update environment.yml)
	@$(PYTHON) -m venv .build/lock-venv && .build/lock-venv/bin/pip install -q -r requirements.in
	@.build/lock-venv/bin/pip freeze --exclude-editable > requirements.lock
	@$(PYTHON) tools/write_environment_yml.py

clean: ## Remove generated files (data/processed, .build, .lab); keeps the published reports/
	rm -rf data/processed .build .lab

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F '\t' '{printf "  make %-13s %s\n", $$1, $$2}'
