# The origin (origin/, binary `promo-origin`): clippy for its crate, its Rust
# tests (each against a real `promo-origin serve` process on 127.0.0.1) and
# the JOSE interop test with the npm `jose` package in Node.
# Included by the top Makefile; `make origin-test` runs every check here.
# (`cargo fmt --all --check` in `lint` already covers the crate.)

ORIGIN_JS := origin/tests/js
ORIGIN_BIN := $(CURDIR)/target/debug/promo-origin

.PHONY: origin-lint origin-build origin-test origin-test-rust origin-test-js

origin-lint:
	cargo clippy -p promo-origin --all-targets --locked -- -D warnings

origin-build:
	cargo build -p promo-origin --locked

$(ORIGIN_JS)/node_modules/.ci-stamp: $(ORIGIN_JS)/package.json $(ORIGIN_JS)/package-lock.json
	cd $(ORIGIN_JS) && npm ci --no-audit --no-fund
	touch $@

origin-test-rust:
	timeout 900 cargo test -p promo-origin --locked

origin-test-js: origin-build $(ORIGIN_JS)/node_modules/.ci-stamp
	cd $(ORIGIN_JS) && PROMO_ORIGIN_BIN=$(ORIGIN_BIN) timeout 300 node --test --test-concurrency=1

origin-test: origin-lint origin-test-rust origin-test-js
