"""Who adopts an orphan: PID 1, or the nearest child subreaper. tini's -s flag.

    python3 /lab/demos/who_adopts.py               # in make lab4: PID 1 (your shell) adopts
    tini -- python3 /lab/demos/who_adopts.py       # tini is not PID 1 here: a warning, and
                                                   # the orphan goes past tini, to PID 1
    tini -s -- python3 /lab/demos/who_adopts.py    # tini is a child subreaper: it adopts

The program forks a middle child, which forks the orphan-to-be and exits at once; the orphan
reports its new parent. The program itself stays until then: under tini it is tini's child,
and tini exits as soon as its child does (and its adopted orphans would move on again).

Run in make lab4, where PID 1 is your shell, tini is not PID 1. Without -s, the orphan skips
tini and goes to PID 1; with -s (prctl PR_SET_CHILD_SUBREAPER) it stops at tini, which reaps it
when it exits. That is what -s is for: tini under docker exec, or under another init, still
reaping the orphans of its own command.
"""
# run: python3 /lab/demos/who_adopts.py
# shows: ^orphan \d+: adopted by PID 1 \(bash\)$
# run tini: python3 /lab/demos/who_adopts.py
# shows: ^orphan \d+: adopted by PID 1 \(tini\)$
# run: tini -- python3 /lab/demos/who_adopts.py
# shows: Tini is not running as PID 1 and isn't registered as a child subreaper
# shows: ^orphan \d+: adopted by PID 1 \(bash\)$
# run: tini -s -- python3 /lab/demos/who_adopts.py
# shows: my parent is (\d+) \(tini\)[\s\S]*^orphan \d+: adopted by PID \1 \(tini\)$
# hides: WARN
import os
import time


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def orphan(middle, done_w):
    while os.getppid() == middle:   # wait until the kernel has found us a new parent
        time.sleep(0.01)
    adopter = os.getppid()
    print(f"orphan {os.getpid()}: adopted by PID {adopter} ({comm(adopter)})", flush=True)
    os.close(done_w)                # tells the program it may go
    os._exit(0)


def main():
    me = os.getpid()
    print(f"program {me}: my parent is {os.getppid()} ({comm(os.getppid())})", flush=True)
    done_r, done_w = os.pipe()
    middle = os.fork()
    if middle == 0:
        # The middle child's PID, taken before it forks: in the grandchild, getppid() could
        # already name the adopter if the middle child has exited first (Lab 2, section 3).
        middle_pid = os.getpid()
        if os.fork() == 0:
            orphan(middle_pid, done_w)
        print(f"middle {os.getpid()}: exiting without waiting for my child", flush=True)
        os._exit(0)
    os.close(done_w)
    os.waitpid(middle, 0)           # our own child: we reap it
    os.read(done_r, 1)              # b"" once the orphan has spoken and closed its end


if __name__ == "__main__":
    main()
