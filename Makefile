# The two commands a newcomer needs: `make run` and `make test`. Everything else is a detail.
PRESET ?= release
BIN := build/$(PRESET)/bin/tracklake
PYTEST := .venv/bin/pytest
JOBS ?= $(shell nproc)

.PHONY: run test build bootstrap unit e2e test-asan bench clean format

run: build
	mkdir -p data lake
	$(BIN) serve --config config/local.toml

test: build
	ctest --preset $(PRESET) -j $(JOBS)
	TRACKLAKE_BIN=$(abspath $(BIN)) $(PYTEST) -q tests

bootstrap:
	@./scripts/bootstrap

build: bootstrap
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

unit: build
	ctest --preset $(PRESET) -j $(JOBS)

e2e: build
	TRACKLAKE_BIN=$(abspath $(BIN)) $(PYTEST) -q tests

# Unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer (CI runs this too).
test-asan: bootstrap
	@cmake --preset asan-ubsan >/dev/null
	@cmake --build --preset asan-ubsan -j $(JOBS)
	ctest --preset asan-ubsan -j $(JOBS)

clean:
	rm -rf build
