"""Make a zombie, then look at it from the shell.

    python3 /lab/demos/zombie_demo.py &          # & keeps your prompt
    ps -o pid,ppid,stat,cmd                      # the child: STAT Z, CMD [python3] <defunct>
    grep -E 'State|Vm' /proc/<zombie>/status     # "Z (zombie)" and no memory (Vm...) lines
    kill -9 <zombie>; ps -o pid,ppid,stat,cmd    # still there: the dead can't be killed
    kill %1; sleep 0.2; ps -o pid,ppid,stat,cmd  # parent gone, and the zombie with it

Let it run with --seconds 5 to see the parent collect the status the kernel kept for it.

--pipe shows that a pipe's EOF is not "the child is a zombie". A dying process's files are
closed (the kernel's exit_files()) before it is made a zombie (exit_notify()), so right after
EOF the child may still be in state R, exiting. How often depends on the machine and its load,
so the demo tries at least --trials children, and more until it has caught one still exiting;
it counts the states it found at EOF, and then waits for each zombie the right way, with
waitid(WEXITED | WNOWAIT).
"""
import argparse
import os
import time

# run: python3 /lab/demos/zombie_demo.py --seconds 0.5
# shows: State: Z \(zombie\), memory: none
# shows: reaped \d+, exit code 7
# run: python3 /lab/demos/zombie_demo.py --pipe --seconds 0.5
# shows: right after EOF, \d+ children: [1-9]\d* not yet a zombie \([A-Y]\)
# shows: after waitid\(WEXITED \| WNOWAIT\), (\d+) children: \1 zombies$
# shows: State: Z \(zombie\), memory: none
# shows: reaped \d+, exit code 7


def spawn_short_lived_child(code):
    pid = os.fork()
    if pid == 0:
        os._exit(code)  # the child is done at once: from here on only its exit status matters
    return pid


def wait_for_exit_without_reaping(pid):
    # WNOWAIT: report that the child has exited but leave it in the process table, so the
    # exit status is still there to collect later. This is the kernel's answer, not a guess.
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)


def spawn_and_read_to_eof(code):
    """Fork a child holding the only write end of a pipe; return its PID once read() hits EOF."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os._exit(code)  # the kernel closes w on the way out, and our read() returns b""
    os.close(w)  # the parent must drop its copy, or EOF would never come
    while os.read(r, 1):
        pass
    os.close(r)
    return pid


def state_letter(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]  # the field after the command name


def tally(states):
    return ", ".join(f"{n} {'zombies' if s == 'Z' else f'not yet a zombie ({s})'}"
                     for s, n in sorted(states.items(), key=lambda item: item[0] == "Z"))


def eof_is_not_zombie(min_trials, max_trials=5000):
    """At EOF, what state is the child in? And after waitid(WNOWAIT)?"""
    at_eof, after_waitid = {}, {}
    trials = 0
    while trials < min_trials or (set(at_eof) == {"Z"} and trials < max_trials):
        pid = spawn_and_read_to_eof(0)
        letter = state_letter(pid)  # at once: any delay gives the exit time to finish
        at_eof[letter] = at_eof.get(letter, 0) + 1
        wait_for_exit_without_reaping(pid)
        letter = state_letter(pid)
        after_waitid[letter] = after_waitid.get(letter, 0) + 1
        os.waitpid(pid, 0)
        trials += 1
    print(f"right after EOF, {trials} children: {tally(at_eof)}", flush=True)
    print(f"after waitid(WEXITED | WNOWAIT), {trials} children: {tally(after_waitid)}", flush=True)


def proc_state(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.rstrip("\n").split(":\t", 1) for line in f)
    mem = {k: v.strip() for k, v in fields.items() if k.startswith("Vm")}
    return fields["State"], mem or "none"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=300, help="how long to keep the zombie (default 300)")
    ap.add_argument("--pipe", action="store_true", help="show that a pipe's EOF comes before the zombie")
    ap.add_argument("--trials", type=int, default=20, help="children to try at least, with --pipe (default 20)")
    args = ap.parse_args()

    if args.pipe:
        eof_is_not_zombie(args.trials)
    pid = spawn_short_lived_child(7)
    wait_for_exit_without_reaping(pid)

    state, mem = proc_state(pid)
    print(f"parent {os.getpid()}: child {pid} has exited; the kernel says State: {state}, memory: {mem}", flush=True)
    print(f"parent {os.getpid()}: not waiting for it for {args.seconds:g} s", flush=True)
    time.sleep(args.seconds)

    _, status = os.waitpid(pid, 0)
    print(f"parent {os.getpid()}: reaped {pid}, exit code {os.waitstatus_to_exitcode(status)} "
          f"(kept by the kernel all this time)", flush=True)


if __name__ == "__main__":
    main()
