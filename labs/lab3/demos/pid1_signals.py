"""PID 1 of a container ignores, from inside, every signal it has not asked for. Even SIGKILL.

    python3 /lab/demos/pid1_signals.py

A signal sent to a PID namespace's init from inside that namespace is dropped if the init would
take the default action for it: unless it has a handler for the signal, or has blocked it to
collect it with sigwait (as tini does). SIGKILL can be neither handled nor blocked, so the demo's
SIGKILL to PID 1 (your shell under `make lab3`, tini under `make lab3 INIT=tini`) changes
nothing. Had it worked, the demo would not be there to say so: when a namespace's PID 1 dies,
the kernel kills every process in it. The same rule makes a PID 1 with no SIGTERM handler deaf to
`docker stop`'s SIGTERM; Docker's SIGKILL after the grace period comes from outside the
container, and that one the kernel delivers.
"""
import os
import signal
import time

# run: python3 /lab/demos/pid1_signals.py
# shows: ^PID 1 \(bash\) is still here after my SIGKILL, and so am I
# run tini: python3 /lab/demos/pid1_signals.py
# shows: ^PID 1 \(tini\) is still here after my SIGKILL, and so am I


def name_of(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def main():
    print(f"sending SIGKILL to PID 1 ({name_of(1)})", flush=True)
    os.kill(1, signal.SIGKILL)  # permitted (PID 1 runs as our user); the kernel drops it
    time.sleep(0.5)  # had PID 1 died, its namespace (this demo with it) would be gone by now
    print(f"PID 1 ({name_of(1)}) is still here after my SIGKILL, and so am I", flush=True)


if __name__ == "__main__":
    main()
