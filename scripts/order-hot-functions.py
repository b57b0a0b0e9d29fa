#!/usr/bin/env python3
"""Writes scripts/hot-functions.order: the functions of the nuri binary that the gateway's request
path runs, hottest first, for the linker to lay out together (the Makefile's release build passes
it to gold's --section-ordering-file; every function has a section of its own there).

Why: on the 2-vCPU machines this project runs on, a miss in the core's own cache costs about
200 ns (the shared cache does little for a guest), and the code one proxied request runs is
spread over NIO, Hummingbird and Nuri across 30 MB of text. Packed together it takes fewer cache
lines and pages. docs/BENCHMARKS.md ("Gateway overhead") has the figures.

How: the same set-up as scripts/bench-gateway.py (the fake upstream and `nuri serve --remote`,
pinned the same way), wrk with one connection, plain then streamed chat requests, each under
`perf record -g`; every frame of every sample that falls in the nuri binary counts once per
sample. Functions the profile never saw keep the linker's default place, after these.

    make release && python3 scripts/order-hot-functions.py && make release

Needs perf (Debian: apt-get install linux-perf) and wrk. The order only moves code: a stale
file (renamed functions) costs speed, never correctness.
"""
import argparse
import collections
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
spec = importlib.util.spec_from_file_location("bench_gateway", os.path.join(ROOT, "scripts", "bench-gateway.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def profile(args, base, token, stream, pid, directory):
    """perf samples of the gateway while wrk sends one kind of request; returns perf script's text."""
    body = bench.chat_body("fake", stream)
    bench.wrk(args, base + "/chat/completions", token, body, 1, 1, directory)  # warm up
    data = os.path.join(directory, f"perf-{stream}.data")
    recorder = subprocess.Popen(["perf", "record", "-F", "4000", "-g", "-p", str(pid), "-o", data, "--", "sleep", str(args.seconds)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bench.wrk(args, base + "/chat/completions", token, body, 1, args.seconds + 1, directory)
    recorder.wait()
    return subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym,dso"], capture_output=True, text=True, check=True).stdout


def hot_functions(scripts, binary):
    """Symbols of `binary` in the samples, by the number of samples they appear in."""
    counts = collections.Counter()
    real = os.path.realpath(binary)
    for text in scripts:
        for sample in text.split("\n\n"):
            seen = set()
            for line in sample.splitlines():
                match = re.match(r"\s*\S+ (\S+) \((.*)\)$", line)
                if match and os.path.realpath(match.group(2)) == real and not match.group(1).startswith("["):
                    seen.add(match.group(1))
            counts.update(seen)
    return [name for name, _ in counts.most_common()]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nuri", default=os.path.join(ROOT, ".build", "release", "nuri"))
    parser.add_argument("--upstream", default=os.path.join(ROOT, ".build", "release", "nuri-fake-upstream"))
    parser.add_argument("--seconds", type=int, default=8, help="seconds of profile per kind of request (default 8)")
    parser.add_argument("--gateway-cpus", default="0")
    parser.add_argument("--load-cpus", default="1")
    parser.add_argument("--out", default=os.path.join(ROOT, "scripts", "hot-functions.order"))
    args = parser.parse_args()
    args.chunks, args.nuri_log_level = 16, "info"
    for tool in ("perf", "wrk", "taskset"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed")
    directory = tempfile.mkdtemp(prefix="nuri-order-")
    processes = []
    try:
        upstream_process, upstream = bench.start_upstream(args, args.load_cpus)
        processes.append(upstream_process)
        nuri, base, token = bench.start_nuri(args, upstream, os.path.join(directory, "nuri"))
        processes.append(nuri)
        bench.check("nuri", base, token, "fake")
        scripts = [profile(args, base, token, stream, nuri.pid, directory) for stream in (False, True)]
    finally:
        for process in processes:
            bench.stop(process)
    names = hot_functions(scripts, args.nuri)
    if len(names) < 100:
        raise SystemExit(f"only {len(names)} functions of {args.nuri} in the profile: is perf allowed to sample it?")
    with open(args.out, "w") as f:
        f.writelines(f".text.{name}\n" for name in names)
    print(f"{len(names)} functions, hottest first, in {os.path.relpath(args.out, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
