# The demo storefront, offline PWA and `make demo` (demo/); see demo/README.md.
# Included by the top Makefile after mk/wasm.mk, mk/origin.mk and mk/sync.mk
# (it uses their WASM_TEST_ENV, ORIGIN_BIN, wasm-build and origin-build).
#
# demo/ has its own package.json: promo-edge linked from pkg-js/ (built by
# wasm-build), esbuild, typescript and playwright-core (with Debian's
# /usr/bin/chromium, installed by wasm-setup).

DEMO := demo
DEMO_SITE := target/demo-site
DEMO_NPM_BIN := $(CURDIR)/$(DEMO)/node_modules/.bin

.PHONY: demo demo-build test-demo demo-screenshot

$(DEMO)/node_modules/.ci-stamp: $(DEMO)/package.json $(DEMO)/package-lock.json
	cd $(DEMO) && npm ci --no-audit --no-fund
	touch $@

# Type-check the page and the service worker (no emit), then bundle both
# with esbuild into target/demo-site with the .wasm, the static files and
# catalog.json (from demo/campaigns). config.json is written per run.
demo-build: wasm-build origin-build $(DEMO)/node_modules/.ci-stamp
	cd $(DEMO) && $(DEMO_NPM_BIN)/tsc -p tsconfig.json && $(DEMO_NPM_BIN)/tsc -p tsconfig.sw.json
	cd $(DEMO) && node build.mjs $(CURDIR)/$(DEMO_SITE)

# Interactive: a fresh dev key and channel key, the demo campaigns published
# and served with the storefront on 127.0.0.1:8787 (DEMO_LISTEN=host:port to
# change it). Runs in the foreground; Ctrl-C stops everything it started.
demo: demo-build
	$(DEMO)/scripts/run-demo.sh $(ORIGIN_BIN) $(CURDIR)/$(DEMO_SITE)

# End-to-end in headless Chromium against a real origin started (and
# stopped) by the test on a free port; screenshots in target/demo-e2e/.
test-demo: demo-build
	cd $(DEMO) && $(WASM_TEST_ENV) PROMO_ORIGIN_BIN=$(ORIGIN_BIN) DEMO_SITE=$(CURDIR)/$(DEMO_SITE) \
	  DEMO_ARTIFACTS=$(CURDIR)/target/demo-e2e timeout 300 node --test --test-concurrency=1 test/storefront.test.mjs

# Refreshes the README's screenshot from the last test-demo run.
demo-screenshot: test-demo
	cp target/demo-e2e/storefront.png docs/storefront.png
