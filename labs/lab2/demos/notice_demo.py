"""Noticing your own adoption: poll getppid(), or ask for a signal (PR_SET_PDEATHSIG).

    python3 /lab/demos/notice_demo.py               # polling getppid() every 10 ms
    python3 /lab/demos/notice_demo.py --nap 0.5     # "surely my parent is gone by now"
    python3 /lab/demos/notice_demo.py --pdeathsig   # the kernel signals us when the parent dies

The parent lives a random 0.2 to 1 s, as a real one would (it has work to do). The child
says how long after the parent's exit it noticed, and whom it names as its adopter: run the
--nap version a few times, and it sometimes names its living parent.
"""
import argparse
import ctypes
import os
import random
import signal
import time

PR_SET_PDEATHSIG = 1   # from <linux/prctl.h>


def by_polling(parent):
    while (ppid := os.getppid()) == parent:
        time.sleep(0.01)
    return ppid


def by_napping(parent, nap):
    time.sleep(nap)        # a guess, and nothing more
    return os.getppid()


def by_signal(parent):
    # The kernel sends us this signal when the *thread* that forked us exits. Check getppid()
    # after setting it: the parent may have died before we asked.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGUSR1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() == parent:
        signal.sigwait({signal.SIGUSR1})
    return os.getppid()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    how = ap.add_mutually_exclusive_group()
    how.add_argument("--nap", type=float, help="sleep this long instead of polling")
    how.add_argument("--pdeathsig", action="store_true", help="wait for the parent-death signal")
    args = ap.parse_args()

    parent = os.getpid()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        if args.pdeathsig:
            adopter = by_signal(parent)
        elif args.nap is not None:
            adopter = by_napping(parent, args.nap)
        else:
            adopter = by_polling(parent)
        noticed = time.monotonic()
        died = float(os.read(r, 64) or "nan")   # the parent wrote its exit time before exiting
        late = (noticed - died) * 1000
        if adopter == parent:
            print(f"  child: says it was adopted by {adopter}: WRONG, that is its parent, which "
                  f"exited {-late:.0f} ms after the child looked", flush=True)
        else:
            print(f"  child: adopted by {adopter}, noticed {late:.0f} ms after the parent's exit",
                  flush=True)
        os._exit(0)
    os.close(r)
    time.sleep(random.uniform(0.2, 1.0))
    os.write(w, f"{time.monotonic()}".encode())
    print(f"parent {parent}: exiting", flush=True)


if __name__ == "__main__":
    main()
