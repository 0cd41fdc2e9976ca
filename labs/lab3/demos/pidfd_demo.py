"""Watch child exits with pidfds: a process as a file descriptor (Linux 5.3+).

    python3 /lab/demos/pidfd_demo.py 1500 500 1000

os.pidfd_open(pid) returns a descriptor that select() reports readable once that process has
exited. No signal handler, no coalescing, and each descriptor names exactly one child, so a
pidfd can't be confused by a PID the kernel has reused. Reading the descriptor does nothing:
it only says "exited"; the child is still a zombie until you wait for it.
"""
import os
import select
import sys
import time

# run: python3 /lab/demos/pidfd_demo.py 1500 500 1000
# shows: (?s)reaped \d+, exit code 2\n.*reaped \d+, exit code 3\n.*reaped \d+, exit code 1\n


def start_child(ms, code):
    pid = os.fork()
    if pid == 0:
        time.sleep(ms / 1000)
        os._exit(code)
    return pid


def main():
    delays = [int(a) for a in sys.argv[1:]] or [1500, 500, 1000]
    t0 = time.monotonic()
    by_fd = {}
    for i, ms in enumerate(delays, start=1):
        pid = start_child(ms, i)
        by_fd[os.pidfd_open(pid)] = pid
        print(f"started {pid} ({ms} ms, exit code {i})", flush=True)

    while by_fd:
        readable, _, _ = select.select(list(by_fd), [], [])
        for fd in readable:
            pid = by_fd.pop(fd)
            _, status = os.waitpid(pid, 0)  # won't block: select said it has exited
            os.close(fd)
            print(f"[{time.monotonic() - t0:6.3f} s] reaped {pid}, exit code "
                  f"{os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    main()
