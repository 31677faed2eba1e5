# The demo storefront, offline PWA and `make demo` (demo/); see demo/README.md.
# Included by the top Makefile after mk/wasm.mk, mk/origin.mk and mk/sync.mk.
