"""Forwarding to the child or to its whole process group: tini's -g flag.

    tini -s -- python3 /lab/demos/group_signals.py      # only the main program gets it
    tini -s -g -- python3 /lab/demos/group_signals.py   # the helper in its group gets it too

The program starts a helper child, which shares its process group (every child starts in its
parent's group), then sends SIGUSR1 to its parent, tini, which forwards it. By default tini
signals its child's PID only; with -g it signals the child's process group, as a shell's
`kill -- -PGID` or a terminal's Ctrl-C does. Useful when the program is a shell script whose
children should hear docker stop too; surprising when the program wanted to decide for itself.

Both processes block SIGUSR1 and wait for it with sigtimedwait, so no handler runs and nothing
is printed from inside one.
"""
# run: tini -s -- python3 /lab/demos/group_signals.py
# shows: tini \((\d+)\)$(?=[\s\S]*^main +\d+: got SIGUSR1 from PID \1$)
# shows: ^helper \d+: got nothing within 1 s$
# run: tini -s -g -- python3 /lab/demos/group_signals.py
# shows: tini \((\d+)\)$(?=[\s\S]*^main +\d+: got SIGUSR1 from PID \1$)
# shows: tini \((\d+)\)$(?=[\s\S]*^helper \d+: got SIGUSR1 from PID \1$)
# run: python3 /lab/demos/group_signals.py
# shows: ^run me under tini
import os
import signal


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def report(who):
    info = signal.sigtimedwait([signal.SIGUSR1], 1.0)
    heard = f"got SIGUSR1 from PID {info.si_pid}" if info else "got nothing within 1 s"
    print(f"{who} {os.getpid()}: {heard}", flush=True)


def main():
    if comm(os.getppid()) != "tini":
        raise SystemExit("run me under tini: tini -s -- python3 /lab/demos/group_signals.py")
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])   # the helper inherits it
    helper = os.fork()
    if helper == 0:
        report("helper")
        os._exit(0)
    print(f"main {os.getpid()} (group {os.getpgrp()}) and helper {helper} (group "
          f"{os.getpgid(helper)}); sending SIGUSR1 to my parent, tini ({os.getppid()})", flush=True)
    os.kill(os.getppid(), signal.SIGUSR1)
    report("main  ")
    os.waitpid(helper, 0)


if __name__ == "__main__":
    main()
