#!/usr/bin/env python3
"""Gateway overhead: Nuri's gateway and LiteLLM's proxy in front of the same fast fake upstream.

Starts `nuri-fake-upstream` (SwiftNIO, fixed answers), then Nuri (`nuri serve --remote` to it)
and, if a LiteLLM executable is given, LiteLLM's proxy configured for the same upstream. For
each target (the upstream directly; the upstream on the gateway's CPU, `upstream*`, the cost of
one more hop between CPUs; Nuri; LiteLLM) and each mode (non-streaming, streaming) it
runs wrk twice:

  * latency:    one connection, back-to-back requests  -> p50 / p99 per request;
  * throughput: --connections connections              -> requests per second.

Added latency is a gateway's percentile minus the upstream's percentile at the same setting (a
difference of percentiles, not the percentile of per-request differences). The host's load
drifts from minute to minute on a shared machine, so the figure reported is paired: --rounds
times, the upstream directly and then the gateway, one connection each for --pair-seconds, back
to back; the added latency is the median of the rounds' differences (with their range). The
single long runs are still printed, and given in --json.

CPUs: the gateway under test is pinned to --gateway-cpus, the upstream and wrk share
--load-cpus (taskset), so both gateways get the same cores and never compete with the load.

    make release    # nuri and nuri-fake-upstream, with the Makefile's release flags
    python3 scripts/bench-gateway.py --litellm /path/to/venv/bin/litellm

Needs wrk (Debian: apt-get install wrk). LiteLLM is optional and never installed by this script.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
QUESTION = [{"role": "user", "content": "What is the capital of South Korea?"}]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpus, command):
    return ["taskset", "-c", cpus, *command] if cpus else command


def wait_http(url, headers=None, timeout=60, process=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"{url}: the process exited with {process.returncode}")
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2).read()
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def post(url, body, token):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


def check(name, base, token, model):
    """One plain and one streamed request: both must succeed and carry the upstream's words."""
    status, text = post(base + "/chat/completions", {"model": model, "messages": QUESTION}, token)
    assert status == 200 and "word0" in text, f"{name}: plain answer {status} {text[:200]}"
    status, text = post(base + "/chat/completions", {"model": model, "messages": QUESTION, "stream": True}, token)
    assert status == 200 and "word0" in text and "[DONE]" in text, f"{name}: streamed answer {status} {text[:200]}"


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse_wrk(output):
    def number(pattern):
        match = re.search(pattern, output)
        return match and float(match.group(1))
    result = {"rps": number(r"Requests/sec:\s+([\d.]+)")}
    for percentile in ("50", "99"):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        result[f"p{percentile}"] = float(match.group(1)) * UNITS[match.group(2)] if match else None
    non2xx = number(r"Non-2xx or 3xx responses:\s+(\d+)")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["failures"] = int(non2xx or 0) + (sum(int(x) for x in errors.groups()) if errors else 0)
    return result


