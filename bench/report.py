#!/usr/bin/env python3
"""Prints the ratio table of a results.jsonl written by bench/run.sh.

For each workload: every variant's figure (the median where a line has one), and the ratio of
concur's best variant to each peer. The figure is per_sec (higher is better), except for echo,
where it is server_cpu_us_per_req (lower is better; the load client bounds requests/s).

    python3 bench/report.py build/bench/results.jsonl
"""
import json
import sys


def figure(line):
    if line.get("workload") == "echo" and "server_cpu_us_per_req" in line:
        return line["server_cpu_us_per_req"], False
    value = line.get("median_per_sec") or line.get("per_sec")
    return value, True


def main(path):
    by_workload = {}
    with open(path) as f:
        for raw in f:
            raw = raw.strip()
            if not raw.startswith("{"):
                continue
            try:
                line = json.loads(raw)
            except json.JSONDecodeError:
                continue
            key = line.get("workload", "?")
            if line.get("variant"):
                key += "-" + line["variant"]
            by_workload.setdefault(key, []).append(line)

    for workload, lines in by_workload.items():
        ours = [l for l in lines if str(l.get("impl", "")).startswith("concur")]
        theirs = [l for l in lines if not str(l.get("impl", "")).startswith("concur")]
        print(f"\n== {workload}")
        best = None
        higher_better = True
        for l in ours:
            value, higher_better = figure(l)
            if value is None or l.get("ok") is False:
                continue
            if best is None or (value > best[1] if higher_better else value < best[1]):
                best = (l["impl"], value)
        unit = "per_sec" if higher_better else "server_cpu_us_per_req"
        print(f"{'impl':34} {'lang':7} {unit:>22} {'concur best / this':>18}")
        for l in sorted(lines, key=lambda l: (l.get("lang", ""), l.get("impl", ""))):
            value, hb = figure(l)
            if value is None or l.get("ok") is False:
                note = l.get("error", "failed")
                print(f"{l.get('impl', '?'):34} {l.get('lang', '?'):7} {'-':>22} {note}")
                continue
            ratio = ""
            if best is not None and value:
                r = best[1] / value if hb else value / best[1]
                ratio = f"{r:.2f}x"
            print(f"{l.get('impl', '?'):34} {l.get('lang', '?'):7} {value:>22,.1f} {ratio:>18}")
        if best is not None and theirs:
            print(f"(concur best: {best[0]}; a ratio above 1 means concur is faster)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
