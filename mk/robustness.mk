# Robustness: fuzzing (cargo-fuzz on nightly, fuzz/), the hostile-input
# catalogue, native/wasm/origin determinism, hostile HTTP against the origin,
# and the soak of the ledger. Included by the top Makefile.
#
#   make fuzz FUZZ_SECONDS=300   each fuzz target for that long (default 300 s)
#   make fuzz-smoke              each target briefly (part of `make test`)
#   make fuzz-corpus             regenerate the seed corpus from tests/spec and their plans
#   make test-hostile            tests/hostile_inputs.rs (+ the catalogue file)
#   make test-determinism        native vs wasm (Node) vs origin, seeded cases
#   make test-hostile-http       origin/tests/hostile_http.rs
#   make soak                    20,000+ redemptions, 4 clients (not in `make test`);
#                                SOAK_DATABASE=postgres SOAK_NODES=3 for 3 nodes on PostgreSQL

FUZZ_TARGETS := bundle plan snapshot validate qualify price_products formula
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 15
# Address sanitizer adds little to safe Rust and doubles build and run
# time; `make fuzz FUZZ_SANITIZER=address` for a run with it.
FUZZ_SANITIZER ?= none
# Long runs build with debug assertions: an integer overflow is a crash,
# not a silently wrapped amount. The smoke run in `make test` builds like
# the shipped release (overflow unchecked: the first fuzz crash, a parse
# overflow, was found within seconds only under debug assertions), so its
# verdict is about panics in what ships and a time-bounded run stays
# reproducible; hunting overflows is for `make fuzz`. Each has its own
# target dir, so neither rebuilds the other's.
FUZZ_FLAGS = -a -s $(FUZZ_SANITIZER)
FUZZ_SMOKE_FLAGS = -s none --target-dir $(CURDIR)/target/fuzz-smoke-build
FUZZ_LIBFUZZER_FLAGS := -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
# New inputs go here; the committed seed corpus (fuzz/corpus/) is read only.
# `make fuzz` keeps building on what earlier runs found; the smoke run starts
# from the seeds every time, so `make test` does not depend on past runs.
FUZZ_WORK := $(CURDIR)/target/fuzz-corpus
FUZZ_SMOKE_WORK := $(CURDIR)/target/fuzz-smoke-corpus
FUZZ_LOGS := $(CURDIR)/target/fuzz-logs
SOAK_REDEMPTIONS ?= 20000
SOAK_CLIENTS ?= 4
# sqlite (one node) or postgres (a server the soak starts), and how many
# origin nodes share it.
SOAK_DATABASE ?= sqlite
SOAK_NODES ?= 1

.PHONY: fuzz-setup fuzz-lint fuzz fuzz-smoke fuzz-corpus test-hostile test-determinism \
  test-hostile-http soak robustness-test

fuzz-setup:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@cargo fuzz --version >/dev/null 2>&1 || cargo install --locked cargo-fuzz

# The fuzz crate is outside the workspace, so `cargo fmt --all` skips it.
fuzz-lint:
	cargo fmt --manifest-path fuzz/Cargo.toml --check

# Builds with flags $(3), then runs every target for $(1) seconds with the
# work corpus $(2); logs in target/fuzz-logs/, one summary line per target;
# fails on the first crash (the input is in fuzz/artifacts/<target>/; it
# becomes a test in tests/fuzz_regressions.rs).
define fuzz_run
	cargo +nightly fuzz build $(3)
	@mkdir -p $(FUZZ_LOGS)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(2)/$$t; log=$(FUZZ_LOGS)/$$t-$(1)s.log; \
	  if ! timeout $$(( $(1) + 300 )) cargo +nightly fuzz run $(3) $$t $(2)/$$t fuzz/corpus/$$t -- \
	      $(FUZZ_LIBFUZZER_FLAGS) -max_total_time=$(1) > $$log 2>&1; then \
	    tail -40 $$log; echo "fuzz target $$t FAILED (log: $$log; input: fuzz/artifacts/$$t/)"; exit 1; \
	  fi; \
	  runs=$$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' $$log | grep -o '[0-9]*$$' || true); \
	  cov=$$(grep -a -o 'DONE *cov: *[0-9]*' $$log | grep -o '[0-9]*$$' || true); \
	  echo "fuzz $$t: $$runs executions in $(1) s, no crash (coverage $$cov)"; \
	done
endef

fuzz: fuzz-setup fuzz-lint
	$(call fuzz_run,$(FUZZ_SECONDS),$(FUZZ_WORK),$(FUZZ_FLAGS))

fuzz-smoke: fuzz-setup fuzz-lint
	rm -rf $(FUZZ_SMOKE_WORK)
	$(call fuzz_run,$(FUZZ_SMOKE_SECONDS),$(FUZZ_SMOKE_WORK),$(FUZZ_SMOKE_FLAGS))

fuzz-corpus: wasm-spec-dump
	node fuzz/gen-corpus.mjs $(SPEC_DUMP)

test-hostile:
	timeout 600 cargo test --locked --test hostile_inputs

# Needs the wasm build (Node runs pkg-js/dist) and the origin binary.
test-determinism: wasm-build
	timeout 600 cargo test --locked -p promo-origin --test determinism -- --ignored --nocapture

test-hostile-http:
	timeout 600 cargo test --locked -p promo-origin --test hostile_http

# The server is a release build; the clients are the (debug) test binary,
# whose work per request is small next to the server's.
soak: pg-setup
	cargo build --locked --release -p promo-origin
	PROMO_ORIGIN_BIN=$(CURDIR)/target/release/promo-origin SOAK_REDEMPTIONS=$(SOAK_REDEMPTIONS) \
	  SOAK_CLIENTS=$(SOAK_CLIENTS) SOAK_DATABASE=$(SOAK_DATABASE) SOAK_NODES=$(SOAK_NODES) timeout 1800 cargo test --locked -p promo-origin --test soak \
	  -- --ignored --nocapture

robustness-test: fuzz-smoke test-hostile test-determinism test-hostile-http
