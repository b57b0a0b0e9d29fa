#!/usr/bin/env python3
"""Load run: many concurrent streaming chats on SmolLM2, some clients hanging up mid-stream.

Starts `nuri serve` (release build) with SmolLM2 in a fresh data directory, warms it up, records
its resident memory (VmRSS from /proc/PID/status: the median of 5 samples 0.2 s apart), then runs
--rounds rounds of --clients concurrent streamed chats with the real `openai` client (asyncio).
Every --disconnect-every-th client closes its stream after --disconnect-after chunks. After the
rounds and --settle seconds it samples the memory again.

It fails (exit 1) if any request got a 5xx or an error chunk, if the server logged an error, if
a client that stayed got no finish_reason, or if the memory after is more than --rss-tolerance
MiB above the baseline.

    make release && python3 scripts/load-streams.py
"""
import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import openai

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
QUESTIONS = ["What is the capital of South Korea?", "Name three rivers in Korea.", "Say hello in Korean.",
             "What is kimchi?", "Count from one to ten.", "Describe Seoul in one sentence.",
             "What is a GPU?", "Write a haiku about the sea."]


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1)) / 1024


def rss_median(pid, samples=5):
    values = []
    for _ in range(samples):
        values.append(rss_mib(pid))
        time.sleep(0.2)
    return statistics.median(values)


