"""The grader's stand-in for a shell: starts a learner's program as its child and never reaps it.

    python3 -I -c "$(cat holder.py)" MODE PROGRAM ARGS...

checks.py passes this file's text on the command line; it runs as the learner, under the
terminal of `docker exec`, and nothing of it is stored where the learner's programs could change
it. It exists because a program that docker exec runs directly is not run the way a shell runs
it:
  - docker shuts the terminal down as soon as the exec'd process exits, and whatever is written
    after that is lost: an orphan speaks after its parent's exit;
  - the exec'd process leads its session, and a session leader's exit hangs up its terminal's
    foreground group (SIGHUP), which kills the orphans a shell's jobs would leave alive.

It forks, prints `zombielab-program <pid>`, lets the child exec `PROGRAM ARGS...` (the learner's
command: `python3 orphan.py` or `./orphan`; at once, or, with MODE "gated", once the grader
sends a line, so the grader can stop the terminal's output first), prints `zombielab-exited`
when the program ends, and then waits forever without reaping it: the program stays its zombie,
its exit status readable in /proc. Its own lines go to stderr, the terminal: the program's
stdout may be a file the grader gave it. If that line says
"subreaper", it first becomes a child subreaper, so the program's orphans come to it. It comes
on a line, not in MODE, so that nothing the program can read (this command line) tells it
which adopter to expect.
"""
import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"holder: prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")


def start(program):
    """Fork the program, held at a gate (a pipe) until open_gate is closed."""
    gate, opener = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(opener)
        os.read(gate, 1)   # EOF once the holder closes its end
        os.close(gate)
        os.execvp(program[0], program)
    os.close(gate)
    return pid, opener


def main():
    mode, program = sys.argv[1], sys.argv[2:]
    pid, opener = start(program)
    print("zombielab-program", pid, file=sys.stderr, flush=True)
    if mode == "gated" and b"subreaper" in os.read(0, 64):   # the grader's go line
        become_subreaper()
    os.close(opener)
    # WNOWAIT: learn that the program has ended without reaping it.
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    print("zombielab-exited", file=sys.stderr, flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
