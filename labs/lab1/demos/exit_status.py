"""Exit statuses, and how wait hands them to the parent.

    python3 /lab/demos/exit_status.py

A child ends with os._exit(code); the kernel keeps that code until the parent waits. wait returns
the child's PID and a *wait status*, which packs the code in its bits 8..15 (so exit code 3 arrives
as 768), or the number of the signal that killed the child in its low bits.
os.waitstatus_to_exitcode decodes both: 3 for os._exit(3), -9 for a child killed by SIGKILL.
Only the low 8 bits of an exit code survive: os._exit(256) arrives as 0.
"""
import os
import signal
import time

# run: python3 /lab/demos/exit_status.py
# shows: ^os\._exit\(3\)\s+raw wait status\s+768 \(0x0300\)\s+waitstatus_to_exitcode -> 3$
# shows: ^os\._exit\(256\)\s+raw wait status\s+0 \(0x0000\)\s+waitstatus_to_exitcode -> 0$
# shows: ^killed by SIGKILL \(9\)\s+raw wait status\s+9 \(0x0009\)\s+waitstatus_to_exitcode -> -9$
# shows: then (\d+) \(fast\); the first wait\(\) returned \1, exit code 2
# shows: ^one wait too many: ChildProcessError


def child_exiting_with(code):
    pid = os.fork()
    if pid == 0:
        os._exit(code)
    return pid


def child_killed_by(signum):
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    os.kill(pid, signum)
    return pid


def show(what, pid):
    _, status = os.waitpid(pid, 0)
    print(f"{what:<26} raw wait status {status:>5} (0x{status:04x})  "
          f"waitstatus_to_exitcode -> {os.waitstatus_to_exitcode(status)}", flush=True)


def main():
    show("os._exit(0)", child_exiting_with(0))
    show("os._exit(3)", child_exiting_with(3))
    show("os._exit(255)", child_exiting_with(255))
    show("os._exit(256)", child_exiting_with(256))
    show("killed by SIGKILL (9)", child_killed_by(signal.SIGKILL))

    # os.wait() takes whichever child has ended, not the first one forked.
    slow, fast = child_exiting_after(0.3, 1), child_exiting_after(0.0, 2)
    pid, status = os.wait()
    print(f"forked {slow} (slow) then {fast} (fast); the first wait() returned {pid}, "
          f"exit code {os.waitstatus_to_exitcode(status)}", flush=True)
    os.wait()
    try:
        os.wait()
    except ChildProcessError as exc:
        print(f"one wait too many: {exc!r} -- no child left to wait for", flush=True)


def child_exiting_after(seconds, code):
    pid = os.fork()
    if pid == 0:
        time.sleep(seconds)
        os._exit(code)
    return pid


if __name__ == "__main__":
    main()
