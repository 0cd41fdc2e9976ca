"""SIGCHLD set to SIG_IGN: no zombies, and no exit statuses either.

    python3 /lab/demos/sigign_demo.py

On Linux (and POSIX since 2001), explicitly ignoring SIGCHLD tells the kernel "I will never wait":
children are freed the moment they exit, so they never become zombies. The price: there is
nothing left to wait for, so the exit codes are gone, and wait() fails with ECHILD.
"""
import os
import signal
import time


def fork_exiting(code):
    pid = os.fork()
    if pid == 0:
        os._exit(code)
    return pid


def main():
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)

    pids = [fork_exiting(code) for code in (3, 4, 5)]
    time.sleep(0.2)  # only for the demo: give them time to exit
    for pid in pids:
        print(f"child {pid}: /proc/{pid} exists? {os.path.exists(f'/proc/{pid}')}")

    try:
        os.wait()
    except ChildProcessError as e:
        print(f"os.wait(): {e!r} -- the exit codes 3, 4, 5 are lost")

    # Back to the default disposition: children become zombies again until waited for.
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    pid = fork_exiting(6)
    _, status = os.waitpid(pid, 0)
    print(f"with SIG_DFL again: reaped {pid}, exit code {os.waitstatus_to_exitcode(status)}")


if __name__ == "__main__":
    main()
