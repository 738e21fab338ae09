#!/usr/bin/env python3
"""Measure what a console writes to its terminal: run a command in an 80x24
pty, count the bytes it writes per second while idle and right after a
change typed into it, and the CPU it uses.

  scripts/measure-tty.py --seconds 30 -- ./hacon demo
  scripts/measure-tty.py --seconds 30 --keys ':hang nova-api controller-0\r' -- ./hacon demo
  CIB_file=live.xml scripts/measure-tty.py --seconds 20 -- crm_mon -i 1
"""
import argparse, fcntl, os, pty, select, struct, sys, termios, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=8, help="seconds before counting (startup paint)")
    ap.add_argument("--keys", default="", help="typed after the warmup, then bytes are counted per second")
    ap.add_argument("--cols", type=int, default=80)
    ap.add_argument("--rows", type=int, default=24)
    ap.add_argument("--raw", default="", help="also write what was counted to this file")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = os.environ.get("TERM", "xterm-256color")
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
    start = time.time()
    buckets = {}
    total_warm = 0
    typed = False
    cpu0, t0 = cpu(pid), time.time()
    while time.time() - start < a.warmup + a.seconds:
        now = time.time() - start
        if not typed and now >= a.warmup:
            typed = True
            cpu0 = cpu(pid)
            t0 = time.time()
            if a.keys:
                os.write(fd, a.keys.encode().decode("unicode_escape").encode())
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                print("the command exited early", file=sys.stderr)
                break
            if now < a.warmup:
                total_warm += len(data)
            else:
                sec = int(now - a.warmup)
                if a.raw:
                    with open(a.raw, "ab") as f:
                        f.write(b"\n=== t=%.2f ===\n" % now + data)
                buckets[sec] = buckets.get(sec, 0) + len(data)
    try:
        cpu1 = cpu(pid)
    except OSError:
        cpu1 = cpu0
    elapsed = time.time() - t0
    os.kill(pid, 15)
    per = [buckets.get(i, 0) for i in range(int(a.seconds))]
    print(f"command: {' '.join(cmd)}  ({a.cols}x{a.rows})")
    print(f"startup paint: {total_warm} bytes in {a.warmup:.0f}s")
    print(f"bytes per second after warmup{' and keys' if a.keys else ''}: {per}")
    print(f"total {sum(per)} bytes in {a.seconds:.0f}s = {sum(per)/a.seconds:.1f} B/s")
    print(f"CPU: {(cpu1-cpu0):.2f}s in {elapsed:.1f}s = {100*(cpu1-cpu0)/elapsed:.2f}% of a core")

def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    hz = os.sysconf("SC_CLK_TCK")
    return (int(parts[11]) + int(parts[12])) / hz

if __name__ == "__main__":
    main()
