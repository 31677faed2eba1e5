# The README's commands. `make test` is exactly what CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.cargo/bin:$(PATH)

include mk/wasm.mk
include mk/origin.mk
include mk/robustness.mk
include mk/sync.mk
include mk/demo.mk
include mk/edge.mk

.PHONY: help setup test lint unit

help:
	@echo "make demo   - the demo storefront (PWA) and origin on http://127.0.0.1:8787 (Ctrl-C stops it)"
	@echo "make setup  - install what is missing (toolchains, wasm tools, npm packages, chromium)"
	@echo "make test   - every check CI runs: lint, Rust tests and spec vectors, the wasm package in"
	@echo "              Node/Deno/workerd/Chromium, origin, sync, edge worker, storefront e2e, fuzz smoke,"
	@echo "              determinism"
	@echo "make bench  - native + wasm (Node) + json-rules-engine benchmarks -> benches/RESULTS.md"
	@echo "make soak   - 20,000 redemptions from 4 clients against one origin, then a ledger audit"
	@echo "              (SOAK_DATABASE=postgres SOAK_NODES=3: three nodes on one PostgreSQL)"
	@echo "make bench-origin - origin redemptions/s, p50/p99: SQLite, PostgreSQL 1 and 3 nodes"
	@echo "make fuzz   - each fuzz target for FUZZ_SECONDS (default 300)"

setup:
	@command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)"; exit 1; }
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
	@$(MAKE) --no-print-directory wasm-setup
	@$(MAKE) --no-print-directory pg-setup

lint: setup
	cargo fmt --all --check
	cargo clippy --all-targets --locked -- -D warnings

unit: setup
	cargo test --locked

test: lint unit test-wasm origin-test test-sync test-edge test-demo fuzz-smoke test-determinism

.PHONY: bench bench-profile
BENCH_WORKLOAD := target/bench-workload
# Every benchmark in one run (not part of `make test`; about 10 minutes on
# 2 cores, at most BENCH_DEADLINE_SECONDS = 1200 after the wasm build): the
# workload (source, plan, signed bundle), a names-kept copy of the shipped
# wasm for the size report by crate and module (twiggy), native criterion
# benches with a short measurement time, then the wasm package in Node
# beside them and beside json-rules-engine (bench/wasm-bench.mjs), written
# to benches/results.json (every budget with `met`), the generated part of
# benches/RESULTS.md and benches/scaling.svg. See bench/run.sh.
bench: wasm-build bench/node_modules/.ci-stamp
	BENCH_WORKLOAD=$(BENCH_WORKLOAD) bench/run.sh

bench/node_modules/.ci-stamp: bench/package-lock.json bench/package.json
	cd bench && npm ci --no-audit --no-fund
	touch $@

# Where the time goes, natively: callgrind on examples/profile_workload.rs
# (symbols kept, its own target dir). Annotated top functions per call in
# target/profile-out/OP.txt.
bench-profile:
	cargo run --locked --release --quiet --example gen_workload -- $(BENCH_WORKLOAD)
	CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
	  cargo build --locked --release --example profile_workload --target-dir target/profile
	@command -v valgrind >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y valgrind; }
	mkdir -p target/profile-out
	for op in load validate qualify price; do \
	  valgrind --tool=callgrind --callgrind-out-file=target/profile-out/cg.$$op \
	    target/profile/release/examples/profile_workload $(BENCH_WORKLOAD) $$op 1 >/dev/null 2>&1 && \
	  callgrind_annotate --inclusive=yes target/profile-out/cg.$$op > target/profile-out/$$op.txt; \
	done
	@echo "profiles in target/profile-out/ (each op after one load; load is one load)"
