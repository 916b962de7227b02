#!/bin/sh
# make bench: runs concur's workload benchmarks and, beside them in the same run, the peers of
# ../shared/peers (when present); writes every JSON line, ours and theirs, to
# BUILD/bench/results.jsonl and prints the ratios.
#
#   bench/run.sh BUILD_DIR [WORKLOAD]     (WORKLOAD empty or "all": every one we implement)
# Environment: REPS (runs per variant of ours, median reported; default 5),
#              CONCUR_PEERS (the peers' directory; default ../shared/peers next to the project).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:?usage: bench/run.sh BUILD_DIR [WORKLOAD]}
only=${2:-all}
reps=${REPS:-5}
peers=${CONCUR_PEERS:-$(dirname "$root")/shared/peers}
out="$build/bench/results.jsonl"

# The workloads of ../shared/peers/README.md that concur implements so far.
ours="threadpool generator spawn sleepers"
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
if [ ! -x "$peers/run.sh" ] && [ ! -f "$peers/run.sh" ]; then
    echo "bench: no peers at $peers (../shared/peers is not part of a clone of concur):" \
         "measuring concur alone" >&2
    peers=""
fi

status=0
for w in $workloads; do
    echo "bench: $w: concur (x$reps)" >&2
    "$build/bench/$w" --repeat "$reps" >> "$out" || status=1
    if [ -n "$peers" ]; then
        echo "bench: $w: peers" >&2
        sh "$peers/run.sh" "$w" "$out" || status=1
    fi
done

echo "bench: every line is in $out" >&2
python3 "$here/report.py" "$out" | tee "$build/bench/report.txt"
exit $status
