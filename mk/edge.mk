# The edge worker example (demo/edge/), tested in Miniflare against a real origin.
# Included by the top Makefile after mk/wasm.mk, mk/origin.mk and mk/sync.mk.
