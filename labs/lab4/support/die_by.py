"""die_by.py KILL|SEGV -- die by that signal, sent to itself, so its parent sees a signal death.

A process's own signal kills it unless it is PID 1 of its PID namespace: the kernel drops
signals that PID 1 has no handler for, even from itself. So if this is PID 1 (an init that
exec'd its command instead of running it as a child), it is still here afterwards, says so and
exits 0.
"""
import ctypes
import os
import signal
import sys

PR_SET_DUMPABLE = 4   # from <linux/prctl.h>


def no_core_dump():
    # A SIGSEGV death may write a core file (or feed the host's core_pattern helper): a
    # process that is not dumpable never does.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def main():
    signum = signal.Signals["SIG" + sys.argv[1]]
    no_core_dump()
    os.kill(os.getpid(), signum)
    print(f"die_by: still alive after SIG{sys.argv[1]} to myself (PID {os.getpid()})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
