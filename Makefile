# The two set-up commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
GO ?= go
STATICCHECK_VERSION := v0.8.2
BIN := bin
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: run test build lint vet fmt staticcheck bench bench-scale pg pg-stop clean browser

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/app ./app

# Runs bin/app. Without DATABASE_URL a project-local Postgres is started (.pgdata/)
# and stays up after the bot stops (make pg-stop); without DISCORD_TOKEN the bot
# runs against the built-in Discord emulator (app run --sim).
run: build
	@if [ -z "$$DATABASE_URL" ]; then export DATABASE_URL=$$(scripts/localpg.sh) || exit 1; \
	  echo "Postgres: $$DATABASE_URL (stays up when the bot stops; make pg-stop stops it)"; fi; \
	export LOG_FORMAT=$${LOG_FORMAT:-text}; \
	if [ -z "$$DISCORD_TOKEN" ]; then exec $(BIN)/app run --sim; else exec $(BIN)/app run; fi

# Everything the tests need: Postgres (started here), formatting, vet, staticcheck, race tests.
test: lint browser
	@if [ -z "$$DATABASE_URL" ]; then export DATABASE_URL=$$(scripts/localpg.sh) || exit 1; fi; \
	$(GO) test -race -count=1 -timeout 20m ./... && \
	echo "--- end-to-end pass (no -race: disgo's gateway has upstream data races, see core/apptest)" && \
	$(GO) test -count=1 -timeout 20m -run '^TestE2E' ./...

lint: fmt vet staticcheck

# The playground's browser tests (discordsim/playgroundtest) drive Debian's
# chromium; installed here where missing. Outside CI a failed install only
# warns (the tests then skip); in CI (CI set) it fails.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || \
	{ echo "installing chromium for the browser tests"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; } || \
	  { if [ -n "$$CI" ]; then echo "chromium install failed" >&2; exit 1; fi; echo "warning: chromium not installed; browser tests will skip" >&2; }; }

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	@command -v staticcheck >/dev/null 2>&1 || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$$( command -v staticcheck || echo $$($(GO) env GOPATH)/bin/staticcheck ) ./...

# Benchmarks against the emulator and a real Postgres; results go in docs/benchmarks.md.
bench:
	@if [ -z "$$DATABASE_URL" ]; then export DATABASE_URL=$$(scripts/localpg.sh) || exit 1; fi; \
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./...

# The scale benchmark (docs/benchmarks.md): bin/app against 100, 1,000 and 10,000
# generated guilds; about half an hour, so never part of make test or make bench
# (build tag scalebench). Its own Postgres (.pgdata-scale/) loads
# pg_stat_statements, which counts the bot's queries. SCALE_SIZES, SCALE_IDLE,
# SCALE_MEMBERS and SCALE_REPORT tune it (app/scale_bench_test.go).
bench-scale: build
	@export TOGETHER_PGDIR=$(CURDIR)/.pgdata-scale; url=$$(scripts/localpg.sh) || exit 1; \
	if [ "$$(psql "$$url" -tAc 'show shared_preload_libraries')" != pg_stat_statements ]; then \
	  psql "$$url" -qc "alter system set shared_preload_libraries = 'pg_stat_statements'" && \
	  scripts/localpg.sh stop && url=$$(scripts/localpg.sh) || exit 1; fi; \
	DATABASE_URL=$$url SCALE_APP=$(CURDIR)/$(BIN)/app $(GO) test -tags scalebench -run '^TestScale$$' -v -count=1 -timeout 240m ./app/

pg:
	@scripts/localpg.sh

# Stops the Postgres that make run, make test and make bench leave running.
pg-stop:
	@scripts/localpg.sh stop

clean:
	rm -rf $(BIN)
