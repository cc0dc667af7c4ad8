# One command for each thing a developer needs. Everything installs into .venv from the pinned
# constraints, so a fresh machine needs only Python 3.11, Java 17 and Maven.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install browser screenshots run test test-unit test-kafka lint typecheck fmt bench eval kafka-up kafka-down clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Embedded mode: default feeds, rules/, alerts to the console and to apprise.yaml if present.
run: install
	$(BIN)/newswatch run

## The whole suite, with a Kafka broker started for it unless KAFKA_BOOTSTRAP names one, and
## Debian's Chromium installed for the browser tests where the machine allows it.
test: install browser
	scripts/with-kafka.sh $(BIN)/pytest $(PYTEST_ARGS)

browser:
	scripts/browser.sh

## The web page's screenshots in docs/web/, taken by the browser tests.
screenshots: install browser
	NEWSWATCH_SCREENSHOTS=docs/web $(BIN)/pytest -q tests/web

test-unit: install browser
	$(BIN)/pytest -m "not kafka" $(PYTEST_ARGS)

test-kafka: install
	scripts/with-kafka.sh $(BIN)/pytest -m kafka $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: install
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python benchmarks/bench_match.py
	$(BIN)/python benchmarks/bench_stories.py
	$(BIN)/python benchmarks/bench_web.py
	$(BIN)/python benchmarks/bench_fulltext.py
	$(BIN)/python benchmarks/bench_poll_fulltext.py

eval: install
	$(BIN)/python benchmarks/eval_matching.py
	$(BIN)/python benchmarks/eval_surnames.py
	$(BIN)/python benchmarks/eval_translit.py
	$(BIN)/python benchmarks/eval_stories.py

kafka-up:
	scripts/kafka.sh start && scripts/kafka.sh wait

kafka-down:
	scripts/kafka.sh stop

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
