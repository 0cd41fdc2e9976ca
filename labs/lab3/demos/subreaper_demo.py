"""An adopter that never waits: what happens when PID 1 is not a real init.

    python3 /lab/demos/subreaper_demo.py &
    ps -o pid,ppid,stat,cmd      # the orphaned grandchild: Z, and its PPID is the demo, not 1
    kill %1; sleep 0.2; ps -o pid,ppid,stat,cmd    # adopter gone: the zombie passes on and is reaped

    python3 /lab/demos/subreaper_demo.py --reap    # a good adopter: it waits for what it adopts

prctl(PR_SET_CHILD_SUBREAPER) makes this process the adopter of any orphan among its own
descendants, the job PID 1 does for the whole PID namespace. A process that adopts but never calls
wait() collects zombies forever, which is exactly what a container whose PID 1 is your app does.
"""
import argparse
import ctypes
import os
import time

# run: python3 /lab/demos/subreaper_demo.py --seconds 1
# shows: grandchild (\d+): orphaned; my parent is now (\d+) \(the demo is \2\)
# shows: adopted (\d+) has died and I will not wait for it: State: Z \(zombie\), PPid: (\d+) = me
# run: python3 /lab/demos/subreaper_demo.py & sleep 1; kill %1; wait; sleep 0.5; ps -o pid,stat,cmd
# shows: adopted \d+ has died and I will not wait for it
# shows: ^\s*1 \S+\s+\S*(bash|tini)
# hides: <defunct>
# run: python3 /lab/demos/subreaper_demo.py --reap
# shows: reaped adopted \d+, exit code 0

PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def grandchild(me, adopted):
    os.read(adopted, 1)  # wait until the demo says the middle process is gone: no guessing
    print(f"    grandchild {os.getpid()}: orphaned; my parent is now {os.getppid()} (the demo is {me})", flush=True)
    os._exit(0)


def middle(me, w, adopted):
    pid = os.fork()
    if pid == 0:
        grandchild(me, adopted)
    os.write(w, f"{pid}\n".encode())
    print(f"  middle {os.getpid()}: forked grandchild {pid} and exiting without waiting", flush=True)
    os._exit(0)


def status_fields(pid, *names):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.rstrip("\n").split(":\t", 1) for line in f)
    return [fields[name] for name in names]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reap", action="store_true", help="behave like a real init: wait for adopted children")
    ap.add_argument("--seconds", type=float, default=300, help="how long to neglect the zombie (default 300)")
    args = ap.parse_args()

    become_subreaper()
    me = os.getpid()
    r, w = os.pipe()
    adopted_r, adopted_w = os.pipe()
    mid = os.fork()
    if mid == 0:
        middle(me, w, adopted_r)
    os.close(w)
    gc = int(os.read(r, 64))
    # Once the middle one is reaped it has finished exiting, and its orphan is ours: the kernel
    # reparents orphans before it makes their parent a zombie.
    os.waitpid(mid, 0)
    os.write(adopted_w, b"x")

    # The grandchild was never our child, but the kernel made it ours when the middle died,
    # so waitid() works on it. WNOWAIT: learn that it died without reaping it.
    os.waitid(os.P_PID, gc, os.WEXITED | os.WNOWAIT)
    if args.reap:
        _, status = os.waitpid(gc, 0)
        print(f"demo {me}: reaped adopted {gc}, exit code {os.waitstatus_to_exitcode(status)}", flush=True)
        return
    state, ppid = status_fields(gc, "State", "PPid")
    print(f"demo {me}: adopted {gc} has died and I will not wait for it: State: {state}, "
          f"PPid: {ppid}{' = me' if int(ppid) == me else ''}; look at it with ps", flush=True)
    time.sleep(args.seconds)


if __name__ == "__main__":
    main()
