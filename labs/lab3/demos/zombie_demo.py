"""Make a zombie, then look at it from the shell.

    python3 /lab/demos/zombie_demo.py &          # & keeps your prompt
    ps -o pid,ppid,stat,cmd                      # the child: STAT Z, CMD [python3] <defunct>
    grep -E 'State|Vm' /proc/<zombie>/status     # "Z (zombie)" and no memory (Vm...) lines
    kill -9 <zombie>; ps -o pid,ppid,stat,cmd    # still there: the dead can't be killed
    kill %1; sleep 0.2; ps -o pid,ppid,stat,cmd  # parent gone, and the zombie with it

Let it run with --seconds 5 to see the parent collect the status the kernel kept for it.
--pipe learns of the exit from a pipe's EOF instead of waitid(WNOWAIT).
"""
import argparse
import os
import time

# run: python3 /lab/demos/zombie_demo.py --seconds 0.5
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


def spawn_with_pipe(code):
    # The other way to know "the child is gone" without reaping: the child holds the only
    # write end of a pipe, and the kernel closes it when the child dies, so read() hits EOF.
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os._exit(code)
    os.close(w)  # the parent must drop its copy, or EOF would never come
    while os.read(r, 1):
        pass
    os.close(r)
    return pid


def proc_state(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.rstrip("\n").split(":\t", 1) for line in f)
    mem = {k: v.strip() for k, v in fields.items() if k.startswith("Vm")}
    return fields["State"], mem or "none"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=300, help="how long to keep the zombie (default 300)")
    ap.add_argument("--pipe", action="store_true", help="learn of the exit from a pipe's EOF")
    args = ap.parse_args()

    if args.pipe:
        pid = spawn_with_pipe(7)
    else:
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
