"""Run a program the way the grader does, under an adopter that never reaps, and list what it
leaves behind.

    python3 /lab/demos/no_reaper.py python3 fork_children.py 5
    python3 /lab/demos/no_reaper.py python3 chain.py 6

In `make lab1` your shell is PID 1, and bash reaps any child it adopts: a zombie your program
leaves when it exits disappears at once, and you never see it. In the grading container PID 1 is
`sleep infinity`, which never reaps, so every child you did not wait for stays a zombie.

This demo recreates that: it makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so
the orphans among its descendants are reparented to it instead of to PID 1, runs your command,
and then, without ever waiting for the adopted ones, lists the zombies it has collected.
"""
import ctypes
import os
import sys
import time

# run: python3 /lab/demos/no_reaper.py python3 -c 'import os; os.fork() or os._exit(0)'
# shows: ^\[no_reaper\] left behind, waited for by nobody: 1 zombie\(s\)
# run: python3 /lab/demos/no_reaper.py python3 -c 'import os; os.fork() or os._exit(0); os.wait()'
# shows: ^\[no_reaper\] no zombies left behind

PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def my_zombies():
    me, found = os.getpid(), []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    head, _, tail = f.read().rpartition(")")
            except FileNotFoundError:
                continue
            state, ppid = tail.split()[:2]
            if int(ppid) == me and state == "Z":
                found.append(f"{name} {head.partition('(')[2]}")
    return found


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    become_subreaper()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        finally:
            os._exit(127)
    _, status = os.waitpid(pid, 0)   # the program itself, our own child: reap it, nothing else
    print(f"[no_reaper] {' '.join(sys.argv[1:])} exited with status "
          f"{os.waitstatus_to_exitcode(status)}", flush=True)
    time.sleep(0.5)                  # let any orphan that was still running finish
    left = my_zombies()
    if left:
        print(f"[no_reaper] left behind, waited for by nobody: {len(left)} zombie(s): "
              + ", ".join(left), flush=True)
    else:
        print("[no_reaper] no zombies left behind: every child was reaped by its own parent", flush=True)


if __name__ == "__main__":
    main()
