"""Noticing your own adoption: poll getppid(), or ask for a signal (PR_SET_PDEATHSIG).

    python3 /lab/demos/notice_demo.py               # polling getppid() every 10 ms
    python3 /lab/demos/notice_demo.py --nap 0.5     # "surely my parent is gone by now"
    python3 /lab/demos/notice_demo.py --pdeathsig   # the kernel signals us when the parent dies

Two rounds: in each, a parent forks a child and exits, the first after 0.1 s, the second after
1.5 s (a real parent has work to do, and anything can slow it down). The child says whom it
names as its adopter and how long after its parent's exit it noticed. Polling and the signal
get both rounds right, within milliseconds. A nap of 0.5 s gets neither: it notices the quick
parent's exit hundreds of milliseconds late, and names the slow parent, still alive, as its
adopter. No nap fits both parents.
"""
import argparse
import ctypes
import functools
import os
import signal
import time

# run: python3 /lab/demos/notice_demo.py
# shows: (?s)^round 1.*^  child \d+: adopted by 1, noticed .*^round 2.*^  child \d+: adopted by 1,
# hides: WRONG
# run: python3 /lab/demos/notice_demo.py --nap 0.5
# shows: (?s)^round 1.*^  child \d+: adopted by 1, noticed \d{3,} ms after .*^round 2
# shows: ^  child \d+: names \d+ as its adopter: WRONG, that is its parent, alive for \d+ ms more
# run: python3 /lab/demos/notice_demo.py --pdeathsig
# shows: (?s)^round 1.*^  child \d+: adopted by 1, noticed .*^round 2.*^  child \d+: adopted by 1,
# hides: WRONG

PR_SET_PDEATHSIG = 1            # from <linux/prctl.h>
PARENT_LIFETIMES = (0.1, 1.5)   # seconds: one quicker than the nap, one slower


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


def child(parent, notice, exit_times):
    adopter = notice(parent)
    noticed = time.monotonic()
    died = float(os.read(exit_times, 64) or "nan")   # the parent's exit time, written as it exits
    late = (noticed - died) * 1000
    if adopter == parent:
        print(f"  child {os.getpid()}: names {adopter} as its adopter: WRONG, that is its "
              f"parent, alive for {-late:.0f} ms more", flush=True)
    else:
        print(f"  child {os.getpid()}: adopted by {adopter}, noticed {late:.0f} ms after its "
              "parent's exit", flush=True)


def live_as_parent(lifetime, notice):
    exit_times, exiting = os.pipe()
    me = os.getpid()   # before fork: the child compares getppid() with it
    if os.fork() == 0:
        os.close(exiting)   # so that a parent killed before it writes gives us EOF, not a hang
        child(me, notice, exit_times)
        os._exit(0)
    os.close(exit_times)
    time.sleep(lifetime)
    print(f"parent {me}: exiting", flush=True)
    os.write(exiting, f"{time.monotonic()}".encode())


def play_round(lifetime, notice):
    """One parent and its child; returns when both have exited, whoever adopted the child."""
    # The parent and the child hold this pipe's write end until they exit, so read() returns
    # EOF only once both are gone: we need not be the orphan's parent to wait for it.
    done, held = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(done)
        live_as_parent(lifetime, notice)
        os._exit(0)
    os.close(held)
    os.read(done, 1)
    os.close(done)
    os.waitpid(pid, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    how = ap.add_mutually_exclusive_group()
    how.add_argument("--nap", type=float, help="sleep this long instead of polling")
    how.add_argument("--pdeathsig", action="store_true", help="wait for the parent-death signal")
    args = ap.parse_args()
    if args.nap is not None and args.nap < 0:
        ap.error("--nap: a nap can't be negative")
    if args.pdeathsig:
        notice = by_signal
    elif args.nap is not None:
        notice = functools.partial(by_napping, nap=args.nap)
    else:
        notice = by_polling

    for number, lifetime in enumerate(PARENT_LIFETIMES, 1):
        print(f"round {number}: the parent lives {lifetime} s", flush=True)
        play_round(lifetime, notice)


if __name__ == "__main__":
    main()
