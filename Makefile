# The two commands a newcomer needs: `make run` and `make test`. Everything else is a detail.
PRESET ?= release
BIN := build/$(PRESET)/bin/tracklake
PYTEST := .venv/bin/pytest
JOBS ?= $(shell nproc)
# Cache hits across clones in different folders (CI clones afresh).
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: run test build bootstrap unit e2e test-asan bench clean

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

# --- code health (issue 28): .clang-format, .clang-tidy, Clang's thread-safety analysis.
.PHONY: format format-check tidy tidy-all build-clang
# Formats every tracked C++ file in place (clang-format, .clang-format).
format: bootstrap
	git ls-files '*.h' '*.cc' | xargs clang-format -i --style=file
# Lists the files `make format` would change; exit 1 if any (scripts/format-check --base REF: changed ones only).
format-check: bootstrap
	scripts/format-check
# clang-tidy (.clang-tidy) on the files of src/ changed since TIDY_BASE (default: the last commit's parent), with
# the release build's compile_commands.json; tidy-all: every file of src/ (about an hour of CPU).
TIDY_BASE ?= HEAD~1
tidy: build
	scripts/tidy --base $(TIDY_BASE)
tidy-all: build
	scripts/tidy --all
# The collector built with clang, -Wthread-safety -Werror: checks the GUARDED_BY / REQUIRES annotations
# (src/common/thread_annotations.h). Debug, no tests or micro-benchmarks: only what the analysis needs.
build-clang: bootstrap
	@cmake --preset clang >/dev/null
	@cmake --build --preset clang -j $(JOBS)

# --- Debian package (issue 27): build/release/deb/tracklake_<version>_amd64.deb (deploy/debian/).
.PHONY: deb deb-test
deb: build
	cd build/$(PRESET) && cpack -G DEB
# Installs the package on this machine with dpkg -i, checks it, and purges it (CI; needs root).
deb-test: deb
	deploy/debian/test-install build/$(PRESET)/deb/tracklake_*_amd64.deb

# --- benchmarks (issue 6): bench/run builds the release preset unless TRACKLAKE_BIN is set.
.PHONY: bench-smoke
# Every phase of the benchmark in about 10-20 s, so the suite cannot rot (CI); outputs in build/bench-smoke.
bench-smoke: build
	TRACKLAKE_BIN=$(abspath $(BIN)) bench/run --smoke --out build/bench-smoke
	build/$(PRESET)/bin/tracklake_micro --benchmark_min_time=0.01
	TRACKLAKE_BIN=$(abspath $(BIN)) .venv/bin/python bench/client_bench.py --smoke

# Google Benchmark micro-benchmarks of the validator, the log's append path and the encoder.
.PHONY: bench-micro
bench-micro: build
	taskset -c $${BENCH_SERVER_CORE:-0} build/$(PRESET)/bin/tracklake_micro --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

# The full benchmark, about 10-15 minutes; results in bench/results/<date>.{json,md,png}.
bench: build
	TRACKLAKE_BIN=$(abspath $(BIN)) bench/run
