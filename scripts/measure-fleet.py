#!/usr/bin/env python3
"""Measure a console in a pty: CPU (% of one core) over a quiet window, peak
RSS (VmHWM from /proc), and key latency: the time from writing a key to the
first byte the console writes back, over --keys keys (j and k alternately,
so every key changes the screen).

  scripts/measure-fleet.py --warmup 20 --seconds 60 --keys 100 -- ./hacon --config fleet.yaml

scripts/measure-fleet.sh builds the fleet and runs this.
"""
import argparse, fcntl, os, pty, random, select, struct, sys, termios, time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warmup", type=float, default=20, help="seconds before measuring (startup, first polls)")
    ap.add_argument("--seconds", type=float, default=60, help="CPU window (no keys typed)")
    ap.add_argument("--keys", type=int, default=100)
    ap.add_argument("--cols", type=int, default=80)
    ap.add_argument("--rows", type=int, default=24)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = os.environ.get("TERM", "xterm-256color")
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
    try:
        drain(fd, a.warmup)
        c0, t0 = cpu(pid), time.time()
        drain(fd, a.seconds)
        c1, t1 = cpu(pid), time.time()
        lat = keys(fd, a.keys)
        rss = peak_rss(pid)
    finally:
        os.kill(pid, 15)
        os.waitpid(pid, 0)
    load = open("/proc/loadavg").read().split()[:3]
    print(f"command: {' '.join(cmd)}  ({a.cols}x{a.rows})")
    print(f"machine: {os.cpu_count()} cores, loadavg {' '.join(load)}")
    print(f"CPU: {c1 - c0:.2f}s in {t1 - t0:.1f}s = {100 * (c1 - c0) / (t1 - t0):.2f}% of one core")
    print(f"peak RSS: {rss / 1024:.1f} MB")
    lat.sort()
    if lat:
        p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
        print(f"key → first byte over {len(lat)} keys: p50 {p(.5):.1f} ms  p95 {p(.95):.1f} ms  p99 {p(.99):.1f} ms  max {lat[-1]:.1f} ms")
    else:
        print("key latency: no key answered")


def drain(fd, seconds):
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            os.read(fd, 65536)


def keys(fd, n):
    """Types j/k n times; each time waits for the output to go quiet first
    (so a data repaint in flight is not taken for the key's answer)."""
    out = []
    for i in range(n):
        quiet(fd, 0.05)
        time.sleep(random.uniform(0.02, 0.15))
        t = time.time()
        os.write(fd, b"j" if i % 2 == 0 else b"k")
        r, _, _ = select.select([fd], [], [], 2.0)
        if r:
            os.read(fd, 65536)
            out.append(1000 * (time.time() - t))
    return out


def quiet(fd, gap):
    """Reads until nothing came for gap seconds (at most 3 s)."""
    end = time.time() + 3
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], gap)
        if not r:
            return
        os.read(fd, 65536)


def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


if __name__ == "__main__":
    main()
