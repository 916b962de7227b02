#!/bin/sh
# `make run` until the Thumbnail Maker exists: runs the course's programs built in BUILD_DIR.
set -eu
build=${1:-build}
for example in thread_target fibonacci_thread result_through_queue two_tasks \
               download_many_map download_many_as_completed \
               fibonacci_generator cooperative_generators; do
    echo "=== examples/$example"
    "$build/examples/$example"
    echo
done
