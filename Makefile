# zombielab: `make lab3` for a lab shell, `make submit LAB=3` to grade it, `make test` for the suite.
PYTHON_VENV := .venv
PY := $(PYTHON_VENV)/bin/python
ZOMBIELAB := $(PYTHON_VENV)/bin/zombielab
LAB ?= 3
INIT ?= noinit
WORK ?= workspace/lab$(LAB)

.PHONY: help setup deps engine images labs submit batch gradescope prairielearn check browser test bench clean

help:
	@echo "make labs               the labs and what each covers"
	@echo "make lab3 [INIT=tini]   a shell in Lab 3's container (INIT=tini: tini is PID 1)"
	@echo "make submit LAB=3       grade your workspace (workspace/lab3)"
	@echo "make batch LAB=3 DIR=submissions OUT=results   grade a class (one subfolder per student)"
	@echo "make gradescope LAB=3   Gradescope's autograder zip for Lab 3 (build/gradescope)"
	@echo "make prairielearn LAB=3 PrairieLearn's grading image and Lab 3's question (build/prairielearn)"
	@echo "make check              the fast tests and pyflakes, in under a minute, without Docker"
	@echo "make test               the test suite, against the real Docker engine"
	@echo "make bench              grading cost against a bare container start, a class batch"

deps: $(PYTHON_VENV)/.installed
$(PYTHON_VENV)/.installed: pyproject.toml scripts/ensure-python
	scripts/ensure-python $(PYTHON_VENV)
	touch $@

engine: deps
	PYTHON=$(PY) scripts/ensure-docker

images: engine
	scripts/build-images

# compose.yaml, one service per lab and init variant, is made from the labs there are (a lab
# folder added or removed changes labs/'s time).
compose.yaml: scripts/compose-file labs/. $(wildcard labs/*/lab.yaml) | $(PYTHON_VENV)/.installed
	@$(PY) scripts/compose-file

setup: deps engine images compose.yaml

# An explicit rule wins over the pattern rule lab% below.
labs: deps
	@$(ZOMBIELAB) labs

# make lab1, make lab3, ...: any folder under labs/ with a lab.yaml.
LABS := $(notdir $(patsubst %/,%,$(dir $(wildcard labs/*/lab.yaml))))
lab%:
	@[ -f labs/lab$*/lab.yaml ] || { echo "zombielab: unknown lab 'lab$*'; the labs are: $(LABS)" >&2; exit 2; }
	@$(MAKE) -s setup
	@scripts/enter-lab lab$* $(INIT) $(if $(filter command line,$(origin WORK)),$(WORK),workspace/lab$*)

submit: setup
	@$(ZOMBIELAB) grade lab$(LAB) $(WORK) --feedback $(WORK)/feedback.html

# A class: each subfolder of DIR is one student's submission; rerun to resume. BATCH_ARGS
# passes more, e.g. BATCH_ARGS="--workers 4" or "--scheduler tcp://HOST:8786".
batch: setup
	@[ -n "$(DIR)" ] && [ -n "$(OUT)" ] || { echo "usage: make batch LAB=3 DIR=submissions OUT=results" >&2; exit 2; }
	@$(ZOMBIELAB) batch lab$(LAB) $(DIR) --out $(OUT) $(BATCH_ARGS)

# Gradescope's autograder zip for the lab (graded without an engine), to upload.
gradescope: deps
	@$(ZOMBIELAB) package gradescope lab$(LAB) --out build/gradescope

# PrairieLearn's external grading image (zombielab/prairielearn, every lab, graded without an
# engine) and the lab's question folder, for a course to push and copy.
prairielearn: images
	@$(ZOMBIELAB) package prairielearn lab$(LAB) --out build/prairielearn

# The fast tier: what needs no Docker engine (tests/fast), pyflakes over the project's Python, and
# vermin over what runs on a grading platform's own Python (Gradescope's may be 3.10).
# --confcutdir: tests/conftest.py, the engine's fixtures, stays out of it. pyflakes skips the
# starters (unfinished on purpose, importing what the learner will need) and the hostile corpus.
LINTED = $(shell find grader labs tests bench -name '*.py' -type f -not -path 'labs/*/starter/*' \
	-not -path 'tests/hostile/*') $(shell grep -l '^\#!.*python' scripts/*)
check: deps
	$(PY) -m pytest -q --confcutdir=tests/fast tests/fast $(PYTEST_ARGS)
	@$(PY) -m pyflakes $(LINTED) && echo "pyflakes: no warnings in $(words $(LINTED)) files"
	@$(PYTHON_VENV)/bin/vermin -q -t=3.10- --eval-annotations --violations grader labs \
		&& echo "vermin: grader/ and labs/ use nothing newer than Python 3.10"

# Headless Chromium, for the browser tests of the feedback page and the class report.
browser:
	@scripts/ensure-chromium

# The suite in two parts: most tests side by side (pytest-xdist, TEST_WORKERS at once: gradings
# mostly wait; a worker that runs out of tests takes queued ones from the others, so that the
# slow ones do not end the part alone), then the ones marked exclusive, which load the machine
# on purpose, alone.
TEST_WORKERS ?= 3
test: setup browser
	@start=$$(date +%s); \
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal -m "not exclusive" --durations=10 $(PYTEST_ARGS); first=$$?; \
	$(PY) -m pytest -q -m exclusive --durations=10 $(PYTEST_ARGS); second=$$?; \
	echo "zombielab: the suite took $$(( $$(date +%s) - start )) s"; \
	for status in $$first $$second; do [ $$status = 0 ] || [ $$status = 5 ] || exit $$status; done

bench: setup
	$(PY) -m bench

clean:
	docker ps -aq --filter label=zombielab.grader | xargs -r docker rm -f
	rm -rf $(PYTHON_VENV) .pytest_cache compose.yaml build
