# Career Readiness Analyzer — the verbs a newcomer needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# external public datasets (read-only, never copied): ../shared/data beside the checkout
EXTERNAL ?= $(abspath ../shared/data)
ARTIFACTS ?= artifacts
PORT ?= 8000
FN ?= Analyze
EVENT ?= events/analyze.json
# pytest-xdist processes for `make test` (0 = one process); 2 = the cores of this project's machines
PYTEST_WORKERS ?= 2

VENV_STAMP := $(VENV)/.stamp-$(shell cat requirements/lock.txt pyproject.toml 2>/dev/null | sha256sum | cut -c1-12)

.PHONY: help venv datasets data train retrain publish smoke test lint serve invoke demo bench bench-floor bench-smoke fuzz load eval-matching eval-titles eval-readiness eval-extraction train-ner tune-hybrid clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV_STAMP): requirements/lock.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.stamp-* && touch $@

venv: $(VENV_STAMP) ## create .venv with the pinned lock (serving + training + dev)

datasets: venv ## fetch the public datasets training reads, sha256-pinned, into $(EXTERNAL) (FROM=<dir>: take them from a copy)
	$(PY) -m training.datasets.fetch --dest $(EXTERNAL) $(if $(FROM),--from $(FROM))

data: venv ## compile the authored catalog (data/*.yaml, enriched from $(EXTERNAL) when present) into build/catalog
	$(PY) -m training.catalog.build --data data --out build/catalog $(if $(wildcard $(EXTERNAL)),--external $(EXTERNAL))

train: venv ## build data + datasets and train every model into artifacts/<model>/v<N> (skips what exists)
	$(PY) -m training.scripts.train_all --artifacts $(ARTIFACTS) $(if $(wildcard $(EXTERNAL)),--external $(EXTERNAL))

retrain: venv ## like train, but rebuild everything
	$(PY) -m training.scripts.train_all --artifacts $(ARTIFACTS) --force $(if $(wildcard $(EXTERNAL)),--external $(EXTERNAL))

publish: venv ## upload artifacts to S3 (a local moto server on 127.0.0.1 unless an endpoint/bucket is configured)
	$(PY) -m training.publish --artifacts $(ARTIFACTS)

smoke: venv ## load every artifact back from (local moto) S3 with sha256 checks and run inference
	$(PY) -m training.scripts.smoke_test --artifacts $(ARTIFACTS)

