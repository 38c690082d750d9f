# Two commands: `make run` (set up, then serve the app) and `make test` (set up, then lint and test).
# Both create .venv if missing, install the pinned requirements and, as root, the Debian packages needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Single-user mode (EMOJIML_AUTH=none) serves this machine only; with EMOJIML_AUTH=local|oidc set ADDRESS=0.0.0.0.
ADDRESS ?= 127.0.0.1
# npm comes with the machine's Node.js; Debian's npm package conflicts with that Node.js, so it is not listed.
RUN_DEBS := fonts-noto-color-emoji
TEST_DEBS := $(RUN_DEBS) chromium chromium-driver postgresql
NPM_CATALOG := emojibase-data@17.0.0 emojilib@4.0.3 emoji-datasource@16.0.0
NPM_VECTORS := @iconify-json/noto@1.2.9 @iconify-json/twemoji@1.2.5 @iconify-json/openmoji@1.2.29 @iconify-json/fluent-emoji-flat@1.2.6

.PHONY: loadtest run test setup setup-dev lint format catalog clean test-postgres dataset vectors

run: setup vectors
	$(BIN)/emojiml index
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

test: setup-dev vectors
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

setup: $(VENV)/.installed
	@bash scripts/install-debs.sh $(RUN_DEBS)

setup-dev: $(VENV)/.installed-dev
	@bash scripts/install-debs.sh $(TEST_DEBS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# N browser sessions (8, then 16) tour the app on two processes sharing one PostgreSQL for 2 minutes each, then
# report p50/p95 page-ready times, errors and rows lost (artifacts/loadtest.md). Not part of `make test`.
loadtest: setup-dev
	EMOJIML_LOADTEST=1 $(BIN)/python -m pytest tests/e2e/test_load.py -q -s -p no:randomly

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Rebuild emojiml/assets/catalog.json.gz from the MIT-licensed npm emoji data (needs npm; the app does not).
catalog: setup
	mkdir -p build/npm && cd build/npm && ( [ -f package.json ] || npm init -y >/dev/null ) && npm install --silent $(NPM_CATALOG)
	$(BIN)/emojiml build-catalog --npm-dir build/npm/node_modules \
		--sentiment $${EMOJIML_DATA:-../shared/data}/emoji-sentiment-ranking/Emoji_Sentiment_Data_v1.0.csv

# The workspace store against a real PostgreSQL server (the test fixture starts one; `make test` runs these too).
test-postgres: setup-dev
	$(BIN)/python -m pytest -m postgres tests/workspace

# Build the emoji image data set for the GAN/VAE (build/dataset, git-ignored): the four vector sets of
# `make vectors` rendered at 64 px and 128 px (upscaler targets). Then `emojiml train gan|vae` or
# scripts/train-gpu.sh on a packed copy (emojiml.generate.data.pack_dataset).
dataset: setup vectors
	$(BIN)/emojiml build-dataset --sources noto,twemoji,openmoji,fluent --size 64 --hires 128 --npm-dir build/npm-vectors/node_modules --out build/dataset

# Vector emoji (SVG) for the kitchen and the image data set: four Iconify sets from npm into build/npm-vectors
# (git-ignored; licenses in emojiml/assets/ATTRIBUTION.md, checked against each package's info.json on load).
vectors: build/npm-vectors/.installed

build/npm-vectors/.installed: Makefile
	mkdir -p build/npm-vectors && cd build/npm-vectors && ( [ -f package.json ] || npm init -y >/dev/null ) && npm install --silent --no-audit --no-fund $(NPM_VECTORS)
	touch $@

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
