#!/usr/bin/env bash
# `make demo`: a fresh dev signing key and channel key, the demo campaigns
# published by `promo-origin serve`, which also serves the storefront and the
# API on 127.0.0.1. Runs in the foreground; Ctrl-C stops what it started.
# Usage: run-demo.sh ORIGIN_BIN SITE_DIR   (env DEMO_LISTEN, default 127.0.0.1:8787)
set -euo pipefail
origin_bin=$1
site_build=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
run="$root/target/demo-run"
listen=${DEMO_LISTEN:-127.0.0.1:8787}

rm -rf "$run"
mkdir -p "$run"
"$origin_bin" keygen --out "$run/keys" >/dev/null
# A random dev channel key, written only into target/ (never committed).
channel_key="dev-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
cp -R "$site_build" "$run/site"
node -e '
  const fs = require("fs");
  const [out, jwksPath, key] = process.argv.slice(1);
  const jwks = JSON.parse(fs.readFileSync(jwksPath, "utf8"));
  fs.writeFileSync(out, JSON.stringify({ channel: "web", channel_key: key, jwks }, null, 2));
' "$run/site/config.json" "$run/keys/jwks.json" "$channel_key"

"$origin_bin" serve --source "$root/demo/campaigns" --key "$run/keys/signing-key.jwk.json" \
  --db "$run/ledger.sqlite" --listen "$listen" --channel-key "web=$channel_key" \
  --site "$run/site" >"$run/serve.out" 2>"$run/serve.log" &
pid=$!
stop() {
  trap - INT TERM EXIT
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  echo
  echo "demo stopped (state in $run)"
}
trap stop INT TERM EXIT

# Bounded wait for the one stdout line with the address.
for _ in $(seq 1 300); do
  if grep -q 'listening on' "$run/serve.out" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "promo-origin serve exited:" >&2
    cat "$run/serve.log" >&2
    exit 1
  fi
  sleep 0.1
done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$run/serve.out" | head -n1)
if [ -z "$url" ]; then
  echo "promo-origin serve did not start within 30 s; log: $run/serve.log" >&2
  exit 1
fi
cat <<MSG

  Northwind Outfitters (Promo Edge demo) is running:

      $url/

  Codes to try: SAVE20, FLASH30, WELCOME-3KQ7, REF-ANNA, GIFT-50-NW7K (see demo/README.md).
  Edit demo/campaigns/ while it runs: the origin republishes within a minute.
  Ledger, keys and logs: $run    Ctrl-C stops the server.

MSG
wait "$pid"