test: venv ## lint + types, then the whole suite (trains the models first if artifacts are absent)
	$(BIN)/ruff check layers functions training infra tests bench
	$(BIN)/mypy
	@test -f $(ARTIFACTS)/.complete || $(MAKE) --no-print-directory train
	@command -v chromium >/dev/null || { test "$$(id -u)" = 0 && command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "Chromium could not be installed (needs apt-get as root): the browser tests will skip"
	$(BIN)/pytest -q -p no:cacheprovider -m "not load" -n $(PYTEST_WORKERS)

lint: venv ## ruff + mypy
	$(BIN)/ruff check layers functions training infra tests bench
	$(BIN)/ruff format --check layers functions training infra tests bench
	$(BIN)/mypy

serve: venv ## run the API on 127.0.0.1:$(PORT) with artifacts from the local moto S3
	$(PY) -m infra.local.serve --port $(PORT)

invoke: venv ## run one function's handler as Lambda would: make invoke FN=Analyze EVENT=events/analyze.json
	$(PY) -m infra.local.invoke $(FN) $(EVENT)

demo: venv ## everything from a fresh clone: train if absent, publish, run the local stack, analyze sample resumes
	@test -f $(ARTIFACTS)/.complete || $(MAKE) --no-print-directory train
	$(PY) -m infra.local.demo --artifacts $(ARTIFACTS)

bench: venv ## performance harness -> bench/results.json + bench/REPORT.md (+ PNG charts)
	@test -f $(ARTIFACTS)/.complete || $(MAKE) --no-print-directory train
	$(PY) -m bench.run

bench-floor: venv ## what this host cannot go below: import floor per function, the served models' CPU per event-path resume
	$(PY) -m bench.floor

fuzz: venv ## schemathesis against the API's own OpenAPI, >= 1,000 generated cases
	@test -f $(ARTIFACTS)/.complete || $(MAKE) --no-print-directory train
	$(PY) -m tests.hardening.fuzz_main --max-examples 1000

load: venv ## loopback load: 20 concurrent clients for 30 s against the API on 127.0.0.1
	@test -f $(ARTIFACTS)/.complete || $(MAKE) --no-print-directory train
	$(PY) -m tests.hardening.load_main

eval-matching: venv ## role matching on real resumes (dotin Designation labels) vs a TF-IDF baseline
	@test -f $(ARTIFACTS)/.complete || $(MAKE) --no-print-directory train
	$(PY) -m training.eval.eval_matching --dotin $(EXTERNAL)/dotin-resume-ner --artifacts $(ARTIFACTS)

eval-titles: venv ## title resolution on every dotin Designation span + the hand-labelled SOC sample (data/labels)
	@test -f $(ARTIFACTS)/.complete || $(MAKE) --no-print-directory train
	$(PY) -m training.eval.eval_titles --dotin $(EXTERNAL)/dotin-resume-ner --catalog $(ARTIFACTS)/catalog/v1 \
		--embeddings $(ARTIFACTS)/embeddings/v1

eval-readiness: venv ## real resumes (dotin): own role vs a seeded unrelated role, label mix by stated years, both halves
	@test -f $(ARTIFACTS)/.complete || $(MAKE) --no-print-directory train
	$(PY) -m training.eval.eval_readiness --dotin $(EXTERNAL)/dotin-resume-ner --artifacts $(ARTIFACTS)

train-ner: venv ## re-train only the learned skill tagger (4-layer MiniLM token classifier, 300 fixed steps) into artifacts/ner/v1
	@test -f $(EXTERNAL)/dotin-resume-ner/train.jsonl || { echo "train-ner needs $(EXTERNAL)/dotin-resume-ner: run make datasets (FROM=<dir>)"; exit 2; }
	@test -f $(ARTIFACTS)/.complete || $(MAKE) --no-print-directory train
	rm -rf $(ARTIFACTS)/ner/v1 build/ner-hf/v1
	$(PY) -m training.extractor.train_ner --out $(ARTIFACTS)/ner/v1 --hf-out build/ner-hf/v1 --dotin $(EXTERNAL)/dotin-resume-ner \
		--catalog build/catalog --extractor $(ARTIFACTS)/extractor/v1 --embeddings $(ARTIFACTS)/embeddings/v1

tune-hybrid: venv ## the hybrid's thresholds on honest folds (5 per-fold taggers, ~20-25 min) -> data/extraction/hybrid_selection.json
	@test -f $(EXTERNAL)/dotin-resume-ner/train.jsonl || { echo "tune-hybrid needs $(EXTERNAL)/dotin-resume-ner: run make datasets (FROM=<dir>)"; exit 2; }
	@test -f $(ARTIFACTS)/.complete || $(MAKE) --no-print-directory train
	for k in 0 1 2 3 4; do test -f build/cv-ner/f$$k/manifest.json || $(PY) -m training.extractor.train_ner \
		--out build/cv-ner/f$$k --hf-out build/cv-ner-hf/f$$k --dotin $(EXTERNAL)/dotin-resume-ner \
		--exclude-fold $$k --no-eval --max-steps 300 || exit 1; done
	$(PY) -m training.extractor.train_ner --out $(ARTIFACTS)/ner/v1 --hf-out build/ner-hf/v1 --dotin $(EXTERNAL)/dotin-resume-ner \
		--catalog build/catalog --extractor $(ARTIFACTS)/extractor/v1 --embeddings $(ARTIFACTS)/embeddings/v1 \
		--finalize-only --fold-taggers build/cv-ner

eval-extraction: venv ## dotin dev split, shared metric: gazetteer v1, learned, hybrid and the peers side by side
	@test -f $(ARTIFACTS)/ner/v1/manifest.json || $(MAKE) --no-print-directory train-ner
	$(PY) -m training.extractor.evaluate --dotin $(EXTERNAL)/dotin-resume-ner --artifacts $(ARTIFACTS) --peers

clean: ## remove generated data and artifacts (keeps .venv)
	rm -rf build $(ARTIFACTS)
