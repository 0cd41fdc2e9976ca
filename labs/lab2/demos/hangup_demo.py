"""When a session leader exits, its terminal hangs up its foreground process group.

    python3 /lab/demos/hangup_demo.py              # the orphan dies of SIGHUP
    python3 /lab/demos/hangup_demo.py --nohup      # the orphan ignores SIGHUP and lives on

The demo plays terminal: it opens a new pseudo-terminal (pty.fork) and runs a small program
there as the leader of a new session, with that terminal as its controlling terminal (what a
terminal window or an ssh login does for your shell). The program forks a child and exits at
once. The kernel then sends SIGHUP to the terminal's foreground process group, which still
holds the child. The demo is a child subreaper, so it adopts the orphan and can tell how it
died. Under your shell this does not happen: your shell leads the session, not your program.
"""
import argparse
import ctypes
import os
import pty
import signal
import time

# run: python3 /lab/demos/hangup_demo.py
# shows: (?s)^  leader (\d+) \(session \1\): forked (\d+), exiting.*^demo: PID \2 killed by SIGHUP$
# shows: ^demo: PID \d+ exited with status 0$
# hides: still alive
# run: python3 /lab/demos/hangup_demo.py --nohup
# shows: (?s)forked (\d+), exiting.*^  orphan \1: my session leader has exited, and I am still alive
# shows: (?s)forked (\d+), exiting.*^demo: PID \1 exited with status 0$
# hides: SIGHUP

PR_SET_CHILD_SUBREAPER = 36


def session_leader(nohup):
    """Runs on the new terminal, as its session leader."""
    leader = os.getpid()   # before fork: the child compares getppid() with it
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        if nohup:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)   # what `nohup` does before exec
        os.close(ready_write)   # the leader may exit now
        while os.getppid() == leader:
            time.sleep(0.01)
        print(f"  orphan {os.getpid()}: my session leader has exited, and I am still alive", flush=True)
        os._exit(0)
    os.close(ready_write)
    os.read(ready_read, 1)   # EOF once the child has closed its copy: it is set up
    print(f"  leader {leader} (session {os.getsid(0)}): forked {pid}, exiting", flush=True)
    os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nohup", action="store_true", help="the orphan ignores SIGHUP")
    args = ap.parse_args()
    if ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError("prctl failed")

    leader, terminal = pty.fork()   # the child: a new session, led by it, on a new terminal
    if leader == 0:
        session_leader(args.nohup)
    reap_and_relay(terminal)


def reap_and_relay(terminal):
    """Show what the terminal receives, and how each process of the session ended."""
    buffered = b""
    while True:
        try:
            buffered += os.read(terminal, 1024)   # EIO once nobody holds the terminal open
        except OSError:
            break
    print(buffered.decode(errors="replace").replace("\r\n", "\n"), end="", flush=True)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        code = os.waitstatus_to_exitcode(status)
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"
        print(f"demo: PID {pid} {how}", flush=True)


if __name__ == "__main__":
    main()
