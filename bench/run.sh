#!/usr/bin/env bash
# `make bench` after its prerequisites (the wasm package, bench/'s npm
# packages): every benchmark in one run, under one deadline
# (BENCH_DEADLINE_SECONDS, default 1200 = 20 min, builds included) so the
# whole run stays bounded however loaded the machine is. Each step gets
# what is left of it. BENCH_PKG benchmarks another build of the npm package
# (default pkg-js/).
#
#   1. the workload (examples/gen_workload.rs): source, plan, signed bundle,
#      carts, pages, scaling plans;
#   2. a copy of the wasm built exactly as shipped (scripts/wasm-profile.env,
#      no compiler) but keeping symbol names, for the size report by crate;
#   3. the native criterion benches (short measurement time);
#   4. the wasm package in Node beside them and json-rules-engine
#      (bench/wasm-bench.mjs) -> benches/results.json;
#   5. the generated part of benches/RESULTS.md and benches/scaling.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${BENCH_WORKLOAD:-target/bench-workload}
named_dir=target/wasm-size-named
named=$named_dir/wasm32-unknown-unknown/release/promo_edge.wasm
deadline=$(( $(date +%s) + ${BENCH_DEADLINE_SECONDS:-1200} ))

left() {
  local n=$(( deadline - $(date +%s) ))
  if (( n <= 0 )); then
    echo "make bench: out of time (BENCH_DEADLINE_SECONDS=${BENCH_DEADLINE_SECONDS:-1200}) before: $*" >&2
    exit 124
  fi
  echo "$n"
}
step() {
  echo "== $*" >&2
  timeout "$(left "$*")" "$@"
}

step cargo run --locked --release --quiet --example gen_workload -- "$workload"

command -v twiggy >/dev/null || step cargo install --locked twiggy
# The same flags as scripts/build-wasm.sh (no compiler), symbols kept.
. scripts/wasm-profile.env
CARGO_PROFILE_RELEASE_OPT_LEVEL=$WASM_OPT_LEVEL CARGO_PROFILE_RELEASE_STRIP=false \
  step cargo build --quiet --locked --release --target wasm32-unknown-unknown --lib \
  --no-default-features --target-dir "$named_dir"

rm -rf target/criterion
step cargo bench --locked --bench engine -- --warm-up-time 1 --measurement-time 2 --noplot
step node bench/wasm-bench.mjs --workload "$workload" --criterion target/criterion \
  --named-wasm "$named" --pkg "${BENCH_PKG:-pkg-js}" --out benches/results.json
step node bench/report.mjs benches/results.json
