# Computer Vision for Microscopy: set-up, tests and course tooling.
#   make lab       set up .venv if needed, copy the course into my-work/ (never overwriting
#                  your work there), open JupyterLab on my-work/
#   make test      set up .venv if needed, run every test
#   make setup     make .venv if it is missing, unfinished, made with another PYTHON= or older pins
#   make release   regenerate notebooks/ from solutions/ (CHAPTERS="01-image-arrays" for some)
#   make outputs   rerun solution notebooks, keep the outputs nbval checks
#   make try       grade the blank release and the solution of each chapter as students
#   make autograde grade every submission in submitted/, one student at a time (CHAPTERS=... required)
#   make constraints  rewrite constraints.txt from the installed environment
#   make clean     remove .venv and grading byproducts (never my-work/)
#
# PYTHON=python3.12 makes .venv with that interpreter; without it, the one .venv was made
# with is kept (python3 for a new .venv). tools/setup_env.py checks the version first.

PYTHON ?=
VENV := .venv
BIN := $(VENV)/bin
# The student's own folder: the release is copied in, their work there is never overwritten.
WORK ?= my-work
CHAPTERS ?=
# Extra JupyterLab options, e.g. LAB_FLAGS=--no-browser; root (a container) needs --allow-root.
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup lab test release outputs try autograde constraints clean

# Any python3 runs the set-up script; the script checks the interpreter named by PYTHON=.
SETUP_RUNNER := $(or $(shell command -v python3 2>/dev/null),$(PYTHON),python3)

setup:
	@$(SETUP_RUNNER) tools/setup_env.py --venv $(VENV) $(if $(PYTHON),--python $(PYTHON))

lab: setup
	$(BIN)/python -m source_helpers.workspace --release notebooks --work $(WORK)
	$(BIN)/jupyter lab --ServerApp.root_dir=$(WORK) $(LAB_FLAGS)

test: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest

release: setup
	$(BIN)/python -m source_helpers.grading release $(CHAPTERS)

outputs: setup
	$(BIN)/python -m source_helpers.grading outputs $(CHAPTERS)

try: setup
	$(BIN)/python -m source_helpers.grading try $(CHAPTERS)

autograde: setup
	@test -n "$(CHAPTERS)" || { echo 'name the chapter(s): make autograde CHAPTERS=01-image-arrays'; exit 2; }
	$(BIN)/python -m source_helpers.grading autograde $(CHAPTERS)

constraints: setup
	{ sed -n '/^#/p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^source.helpers'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

# Never add $(WORK) here: it holds the students' answers.
clean:
	rm -rf $(VENV) gradebook.db submitted autograded feedback
