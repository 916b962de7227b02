#!/usr/bin/env python3
"""Prints the ratio table of a results.jsonl written by bench/run.sh.

For each workload: every variant's figure (the median where a line has one), the ratio of
concur's best variant to each peer, and, where concur has a variant of the same name
(concur-<name>), the ratio of that one to the peer's <name>. The figure is per_sec (higher is better), except for echo,
where it is server_cpu_us_per_req (lower is better; the load client bounds requests/s).

echo has a table of its own: each variant's requests/s and server CPU per request, and both as
ratios to the limit, the minimal C epoll server (c-epoll-minimal): this / c-epoll-minimal, so a
requests/s ratio below 1 and a CPU ratio above 1 measure what the event loop costs.

thumbnails has a table of its own: each line's images/s, and for each concur variant its ratio
to the fastest Python line (not vips), to the best vipsthumbnail line, to the course's pipeline
(asyncio-procpool), and its seconds as a multiple of the limit's, libjpeg-turbo decoding alone
on 2 threads (decode-limit-2threads): the issue's goal is 1.3x or less.

    python3 bench/report.py build/bench/results.jsonl
"""
import json
import sys


def figure(line):
    if line.get("workload") == "echo" and "server_cpu_us_per_req" in line:
        return line["server_cpu_us_per_req"], False
    value = line.get("median_per_sec") or line.get("per_sec")
    return value, True


def echo_table(lines):
    """The echo table: per_sec and server_cpu_us_per_req, and both as ratios to the limit."""
    limit = next((l for l in lines if l.get("impl") == "c-epoll-minimal"
                  and l.get("ok") is not False and l.get("server_cpu_us_per_req")), None)
    print(f"{'impl':34} {'lang':7} {'per_sec':>12} {'cpu_us/req':>11}"
          f" {'req/s ÷ c-epoll':>16} {'CPU ÷ c-epoll':>14}")
    for l in sorted(lines, key=lambda l: (not str(l.get("impl", "")).startswith("concur"),
                                          l.get("lang", ""), l.get("impl", ""))):
        rate = l.get("median_per_sec") or l.get("per_sec")
        cpu = l.get("server_cpu_us_per_req")
        name, lang = l.get("impl", "?"), l.get("lang", "?")
        if l.get("ok") is False or not rate or not cpu:
            print(f"{name:34} {lang:7} {'-':>12} {'-':>11} {l.get('error', 'failed')}")
            continue
        rate_ratio = cpu_ratio = ""
        if limit is not None:
            limit_rate = limit.get("median_per_sec") or limit.get("per_sec")
            rate_ratio = f"{rate / limit_rate:.2f}x"
            cpu_ratio = f"{cpu / limit['server_cpu_us_per_req']:.2f}x"
        print(f"{name:34} {lang:7} {rate:>12,.0f} {cpu:>11.2f} {rate_ratio:>16} {cpu_ratio:>14}")
    if limit is None:
        print("(no c-epoll-minimal line: no ratios)")
    else:
        print("(this ÷ c-epoll-minimal, the limit: CPU per request above 1 is the loop's cost;"
              " requests/s is bounded by the client sharing the cores)")


