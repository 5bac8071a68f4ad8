# linelogin: two commands do all the set-up.
#   make run    the example app on localhost:8080 (embedded fake LINE Platform
#               unless LINE_CHANNEL_ID is set)
#   make test   every test, race detector on, browser tests included; installs
#               Debian's chromium, redis-server and postgresql with apt-get
#               when missing
GO ?= go
FUZZTIME ?= 60s

.PHONY: run test deps vet bench fuzz load

run:
	$(GO) run ./example

test: deps vet
	scripts/with-redis scripts/with-postgres $(GO) test -race -count=1 -timeout 8m ./...

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
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@unsorted=$$($(GO) run $(GOIMPORTS) -local github.com/linelogin/linelogin -l .); if [ -n "$$unsorted" ]; then echo "goimports needed: $$unsorted"; exit 1; fi
	@# An app on the cookie store links no Redis client: only
	@# session/redisstore imports one.
	@if $(GO) list -deps ./middleware ./session ./callback ./link | grep -q '^github.com/redis/'; then \
		echo "a Redis client is linked into the middleware without session/redisstore:"; \
		$(GO) list -deps ./middleware ./session ./callback ./link | grep '^github.com/redis/'; exit 1; fi

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
