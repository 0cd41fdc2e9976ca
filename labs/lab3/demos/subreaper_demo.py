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

PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def grandchild(me):
    time.sleep(0.5)  # give the middle process time to exit and orphan us
    print(f"    grandchild {os.getpid()}: orphaned; my parent is now {os.getppid()} (the demo is {me})", flush=True)
    os._exit(0)


def middle(me, w):
    pid = os.fork()
    if pid == 0:
        grandchild(me)
    os.write(w, f"{pid}\n".encode())
    print(f"  middle {os.getpid()}: forked grandchild {pid} and exiting without waiting", flush=True)
    os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reap", action="store_true", help="behave like a real init: wait for adopted children")
    ap.add_argument("--seconds", type=float, default=300, help="how long to neglect the zombie (default 300)")
    args = ap.parse_args()

    become_subreaper()
    me = os.getpid()
    r, w = os.pipe()
    mid = os.fork()
    if mid == 0:
        middle(me, w)
    os.close(w)
    gc = int(os.read(r, 64))
    os.waitpid(mid, 0)  # the middle one is our own child: reap it like a good parent

    # The grandchild was never our child, but the kernel made it ours when the middle died,
    # so waitid() works on it. WNOWAIT: learn that it died without reaping it.
    os.waitid(os.P_PID, gc, os.WEXITED | os.WNOWAIT)
    if args.reap:
        _, status = os.waitpid(gc, 0)
        print(f"demo {me}: reaped adopted {gc}, exit code {os.waitstatus_to_exitcode(status)}", flush=True)
        return
    print(f"demo {me}: adopted {gc} has died and I will not wait for it: look at it with ps", flush=True)
    time.sleep(args.seconds)


if __name__ == "__main__":
    main()
