# The origin (origin/, binary `promo-origin`): clippy for its crate, its Rust
# tests (each against a real `promo-origin serve` process on 127.0.0.1) on
# SQLite and again on PostgreSQL (a server the tests start and stop
# themselves, see origin/tests/support/pg.rs), the three-node tests, the
# JOSE interop test with the npm `jose` package in Node, and the official
# @voucherify/sdk driving the origin (origin/tests/sdk).
# Included by the top Makefile; `make origin-test` runs every check here.
# (`cargo fmt --all --check` in `lint` already covers the crate.)

ORIGIN_JS := origin/tests/js
ORIGIN_SDK := origin/tests/sdk
ORIGIN_BIN := $(CURDIR)/target/debug/promo-origin

.PHONY: origin-lint origin-build origin-test origin-test-rust origin-test-pg origin-test-js \
  origin-test-sdk pg-setup bench-origin

# Debian's PostgreSQL server binaries (initdb, pg_ctl, postgres), only where
# missing; no cluster is created or started (the tests start their own on
# free ports in temp dirs). initdb refuses root: the tests run it as the
# `postgres` user the package creates (created here if it is missing).
pg-setup:
	@if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  mkdir -p /etc/postgresql-common; \
	  [ -f /etc/postgresql-common/createcluster.conf ] || echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    -o Dpkg::Options::=--force-confold postgresql; \
	fi
	@if [ "$$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --user-group postgres; fi

origin-lint:
	cargo clippy -p promo-origin --all-targets --locked -- -D warnings

origin-build:
	cargo build -p promo-origin --locked

$(ORIGIN_JS)/node_modules/.ci-stamp: $(ORIGIN_JS)/package.json $(ORIGIN_JS)/package-lock.json
	cd $(ORIGIN_JS) && npm ci --no-audit --no-fund
	touch $@

# Every suite on SQLite, plus the PostgreSQL-only ones (cluster.rs: three
# nodes on one PostgreSQL, database restarts, a node killed mid-burst).
origin-test-rust: pg-setup
	timeout 900 cargo test -p promo-origin --locked

# The suites that touch the ledger, again on PostgreSQL.
origin-test-pg: pg-setup
	PROMO_TEST_DATABASE=postgres timeout 900 cargo test -p promo-origin --locked \
	  --test server --test audit --test hostile_http --test database --test credentials --test events

origin-test-js: origin-build $(ORIGIN_JS)/node_modules/.ci-stamp
	cd $(ORIGIN_JS) && PROMO_ORIGIN_BIN=$(ORIGIN_BIN) timeout 300 node --test --test-concurrency=1

$(ORIGIN_SDK)/node_modules/.ci-stamp: $(ORIGIN_SDK)/package.json $(ORIGIN_SDK)/package-lock.json
	cd $(ORIGIN_SDK) && npm ci --no-audit --no-fund
	touch $@

# The official @voucherify/sdk (npm, pinned) against a real `promo-origin
# serve`, server and client side, every answer type-checked with
# `tsc --strict` against the SDK's declared response type, and the same
# calls through the npm package's `promo-edge/voucherify` (hence the wasm
# build) equal to the origin's answers.
origin-test-sdk: origin-build wasm-build $(ORIGIN_SDK)/node_modules/.ci-stamp
	cd $(ORIGIN_SDK) && PROMO_ORIGIN_BIN=$(ORIGIN_BIN) timeout 300 node --test --test-concurrency=1

origin-test: origin-lint origin-test-rust origin-test-pg origin-test-js origin-test-sdk

# Redemptions/s and p50/p99 for SQLite 1 node, PostgreSQL 1 node and
# PostgreSQL 3 nodes side by side, and publication → every node serving it
# (not part of `make test`; a few minutes). Writes benches/origin-results.json
# and the origin section of benches/RESULTS.md.
BENCH_REDEMPTIONS ?= 2000
BENCH_CLIENTS ?= 8
bench-origin: pg-setup
	cargo build --locked --release -p promo-origin
	PROMO_ORIGIN_BIN=$(CURDIR)/target/release/promo-origin BENCH_REDEMPTIONS=$(BENCH_REDEMPTIONS) \
	  BENCH_CLIENTS=$(BENCH_CLIENTS) timeout 900 cargo test --locked -p promo-origin --test bench_origin \
	  -- --ignored --nocapture
