#!/usr/bin/env python3
"""One abusive client against one well-behaved one, with and without --rate-limit.

The abuser sends new titles (every one a render) over 64 connections with its own API key;
the well-behaved client asks for a new card of its own every 200 ms with another key and
records its latency. Three phases, each against a fresh release server on loopback:
  idle      the well-behaved client alone (the baseline of the same run)
  flood     with the abuser, no rate limit
  limited   with the abuser, --rate-limit RATE per key (default 20/s)
Prints a Markdown table: the well-behaved client's p50/p95 and their ratio to idle, and what
the abuser got (renders/s served, 429/s). Python's threads are the load generator, so the
abuser is bounded by them too; the ratios are what to read.

  python3 benches/rate-limit.py            # 10 s per phase
  DURATION=5 python3 benches/rate-limit.py
"""
import http.client, json, os, random, socket, statistics, subprocess, sys, threading, time

DURATION = float(os.environ.get("DURATION", "10"))
RATE = os.environ.get("RATE", "20/s")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BIN = os.path.join(ROOT, "target/release/ogmill")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(extra):
    port = free_port()
    # The server on core 0, this load generator on the others (when there are others), so
    # the generator's own CPU does not show up as the server's latency.
    pin = ["taskset", "-c", "0"] if os.cpu_count() > 1 else []
    p = subprocess.Popen(
        [*pin, BIN, "serve", "--bind", f"127.0.0.1:{port}", "--api-keys", "abuser,polite", "--queue", "1024", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "OGMILL_LOG": "warn"},
    )
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return p, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the server did not start")


def post(conn, key, title):
    body = json.dumps({"title": title})
    conn.request("POST", "/v1/blog", body, {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    return r.status


def abuser(port, stop, counts):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        status = post(conn, "abuser", f"flood {random.random()}")
        counts[status] = counts.get(status, 0) + 1


def polite(port, stop, latencies):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = 0
    while not stop.is_set():
        n += 1
        t = time.perf_counter()
        status = post(conn, "polite", f"A polite new card {n} {random.random()}")
        latencies.append((time.perf_counter() - t) * 1000)
        assert status == 200, status
        time.sleep(0.2)


def phase(extra, abusers):
    server, port = start(extra)
    stop, counts, latencies = threading.Event(), {}, []
    threads = [threading.Thread(target=abuser, args=(port, stop, counts)) for _ in range(abusers)]
    threads.append(threading.Thread(target=polite, args=(port, stop, latencies)))
    for t in threads:
        t.start()
    time.sleep(DURATION)
    stop.set()
    for t in threads:
        t.join()
    server.terminate()
    server.wait()
    q = statistics.quantiles(latencies, n=20)
    return statistics.median(latencies), q[18], counts


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    if os.cpu_count() > 1:
        os.sched_setaffinity(0, set(range(1, os.cpu_count())))
    idle = phase([], 0)
    flood = phase([], 64)
    limited = phase(["--rate-limit", RATE], 64)
    print(f"## Rate limits (`python3 benches/rate-limit.py`, {DURATION:g} s per phase)\n")
    print("One client floods new titles over 64 connections; another asks for a new card every")
    print("200 ms with its own key. Latency of the second client's renders, medians of one run;")
    print("the server pinned to one core, the load generator to the others.\n")
    print("| phase | polite p50 ms | p50 / idle | polite p95 ms | abuser renders/s | abuser 429/s |")
    print("|---|---|---|---|---|---|")
    for name, (p50, p95, counts) in [("idle", idle), ("flood, no limit", flood), (f"flood, --rate-limit {RATE}", limited)]:
        ok = counts.get(200, 0) / DURATION
        limited_s = counts.get(429, 0) / DURATION
        print(f"| {name} | {p50:.1f} | {p50 / idle[0]:.2f}x | {p95:.1f} | {ok:.0f} | {limited_s:.0f} |")


if __name__ == "__main__":
    main()