def thumbnails_table(lines):
    """The thumbnails table: images/s of every line; for concur's variants, the ratios to the
    fastest Python, the best vips, the course's pipeline; for every line, seconds ÷ the limit."""
    def rate(l):
        return None if l.get("ok") is False else (l.get("median_per_sec") or l.get("per_sec"))

    def best(pred):
        found = [l for l in lines if pred(l) and rate(l)]
        return max(found, key=rate) if found else None

    impl = lambda l: str(l.get("impl", ""))
    python = best(lambda l: l.get("lang") == "python" and not impl(l).startswith("vips"))
    vips = best(lambda l: impl(l).startswith("vips"))
    course = best(lambda l: impl(l) == "asyncio-procpool")
    limit = best(lambda l: impl(l) == "decode-limit-2threads")
    refs = [("the fastest Python (not vips)", python), ("vips", vips),
            ("the course's pipeline (asyncio-procpool)", course)]
    print(f"{'impl':26} {'lang':7} {'images/s':>9} {'seconds':>8} {'÷ best py':>10}"
          f" {'÷ best vips':>12} {'÷ course':>9} {'secs ÷ limit':>13}")
    for l in sorted(lines, key=lambda l: (not impl(l).startswith("concur"),
                                          not impl(l).startswith("decode-limit"),
                                          l.get("lang", ""), -(rate(l) or 0))):
        r = rate(l)
        if not r:
            why = l.get("error") or "failed: ok false, %s bad outputs, exit status %s" % (
                l.get("bad_outputs", "?"), l.get("exit_status", "?"))
            print(f"{impl(l):26} {l.get('lang', '?'):7} {'-':>9} {why}")
            continue
        secs = l.get("median_seconds") or l.get("seconds") or 0
        cols = ""
        for (_, ref), width in zip(refs, (10, 12, 9)):
            ratio = f"{r / rate(ref):.2f}x" if ref and impl(l).startswith("concur") else ""
            cols += f" {ratio:>{width}}"
        # Per image (rates, not seconds): lines run on fewer photos (--limit) still compare.
        vs_limit = f"{rate(limit) / r:.2f}x" if limit else ""
        print(f"{impl(l):26} {l.get('lang', '?'):7} {r:>9.1f} {secs:>8.3f}{cols} {vs_limit:>13}")
    for name, ref in refs + [("limit", limit)]:
        if ref is None:
            print(f"(no line for {name}: its ratio is left blank)")
    if limit is not None:
        print(f"(the limit: {impl(limit)}, {rate(limit):.1f} images/s; secs ÷ limit is"
              " this line's time over the limit's, the goal for concur is 1.3x or less;"
              " ÷ columns above 1 mean concur is faster)")


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
            if line.get("text_bytes", 4096) != 4096:  # cpu's form with bigger texts
                key += f"-{line['text_bytes'] // 1024}KiB"
            # flags: each data set and server delay is a figure of its own.
            if line.get("dataset", "famfamfam") != "famfamfam":
                key += "-" + line["dataset"]
            if line.get("delay_ms"):
                key += "-delay%gms" % line["delay_ms"]
            by_workload.setdefault(key, []).append(line)

    for workload, lines in by_workload.items():
        ours = [l for l in lines if str(l.get("impl", "")).startswith("concur")]
        theirs = [l for l in lines if not str(l.get("impl", "")).startswith("concur")]
        print(f"\n== {workload}")
        if workload == "echo":
            echo_table(lines)
            continue
        if workload == "thumbnails":
            thumbnails_table(lines)
            continue
        best = None
        higher_better = True
        for l in ours:
            value, higher_better = figure(l)
            if value is None or l.get("ok") is False:
                continue
            if best is None or (value > best[1] if higher_better else value < best[1]):
                best = (l["impl"], value)
        unit = "per_sec" if higher_better else "server_cpu_us_per_req"
        # concur-<name> measures the same thing as the peer's <name> (procpool, cpu).
        same = {l["impl"][len("concur-"):]: figure(l)[0] for l in ours
                if l.get("ok") is not False and figure(l)[0]}
        print(f"{'impl':34} {'lang':7} {unit:>22} {'concur best / this':>18}"
              f" {'concur same / this':>18}")
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
            paired = ""
            if l.get("impl") in same and value:
                r = same[l["impl"]] / value if hb else value / same[l["impl"]]
                paired = f"{r:.2f}x"
            print(f"{l.get('impl', '?'):34} {l.get('lang', '?'):7} {value:>22,.1f} {ratio:>18}"
                  f" {paired:>18}")
        if best is not None and theirs:
            print(f"(concur best: {best[0]}; a ratio above 1 means concur is faster)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
