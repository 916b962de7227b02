#!/bin/sh
# `make examples`: runs the course's programs built in BUILD_DIR, one after another.
set -eu
build=${1:-build}
for example in thread_target fibonacci_thread result_through_queue two_tasks \
               download_many_map download_many_as_completed \
               process_target terminate_process pool_initializer hash_texts start_methods \
               fibonacci_generator cooperative_generators \
               chain_gather delay_tasks cancel_task wait_for_timeout shield \
               future_set_by_task async_timed cpu_bound spinner semaphore_throttle; do
    echo "=== examples/$example"
    "$build/examples/$example"
    echo
done
# The stream echo server and client run together: the server on a free port, for one client.
echo "=== examples/echo_server + examples/echo_client"
sh "$(dirname "$0")/../examples/asyncio/echo_pair.sh" "$build/examples"
