# The edge worker example (demo/edge/), tested in Miniflare against a real origin.
# Included by the top Makefile after mk/wasm.mk, mk/origin.mk and mk/sync.mk.
#
# demo/edge has its own package.json (promo-edge linked from pkg-js/, plus
# miniflare, esbuild, typescript and @cloudflare/workers-types), so it builds
# and tests the way a storefront's copy of it would.

EDGE := demo/edge

.PHONY: test-edge edge-build edge-dev

$(EDGE)/node_modules/.ci-stamp: $(EDGE)/package.json $(EDGE)/package-lock.json
	cd $(EDGE) && npm ci --no-audit --no-fund
	touch $@

# Type-check (tsc --noEmit against workers-types and promo-edge's own types),
# then bundle like wrangler does: esbuild, the .wasm copied next to
# dist/worker.js and imported statically.
edge-build: wasm-build $(EDGE)/node_modules/.ci-stamp
# (The commands are demo/edge's npm scripts `check` and `build`.)
	cd $(EDGE) && npm run --silent check && npm run --silent build -- --log-level=warning

# The worker in Miniflare against `promo-origin serve` of demo/campaigns
# (started and stopped by the tests; every wait bounded).
test-edge: edge-build origin-build
	cd $(EDGE) && XDG_CONFIG_HOME=$(CURDIR)/target/xdg CLOUDFLARE_CF_FETCH_ENABLED=false NO_COLOR=1 \
	  PROMO_ORIGIN_BIN=$(ORIGIN_BIN) timeout 120 node --test test/edge.test.mjs

# The worker on http://127.0.0.1:$(EDGE_PORT) against an origin you started,
# e.g. `target/debug/promo-origin serve --source demo/campaigns --key KEY
# --listen 127.0.0.1:8787` (see demo/edge/README.md). Optional: NOW=<the
# origin's --now>, JWKS_FILE=<its jwks.json> to pin the keys. Ctrl-C stops it.
EDGE_PORT ?= 8788
ORIGIN_URL ?= http://127.0.0.1:8787
edge-dev: edge-build
	cd $(EDGE) && CLOUDFLARE_CF_FETCH_ENABLED=false PORT=$(EDGE_PORT) ORIGIN_URL=$(ORIGIN_URL) \
	  NOW=$(NOW) JWKS_FILE=$(JWKS_FILE) node dev.mjs
