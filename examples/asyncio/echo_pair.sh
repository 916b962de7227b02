#!/bin/sh
# Runs the stream echo examples together, as their test and as `make run` shows them: starts
# echo_server on a free port for one client, runs echo_client against it, then prints what the
# server printed. Every wait is bounded (10 s).
#
#   sh examples/asyncio/echo_pair.sh EXAMPLES_DIR
set -eu
dir=${1:?usage: echo_pair.sh EXAMPLES_DIR}
log=$(mktemp "${TMPDIR:-/tmp}/echo_server.XXXXXX")
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -f "$log"' EXIT

"$dir/echo_server" 0 --once > "$log" &
pid=$!
port=
tries=0
while [ -z "$port" ]; do # the server's first line: Serving on ('127.0.0.1', PORT)
    port=$(sed -n "s/^Serving on ('127\.0\.0\.1', \([0-9]*\))$/\1/p" "$log")
    if [ -z "$port" ]; then
        tries=$((tries + 1))
        if [ "$tries" -gt 100 ]; then
            echo "echo_pair: echo_server did not start:" >&2
            cat "$log" >&2
            exit 1
        fi
        sleep 0.1
    fi
done

"$dir/echo_client" "$port"

# --once: it stops after its client; a watchdog ends the wait after 10 s
(sleep 10 && kill "$pid") > /dev/null 2>&1 &
watchdog=$!
if ! wait "$pid"; then
    pid=
    echo "echo_pair: echo_server failed, or did not stop after its client:" >&2
    cat "$log" >&2
    exit 1
fi
pid=
kill "$watchdog" 2>/dev/null || true
cat "$log"
