# Nuri — the two commands of the README:
#   make run    build, create the operator on first run, and serve
#   make test   every test (SQLite and a throwaway PostgreSQL)

SWIFT    ?= swift
DATA_DIR ?= $(HOME)/.nuri
HOST     ?= 127.0.0.1
PORT     ?= 8080

RELEASE_BIN := .build/release/nuri

.PHONY: run build release test test-fast clean help

help:
	@echo "make run    build Nuri (release) and serve it on http://$(HOST):$(PORT), data in $(DATA_DIR)"
	@echo "make test   run every test, against SQLite and a throwaway PostgreSQL"

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product nuri

run: release
	@$(RELEASE_BIN) admin init --data-dir "$(DATA_DIR)" --exist-ok
	$(RELEASE_BIN) serve --data-dir "$(DATA_DIR)" --host "$(HOST)" --port "$(PORT)"

test:
	$(SWIFT) build --build-tests
	scripts/with-postgres.sh $(SWIFT) test --skip-build

# The tests that need no PostgreSQL, for a quick loop while editing.
test-fast:
	$(SWIFT) test

clean:
	rm -rf .build
