"""The forwarding workload: reports each signal it is sent, and who sent it.

    python3 catch_signals.py [ARG...]

It blocks the signals an init forwards and takes them one at a time with sigwaitinfo, which
also says who sent each one. Before it says it is ready it starts a helper, a child in its own
process group, which reports the signals that reach it too. Lines:

    catcher <pid> ready args <the arguments, as JSON>
    catcher got SIGHUP from <sender's pid>
    helper got SIGHUP from <sender's pid>

An init forwards to its child alone: only `tini -g` signals the child's whole process group,
and then the helper hears it too. A signal the terminal itself sends (SIGWINCH on a resize)
comes from PID 0, the kernel.
"""
import ctypes
import json
import os
import signal
import sys

FORWARDED = [signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
             signal.SIGPIPE, signal.SIGALRM, signal.SIGTERM, signal.SIGCONT, signal.SIGTSTP,
             signal.SIGURG, signal.SIGWINCH]
PR_SET_PDEATHSIG = 1   # from <linux/prctl.h>


def report_signals(who):
    while True:
        info = signal.sigwaitinfo(FORWARDED)
        print(f"{who} got {signal.Signals(info.si_signo).name} from {info.si_pid}", flush=True)


def die_with_parent():
    # The helper must not outlive the catcher, whatever the init does with orphans.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def start_helper():
    catcher = os.getpid()
    if os.fork() == 0:
        die_with_parent()
        if os.getppid() != catcher:   # the catcher died before prctl: nobody to help
            os._exit(0)
        report_signals("helper")


def main():
    # Blocked signals wait in the queue until sigwaitinfo takes them: none is lost, none acts
    # (not even SIGTSTP, which would stop us), and the helper inherits the mask.
    signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    start_helper()
    print(f"catcher {os.getpid()} ready args {json.dumps(sys.argv[1:])}", flush=True)
    report_signals("catcher")


if __name__ == "__main__":
    main()
