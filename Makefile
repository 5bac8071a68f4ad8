# linelogin: two commands do all the set-up.
#   make run    the example app on localhost:8080 (embedded fake LINE Platform
#               unless LINE_CHANNEL_ID is set); make run RESET=1 starts with
#               an empty accounts database
#   make test   every test, race detector on, browser tests included; installs
#               Debian's chromium, redis-server and postgresql with apt-get
#               when missing
GO ?= go
FUZZTIME ?= 60s
SHELL := /bin/bash

# The repository holds four modules, tied by go.work: the library (the
# root), and the modules that use it, each with its own go.mod so that the
# library's lists only what the library and its tests import. With a
# go.work, ./... names the root module's packages only: every module is
# named here.
MODULES = . example e2e scripts/loadserver
PACKAGES = ./... ./example/... ./e2e/... ./scripts/loadserver/...

.PHONY: run test deps vet bench fuzz load

# RESET=1 starts with an empty accounts database (the example's -reset):
# otherwise accounts and links are kept across restarts, at the path the
# example prints at start (DATABASE_PATH).
run:
	$(GO) run ./example $(if $(RESET),-reset)

# test runs every package of every module, then says how many ran: a
# module left out of PACKAGES shows as a shortfall.
test: deps vet
	@log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	scripts/with-redis scripts/with-postgres $(GO) test -race -count=1 -timeout 8m $(PACKAGES) 2>&1 | tee "$$log"; \
	status=$${PIPESTATUS[0]}; \
	ran=$$(grep -cE '^(ok|FAIL|\?)[[:space:]]+github\.com/' "$$log"); want=$$($(GO) list $(PACKAGES) | wc -l); \
	echo "make test: $$ran of $$want packages in $(words $(MODULES)) modules"; \
	if [ "$$status" -eq 0 ] && [ "$$ran" -ne "$$want" ]; then echo "make test: packages missing"; exit 1; fi; \
	exit $$status

# vet: gofmt, go vet, staticcheck and goimports (imports grouped with this
# module's last), each at a pinned version fetched by go run.
STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOIMPORTS = golang.org/x/tools/cmd/goimports@v0.52.0
# Each test of session/redisstore runs against a single node and a
# three-node Redis Cluster: scripts/with-redis starts both. link.SQLStore's
# tests run on SQLite and on a throwaway PostgreSQL that
# scripts/with-postgres starts (they fail without it, except under -short).

vet:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet $(PACKAGES)
	$(GO) run $(STATICCHECK) $(PACKAGES)
	@unsorted=$$($(GO) run $(GOIMPORTS) -local github.com/linelogin/linelogin -l .); if [ -n "$$unsorted" ]; then echo "goimports needed: $$unsorted"; exit 1; fi
	@# An app on the cookie store links no Redis client: only
	@# session/redisstore imports one.
	@if $(GO) list -deps ./middleware ./session ./callback ./link | grep -q '^github.com/redis/'; then \
		echo "a Redis client is linked into the middleware without session/redisstore:"; \
		$(GO) list -deps ./middleware ./session ./callback ./link | grep '^github.com/redis/'; exit 1; fi
	@# Each module's go.mod stands alone (no go.work), and the library's
	@# requires none of what only the example, the browser tests or the
	@# comparisons use.
	@for m in $(MODULES); do (cd $$m && GOWORK=off $(GO) list -deps -test ./... >/dev/null) || { echo "module $$m does not build alone"; exit 1; }; done
	@if grep -nE '(gin-gonic/gin|labstack/echo|chromedp|prometheus|go-redis|go-chi/chi|gorilla/mux) ' go.mod; then \
		echo "go.mod: the library requires a module only the example, e2e or the comparisons use"; exit 1; fi

# deps installs the system packages the tests drive (root, or sudo, and apt-get).
deps:
	@scripts/install-deps

# bench runs the benchmarks of DESIGN.md section 6 several times, prints
# benchstat's table and the target ratios, and rewrites BENCHMARKS.md.
bench:
	@GO=$(GO) scripts/with-redis scripts/bench

# fuzz runs each fuzz target for FUZZTIME (60s by default), one after
# another; run longer with make fuzz FUZZTIME=10m. make test runs their
# seed corpora.
FUZZ_TARGETS = ./callback:FuzzParseResponse ./callback:FuzzVerifyIDToken ./callback:FuzzReadResponseJARM \
	./internal/sessioncookie:FuzzCodecDecode ./internal/sessioncookie:FuzzManagerLoad \
	./middleware:FuzzSafeReturnTo ./middleware:FuzzCallbackQuery

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

# load compares request rates with and without the middleware, and with
# sessions in the cookie or in Redis, under wrk on loopback (installs
# Debian's wrk with apt-get when it is missing).
load:
	@GO=$(GO) scripts/with-redis scripts/load
