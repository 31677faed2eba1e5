# The README's commands. `make test` is exactly what CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.cargo/bin:$(PATH)

include mk/wasm.mk
include mk/origin.mk
include mk/robustness.mk
include mk/sync.mk

.PHONY: help setup test lint unit

help:
	@echo "make setup  - install what is missing (Rust components)"
	@echo "make test   - every check: fmt, clippy, unit, spec vectors, property tests"

setup:
	@command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)"; exit 1; }
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
	@$(MAKE) --no-print-directory wasm-setup

lint: setup
	cargo fmt --all --check
	cargo clippy --all-targets --locked -- -D warnings

unit: setup
	cargo test --locked

test: lint unit test-wasm origin-test test-sync fuzz-smoke test-determinism

.PHONY: bench
# Native benchmarks of load, validate, qualify and pricing (criterion).
bench:
	cargo bench --locked --bench engine