def start_server(args, data_dir):
    token = subprocess.run([args.nuri, "admin", "init", "--data-dir", data_dir], check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    log_path = os.path.join(data_dir, "serve.log")
    log = open(log_path, "w")
    command = [args.nuri, "serve", "--data-dir", data_dir, "--port", "0", "--model", f"smollm2={args.model}"]
    if args.threads:
        command += ["--threads", str(args.threads)]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        match = re.search(r"http://127\.0\.0\.1:(\d+)", open(log_path).read())
        if match:
            return process, f"http://127.0.0.1:{match.group(1)}", token, log_path
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise SystemExit("nuri serve did not start:\n" + open(log_path).read())


async def one_stream(client, index, args, results):
    hang_up = args.disconnect_every and index % args.disconnect_every == args.disconnect_every - 1
    started = time.perf_counter()
    outcome = {"index": index, "hang_up": hang_up, "chunks": 0, "finish": None, "error": None, "ttft": None}
    try:
        stream = await client.chat.completions.create(
            model="smollm2", messages=[{"role": "user", "content": QUESTIONS[index % len(QUESTIONS)]}],
            max_tokens=args.max_tokens, temperature=0.7, seed=index, stream=True, stream_options={"include_usage": True})
        async for chunk in stream:
            if outcome["ttft"] is None:
                outcome["ttft"] = time.perf_counter() - started
            if chunk.choices:
                outcome["chunks"] += 1
                outcome["finish"] = chunk.choices[0].finish_reason or outcome["finish"]
            if hang_up and outcome["chunks"] >= args.disconnect_after:
                await stream.close()
                break
    except openai.APIStatusError as error:
        outcome["error"] = f"HTTP {error.status_code}: {error.message}"
    except openai.APIError as error:  # an error chunk in the stream
        outcome["error"] = f"stream error: {error.message}"
    outcome["seconds"] = time.perf_counter() - started
    results.append(outcome)


async def round_of(base, token, args):
    client = openai.AsyncOpenAI(base_url=base + "/v1", api_key=token, max_retries=0, timeout=600)
    results = []
    started = time.perf_counter()
    await asyncio.gather(*(one_stream(client, index, args, results) for index in range(args.clients)))
    await client.close()
    return results, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nuri", default=os.path.join(ROOT, ".build", "release", "nuri"))
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "SmolLM2-135M-Instruct.Q4_1.gguf"))
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument("--disconnect-every", type=int, default=4, help="every Nth client hangs up mid-stream (default 4)")
    parser.add_argument("--disconnect-after", type=int, default=3, help="chunks a hanging-up client reads (default 3)")
    parser.add_argument("--settle", type=float, default=5, help="seconds to wait before the last memory sample")
    parser.add_argument("--rss-tolerance", type=float, default=16, help="MiB the memory may end above its baseline (default 16)")
    parser.add_argument("--threads", type=int, help="nuri serve --threads")
    args = parser.parse_args()
    for path in (args.nuri, args.model):
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing (make release; make models)")

    data_dir = tempfile.mkdtemp(prefix="nuri-load-")
    process, base, token, log_path = start_server(args, data_dir)
    failures = []
    try:
        # Warm-up: every code path once (model pages, KV cache, HTTP client pools), then a
        # concurrent round of a few clients, so the baseline is the steady state, not the cold one.
        warm = argparse.Namespace(**{**vars(args), "clients": 4, "rounds": 1})
        asyncio.run(round_of(base, token, warm))
        time.sleep(1)
        baseline = rss_median(process.pid)
        print(f"baseline RSS {baseline:.1f} MiB (after a warm-up round of 4 clients)")
        peak = [baseline]
        stop_sampling = threading.Event()

        def sample():
            while not stop_sampling.is_set():
                peak[0] = max(peak[0], rss_mib(process.pid))
                time.sleep(0.2)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        for number in range(1, args.rounds + 1):
            results, seconds = asyncio.run(round_of(base, token, args))
            errors = [r for r in results if r["error"]]
            stayed = [r for r in results if not r["hang_up"]]
            unfinished = [r for r in stayed if not r["error"] and r["finish"] not in ("stop", "length")]
            chunks = sum(r["chunks"] for r in results)
            ttfts = sorted(r["ttft"] for r in results if r["ttft"] is not None)
            print(f"round {number}: {len(results)} streams ({len(results) - len(stayed)} hung up) in {seconds:.1f} s, "
                  f"{chunks} content chunks ({chunks / seconds:.0f}/s), time to first chunk p50 {statistics.median(ttfts):.2f} s "
                  f"max {ttfts[-1]:.2f} s, errors {len(errors)}, unfinished {len(unfinished)}, RSS {rss_mib(process.pid):.1f} MiB")
            failures += [f"round {number} client {r['index']}: {r['error']}" for r in errors]
            failures += [f"round {number} client {r['index']}: no finish_reason" for r in unfinished]
        stop_sampling.set()
        sampler.join()
        time.sleep(args.settle)
        after = rss_median(process.pid)
        print(f"peak RSS {peak[0]:.1f} MiB; after {args.settle:.0f} s idle {after:.1f} MiB "
              f"({after - baseline:+.1f} MiB against the baseline, tolerance {args.rss_tolerance:.0f} MiB)")
        if after - baseline > args.rss_tolerance:
            failures.append(f"memory did not return to its baseline: {after - baseline:+.1f} MiB")
        with urllib.request.urlopen(urllib.request.Request(base + "/api/usage?model=smollm2",
                                                           headers={"Authorization": f"Bearer {token}"})) as response:
            import json
            rows = json.loads(response.read())["data"]
        print("usage recorded: " + ", ".join(f"{row['requests']} requests, {row['errors']} not 200 (hang-ups are 499)" for row in rows))
    finally:
        process.terminate()
        process.wait(timeout=30)
    log = open(log_path).read()
    server_errors = [line for line in log.splitlines() if re.search(r"\berror\b|\bcritical\b", line, re.I) and "status=5" not in line]
    server_errors += [line for line in log.splitlines() if re.search(r"status=5\d\d", line)]
    print(f"server log: {len(log.splitlines())} lines, {len(server_errors)} errors")
    failures += [f"server log: {line}" for line in server_errors[:10]]
    if failures:
        print("\n".join(["FAILED:"] + failures[:20]))
        sys.exit(1)
    print("OK: no server errors, every stream that stayed finished, memory back to its baseline")


if __name__ == "__main__":
    main()