def wrk(args, url, token, body, connections, seconds, lua_dir):
    script = os.path.join(lua_dir, f"body-{abs(hash(body))}.lua")
    with open(script, "w") as f:
        f.write('wrk.method = "POST"\n')
        f.write(f"wrk.body = [==[{body}]==]\n")
        f.write('wrk.headers["Content-Type"] = "application/json"\n')
        f.write(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    command = pinned(args.load_cpus, ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", script, url])
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def chat_body(model, stream):
    """The chat request every target gets, as JSON text."""
    return json.dumps({"model": model, "messages": QUESTION, "max_tokens": 16, **({"stream": True} if stream else {})})


def measure(args, name, base, token, model, lua_dir):
    url = base + "/chat/completions"
    rows = {}
    for mode, stream in (("plain", False), ("stream", True)):
        body = chat_body(model, stream)
        wrk(args, url, token, body, args.connections, args.warmup, lua_dir)  # warm caches, pools, JIT-free but fair
        latency = wrk(args, url, token, body, 1, args.duration, lua_dir)
        throughput = wrk(args, url, token, body, args.connections, args.duration, lua_dir)
        rows[mode] = {"p50": latency["p50"], "p99": latency["p99"], "rps": throughput["rps"],
                      "failures": latency["failures"] + throughput["failures"]}
        print(f"  {name:9} {mode:6}  {throughput['rps']:9.0f} req/s   p50 {latency['p50']:.3f} ms   p99 {latency['p99']:.3f} ms"
              f"   failures {rows[mode]['failures']}", file=sys.stderr)
    return rows


def paired(args, base, token, model, direct, lua_dir):
    """Added latency in --rounds rounds of (upstream directly, then the gateway), back to back."""
    rows = {}
    for mode, stream in (("plain", False), ("stream", True)):
        body, direct_body = chat_body(model, stream), chat_body("fake", stream)
        added = {"p50": [], "p99": []}
        failures = 0
        for _ in range(args.rounds):
            upstream = wrk(args, direct + "/chat/completions", "none", direct_body, 1, args.pair_seconds, lua_dir)
            gateway = wrk(args, base + "/chat/completions", token, body, 1, args.pair_seconds, lua_dir)
            failures += upstream["failures"] + gateway["failures"]
            for key in added:
                added[key].append(gateway[key] - upstream[key])
        rows[mode] = {f"added_{key}": statistics.median(values) for key, values in added.items()}
        rows[mode].update({f"added_{key}_rounds": sorted(values) for key, values in added.items()})
        rows[mode]["failures"] = failures
    return rows


def start_upstream(args, cpus):
    """The fake upstream on `cpus`, answering; returns the process and its base URL."""
    port = free_port()
    process = subprocess.Popen(pinned(cpus, [args.upstream, "--port", str(port), "--threads", "1", "--chunks", str(args.chunks)]),
                               stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/v1/models", process=process)
    return process, base


def start_nuri(args, upstream, data_dir):
    token = subprocess.run([args.nuri, "admin", "init", "--data-dir", data_dir], check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    port = free_port()
    spec = f"name=fake;url={upstream}/v1;model=fake;jurisdiction=KR;relationship=in_house"
    log = open(os.path.join(data_dir, "serve.log"), "w")
    process = subprocess.Popen(pinned(args.gateway_cpus, [args.nuri, "serve", "--data-dir", data_dir, "--port", str(port),
                                                          "--remote", spec, "--log-level", args.nuri_log_level]),
                               stdout=log, stderr=subprocess.STDOUT)
    wait_http(f"http://127.0.0.1:{port}/healthz", process=process)
    return process, f"http://127.0.0.1:{port}/v1", token


def start_litellm(args, upstream, directory):
    port = free_port()
    key = "sk-bench-" + os.urandom(8).hex()
    config = os.path.join(directory, "litellm.yaml")
    with open(config, "w") as f:
        f.write(f"""model_list:
  - model_name: fake
    litellm_params:
      model: openai/fake
      api_base: {upstream}/v1
      api_key: fake-key
general_settings:
  master_key: {key}
  disable_spend_logs: true
  disable_error_logs: true
litellm_settings:
  set_verbose: false
  turn_off_message_logging: true
  telemetry: false
""")
    # uvicorn's access log off; everything else at WARNING.
    log_config = os.path.join(directory, "logging.json")
    with open(log_config, "w") as f:
        json.dump({"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"},
                   "loggers": {"uvicorn.access": {"level": "CRITICAL", "propagate": False}}}, f)
    env = {**os.environ, "LITELLM_LOG": "ERROR", "LITELLM_TELEMETRY": "False", "DISABLE_SCHEMA_UPDATE": "true"}
    env.pop("DATABASE_URL", None)
    log = open(os.path.join(directory, "litellm.log"), "w")
    process = subprocess.Popen(pinned(args.gateway_cpus, [args.litellm, "--config", config, "--host", "127.0.0.1", "--port", str(port),
                                                          "--num_workers", "1", "--log_config", log_config]),
                               stdout=log, stderr=subprocess.STDOUT, env=env)
    wait_http(f"http://127.0.0.1:{port}/health/liveliness", timeout=180, process=process)
    return process, f"http://127.0.0.1:{port}/v1", key


def stop(process):
    if process and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nuri", default=os.path.join(ROOT, ".build", "release", "nuri"))
    parser.add_argument("--upstream", default=os.path.join(ROOT, ".build", "release", "nuri-fake-upstream"))
    parser.add_argument("--litellm", help="LiteLLM's `litellm` executable (its own virtualenv); omitted: Nuri only")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each mode (default 2)")
    parser.add_argument("--connections", type=int, default=64, help="connections for the throughput runs (default 64)")
    parser.add_argument("--gateway-cpus", default="0", help="CPUs the gateway under test may use (taskset list; default 0)")
    parser.add_argument("--load-cpus", default="1", help="CPUs of the fake upstream and wrk (default 1)")
    parser.add_argument("--chunks", type=int, default=16, help="content chunks per streamed answer (default 16)")
    parser.add_argument("--nuri-log-level", default="info", help="nuri serve --log-level (default info: a line per request)")
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds for the added latency (default 5)")
    parser.add_argument("--pair-seconds", type=int, default=2, help="seconds per side of each paired round (default 2)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed (Debian: apt-get install {'wrk' if tool == 'wrk' else 'util-linux'})")
    for binary in (args.nuri, args.upstream):
        if not os.access(binary, os.X_OK):
            raise SystemExit(f"{binary} is missing: make release (builds both)")

    directory = tempfile.mkdtemp(prefix="nuri-bench-gateway-")
    processes = []
    try:
        upstream_process, upstream = start_upstream(args, args.load_cpus)
        processes.append(upstream_process)
        check("upstream", upstream + "/v1", "none", "fake")
        results = {}
        print(f"cpus: gateway {args.gateway_cpus}, upstream + wrk {args.load_cpus}; {args.duration} s per run, "
              f"{args.connections} connections for req/s, 1 for latency", file=sys.stderr)
        results["upstream"] = measure(args, "upstream", upstream + "/v1", "none", "fake", directory)

        # The same upstream placed where the gateway runs (its CPU, reached from the load's CPU):
        # what one more hop between the CPUs costs before any gateway work (on this 2-vCPU VM a
        # wake-up across CPUs costs tens of microseconds). Shown for reference; "added" is still
        # measured against the direct upstream above.
        hop_process, hop = start_upstream(args, args.gateway_cpus)
        processes.append(hop_process)
        results["upstream*"] = measure(args, "upstream*", hop + "/v1", "none", "fake", directory)
        stop(hop_process)

        nuri, base, token = start_nuri(args, upstream, os.path.join(directory, "nuri"))
        processes.append(nuri)
        check("nuri", base, token, "fake")
        results["nuri"] = measure(args, "nuri", base, token, "fake", directory)
        pairs = {"nuri": paired(args, base, token, "fake", upstream + "/v1", directory)}
        stop(nuri)

        if args.litellm:
            litellm, base, key = start_litellm(args, upstream, directory)
            processes.append(litellm)
            check("litellm", base, key, "fake")
            results["litellm"] = measure(args, "litellm", base, key, "fake", directory)
            pairs["litellm"] = paired(args, base, key, "fake", upstream + "/v1", directory)
            stop(litellm)
    finally:
        for process in processes:
            stop(process)
        shutil.rmtree(directory, ignore_errors=True)

    direct = results["upstream"]
    print()
    print(f"Gateway overhead over a fake upstream ({args.chunks} chunks per stream); gateway on CPU {args.gateway_cpus}, "
          f"upstream and wrk on CPU {args.load_cpus}")
    print(f"{'target':10} {'mode':7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'added p50':>10} {'added p99':>10}")
    for name, rows in results.items():
        for mode, row in rows.items():
            added = "" if name.startswith("upstream") else f"{row['p50'] - direct[mode]['p50']:10.3f} {row['p99'] - direct[mode]['p99']:10.3f}"
            print(f"{name:10} {mode:7} {row['rps']:9.0f} {row['p50']:8.3f} {row['p99']:8.3f} {added}")
    print("upstream*: the fake upstream on the gateway's CPU, reached across CPUs (the cost of the extra hop alone)")
    print()
    print(f"Added latency, paired: {args.rounds} rounds of (upstream directly, then the gateway), {args.pair_seconds} s each, "
          "one connection; the median of the rounds' differences, and their range")
    print(f"{'target':10} {'mode':7} {'added p50':>10} {'range':>15} {'added p99':>10} {'range':>15}")
    for name, rows in pairs.items():
        for mode, row in rows.items():
            ranges = {key: f"{row[f'added_{key}_rounds'][0]:.3f}–{row[f'added_{key}_rounds'][-1]:.3f}" for key in ("p50", "p99")}
            print(f"{name:10} {mode:7} {row['added_p50']:10.3f} {ranges['p50']:>15} {row['added_p99']:10.3f} {ranges['p99']:>15}")
            results[name][mode]["paired"] = row
    if "litellm" in results:
        for mode in ("plain", "stream"):
            ratio = results["nuri"][mode]["rps"] / results["litellm"][mode]["rps"]
            print(f"nuri / litellm req/s ({mode}): {ratio:.1f}x")
    failures = sum(row["failures"] for rows in results.values() for row in rows.values())
    failures += sum(row["failures"] for rows in pairs.values() for row in rows.values())
    if args.json:
        print(json.dumps(results, indent=2))
    if failures:
        raise SystemExit(f"{failures} requests failed (non-2xx or socket errors)")


if __name__ == "__main__":
    main()
