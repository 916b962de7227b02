#!/bin/sh
# make bench: runs concur's workload benchmarks and, beside them in the same run, the peers of
# ../shared/peers (when present); writes every JSON line, ours and theirs, to
# BUILD/bench/results.jsonl and prints the ratios.
#
#   bench/run.sh BUILD_DIR [WORKLOAD]     (WORKLOAD empty or "all": every one we implement)
# Environment: REPS (runs per variant of ours, median reported; default 5),
#              REPS_ECHO (the same for echo, whose runs take 5 s each; default 3),
#              CONCUR_PEERS (the peers' directory; default ../shared/peers next to the project).
# echo is driven by the peers' load client: ../shared/peers/echo_client.c, compiled here into
# BUILD_DIR/bench/echo_client; without it echo is skipped (the other workloads still run).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:?usage: bench/run.sh BUILD_DIR [WORKLOAD]}
only=${2:-all}
reps=${REPS:-5}
reps_echo=${REPS_ECHO:-3}
peers=${CONCUR_PEERS:-$(dirname "$root")/shared/peers}
out="$build/bench/results.jsonl"

# The workloads of ../shared/peers/README.md that concur implements so far.
ours="threadpool generator spawn sleepers echo procpool cpu flags thumbnails"
all_workloads="spawn sleepers echo threadpool procpool cpu generator flags thumbnails"

if [ "$only" = all ]; then
    workloads=$ours
else
    case " $all_workloads " in
        *" $only "*) ;;
        *) echo "bench: unknown workload '$only' (known: $all_workloads)" >&2; exit 2 ;;
    esac
    case " $ours " in
        *" $only "*) ;;
        *) echo "bench: concur has no '$only' benchmark yet (implemented: $ours)" >&2; exit 2 ;;
    esac
    workloads=$only
fi

mkdir -p "$build/bench"
: > "$out"
client_src="$peers/echo_client.c" # before $peers is cleared below: echo needs it either way
if [ ! -x "$peers/run.sh" ] && [ ! -f "$peers/run.sh" ]; then
    echo "bench: no peers at $peers (../shared/peers is not part of a clone of concur):" \
         "measuring concur alone" >&2
    peers=""
fi

status=0
for w in $workloads; do
    if [ "$w" = echo ]; then
        if [ ! -f "$client_src" ]; then
            echo "bench: echo: skipped: the echo benchmark needs the load client" \
                 "../shared/peers/echo_client.c (not found at $client_src)" >&2
            continue
        fi
        client="$build/bench/echo_client"
        if [ ! -x "$client" ] || [ "$client_src" -nt "$client" ]; then
            echo "bench: echo: building the load client from $client_src" >&2
            if ! gcc -O2 -o "$client" "$client_src"; then
                echo "bench: echo: skipped: gcc could not build $client_src" >&2
                status=1
                continue
            fi
        fi
        echo "bench: echo: concur (x$reps_echo)" >&2
        "$build/bench/echo" --repeat "$reps_echo" --client "$client" >> "$out" || status=1
    else
        echo "bench: $w: concur (x$reps)" >&2
        "$build/bench/$w" --repeat "$reps" >> "$out" || status=1
        if [ "$w" = cpu ]; then # the peers' second form: bigger texts
            "$build/bench/$w" --repeat "$reps" --size 65536 --n 5000 >> "$out" || status=1
        fi
    fi
    if [ -n "$peers" ]; then
        echo "bench: $w: peers" >&2
        sh "$peers/run.sh" "$w" "$out" || status=1
    fi
done

echo "bench: every line is in $out" >&2
python3 "$here/report.py" "$out" | tee "$build/bench/report.txt"
exit $status
