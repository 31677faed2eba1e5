# The sync client and the redemption outbox (pkg-js/src/sync/): Node tests
# against a real `promo-origin serve` on 127.0.0.1, and the IndexedDB and
# Cache API stores in headless Chromium.
# Included by the top Makefile after mk/wasm.mk and mk/origin.mk (it uses
# their PKG, WASM_TEST_ENV, ORIGIN_BIN and targets).

.PHONY: test-sync

# PROMO_SYNC_REQUIRED=1: a missing origin binary fails instead of skipping
# (`make test-wasm-js` also runs these files and skips them without one).
test-sync: wasm-build origin-build
	cd $(PKG) && $(WASM_TEST_ENV) PROMO_ORIGIN_BIN=$(ORIGIN_BIN) PROMO_SYNC_REQUIRED=1 \
	  timeout 600 node --test --test-concurrency=1 test/sync*.test.mjs
