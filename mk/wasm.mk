# The WebAssembly build and the npm package `promo-edge` (pkg-js/), tested in
# Node, Deno, workerd (Miniflare), headless Chromium and two bundlers.
# Included by the top Makefile; `make test-wasm` runs every check here.

WASM_BINDGEN_VERSION := 0.2.130
WASM_PACK_VERSION := 0.15.1
PKG := pkg-js
NPM_BIN := $(CURDIR)/$(PKG)/node_modules/.bin
WASM_OUT := $(PKG)/wasm
WASM := $(WASM_OUT)/promo_edge_bg.wasm
SPEC_DUMP := target/promo-edge-spec/native.json
# Runners and tools keep their state inside the tree and off the network.
WASM_TEST_ENV := XDG_CONFIG_HOME=$(CURDIR)/target/xdg DENO_DIR=$(CURDIR)/target/deno-dir \
  DENO_NO_UPDATE_CHECK=1 NO_COLOR=1 CLOUDFLARE_CF_FETCH_ENABLED=false \
  PROMO_SPEC_DUMP=$(CURDIR)/$(SPEC_DUMP) PATH=$(NPM_BIN):$(PATH)

.PHONY: wasm-setup wasm-compile wasm-build wasm-lint wasm-spec-dump wasm-size wasm-size-report test-wasm test-wasm-rust \
  test-wasm-js test-wasm-deno

# Idempotent: each step checks first and installs only what is missing.
wasm-setup:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@wasm-pack --version 2>/dev/null | grep -q ' $(WASM_PACK_VERSION)$$' || \
	  cargo install --locked wasm-pack --version $(WASM_PACK_VERSION)
	@# The crate's own lockfile pins a yanked webpki-roots, so `--locked` fails
	@# ("failed to select a version for webpki-roots"); resolving afresh works.
	@wasm-bindgen --version 2>/dev/null | grep -q ' $(WASM_BINDGEN_VERSION)$$' || \
	  cargo install --locked wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) || \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; }
	@$(MAKE) --no-print-directory -s $(PKG)/node_modules/.ci-stamp

$(PKG)/node_modules/.ci-stamp: $(PKG)/package-lock.json $(PKG)/package.json
	cd $(PKG) && npm ci --no-audit --no-fund
	touch $@

# Always asks cargo (the judge of what changed); see scripts/build-wasm.sh.
wasm-compile:
	scripts/build-wasm.sh

wasm-build: wasm-setup wasm-compile
	cd $(PKG) && rm -rf dist && $(NPM_BIN)/tsc -p tsconfig.json

wasm-lint: wasm-setup
	cargo clippy --locked --target wasm32-unknown-unknown --lib --test wasm_node --test wasm_web -- -D warnings

# The native engine's exact output for every spec case, for byte comparison.
wasm-spec-dump:
	cargo run --locked --quiet --example spec_dump -- $(SPEC_DUMP)

# Raw and gzipped size against the budget, with section sizes.
wasm-size: wasm-build
	node scripts/wasm-size.mjs $(WASM)

# The same, plus the largest contributors by crate (needs twiggy, and a
# second release build that keeps symbol names; not part of `make test`).
wasm-size-report: wasm-build
	@command -v twiggy >/dev/null || cargo install --locked twiggy
	@. scripts/wasm-profile.env && CARGO_PROFILE_RELEASE_OPT_LEVEL=$$WASM_OPT_LEVEL \
	  CARGO_PROFILE_RELEASE_STRIP=false cargo build --quiet --locked --release \
	  --target wasm32-unknown-unknown --lib --no-default-features --target-dir target/wasm-size
	node scripts/wasm-size.mjs $(WASM) target/wasm-size/wasm32-unknown-unknown/release/promo_edge.wasm

# wasm-bindgen-test in Node and headless Chromium. `cargo test --test X`
# rather than `wasm-pack test`, which adds `--tests` and so would build every
# integration test for wasm32.
test-wasm-rust: wasm-setup
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  timeout 900 cargo test --locked --target wasm32-unknown-unknown --test wasm_node
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  CHROMEDRIVER=/usr/bin/chromedriver XDG_CONFIG_HOME=$(CURDIR)/target/xdg \
	  timeout 900 cargo test --locked --target wasm32-unknown-unknown --test wasm_web

# The npm package: API, spec vectors (vs expected and vs native bytes) in
# Node, workerd and Chromium; types against real data; README examples;
# npm pack + Vite + esbuild. The wasm has no compiler, so the tests get
# plans from the spec dump and, for sources of their own, from the real
# `promo-origin publish` (origin-build; ORIGIN_BIN is mk/origin.mk's). The
# sync tests need a running origin: `make test-sync` runs them.
test-wasm-js: wasm-build wasm-spec-dump origin-build
	cd $(PKG) && $(WASM_TEST_ENV) PROMO_ORIGIN_BIN=$(ORIGIN_BIN) timeout 1200 node --test --test-concurrency=1 \
	  $$(ls test/*.test.mjs | grep -v '^test/sync')

test-wasm-deno: wasm-build wasm-spec-dump
	cd $(PKG) && $(WASM_TEST_ENV) timeout 600 $(NPM_BIN)/deno test --quiet --no-prompt \
	  --allow-read=.. --allow-env=PROMO_SPEC_DUMP test/deno/

test-wasm: wasm-lint test-wasm-rust test-wasm-js test-wasm-deno wasm-size
