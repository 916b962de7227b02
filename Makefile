# concur: the two commands of the quick start, and the benchmarks.
#
#   make run     install what is missing, build, run the main job on its bundled default:
#                thumbnail-maker makes thumbnails of Debian's mate-backgrounds photographs
#                into ./out/thumbnails (ARGS="..." passes other arguments)
#   make test    install what is missing, build, run every test through ctest: plain, then
#                under ASan+UBSan, then under TSan
#   make bench   our benchmarks beside the peers of ../shared/peers, with ratios
#                (make bench ONLY=threadpool for one workload)
#
# Finer targets: make build, make check (plain tests only), make test-asan, make test-tsan,
# make examples (the course's programs, each run once).
JOBS ?= $(shell nproc)
ARGS ?=
CTEST_ARGS ?=

.PHONY: all deps build run examples test check test-asan test-tsan bench clean

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	cmake --preset default >/dev/null
	cmake --build --preset default -j $(JOBS)

run: build
	./build/apps/thumbnail_maker/thumbnail-maker $(ARGS)

examples: build
	@sh scripts/run-examples.sh build

check: build
	ctest --preset default -j $(JOBS) $(CTEST_ARGS)

test-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS) $(CTEST_ARGS)

test-tsan: deps
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS)
	ctest --preset tsan -j $(JOBS) $(CTEST_ARGS)

test: check test-asan test-tsan

bench: deps
	@sh scripts/install-deps.sh --bench
	cmake --preset default >/dev/null
	cmake --build --preset default -j $(JOBS)
	@sh bench/run.sh build "$(ONLY)"

clean:
	rm -rf build build-asan build-tsan
