"""What a command inherits across exec: the signal mask and every ignored signal.

    python3 /lab/demos/inherited_signals.py

exec replaces the program but keeps two things about signals: which ones are blocked (the mask)
and which ones are ignored (SIG_IGN); only handlers are reset, since their code is gone. Python
ignores SIGPIPE and SIGXFSZ when it starts. This demo starts the same shell command five ways:

  1. fork + exec from Python, as is: SIGPIPE and SIGXFSZ are ignored in the command too
  2. the same, after blocking SIGTERM and ignoring SIGTTOU, as an init does for itself: the
     command starts deaf to SIGTERM, with SIGTTOU ignored
  3. subprocess.run, from that same state: it sets SIGPIPE and SIGXFSZ back to their default
     (restore_signals=True) and nothing else: SIGTERM stays blocked, SIGTTOU ignored
  4. os.posix_spawnp, from that same state, told what to give the command: the mask from before
     the demo blocked SIGTERM (setsigmask) and the default action for every signal ignored here
     (setsigdef): a clean start, as an init must give its command
  5. tini, from a clean state: tini blocks nearly every signal and ignores SIGTTIN and SIGTTOU
     for itself, and gives its child back the state tini started with: clean

The command prints its own SigBlk and SigIgn, read with shell builtins before the shell starts
any child: dash, the sh here, empties its own signal mask once it has forked. Then it runs
`yes | head -n 1` and says how `yes` ended. When head exits, yes's next write hits a pipe
with no reader: with SIGPIPE at its default, the kernel kills yes quietly (status 141 =
128 + 13); with SIGPIPE ignored, the write fails with EPIPE instead, and yes complains and
exits 1.
"""
# run: python3 /lab/demos/inherited_signals.py
# shows: ^1\. .*\n +SigBlk: .*\(none\)\n +SigIgn: .*\(SIGPIPE, SIGXFSZ\)\n.*Broken pipe\n +yes exited
# shows: ^2\. .*\n +SigBlk: .*\(SIGTERM\)\n +SigIgn: .*\(SIGPIPE, SIGTTOU, SIGXFSZ\)\n
# shows: ^3\. .*\n +SigBlk: .*\(SIGTERM\)\n +SigIgn: .*\(SIGTTOU\)\n +yes was killed by SIGPIPE
# shows: ^4\. .*\n +SigBlk: .*\(none\)\n +SigIgn: .*\(none\)\n +yes was killed by SIGPIPE
# shows: ^5\. .*\n +SigBlk: .*\(none\)\n +SigIgn: .*\(none\)\n +yes was killed by SIGPIPE
import os
import signal
import subprocess

SHOW = r"""
while read -r key value; do
    case $key in SigBlk:|SigIgn:) printf '%s %s\n' "$key" "$value" ;; esac
done < /proc/$$/status
exec 3>&1    # the demo's pipe: for what yes says, and how it ended
{ yes 2>&3; echo "yes-status $?" >&3; } | head -n 1 >/dev/null
"""
COMMAND = ["sh", "-c", SHOW]


def names(mask_hex):
    """/proc's masks are hex, bit N-1 for signal N: 0000000000001000 is signal 13, SIGPIPE.
    Only 1 to 31 are named: glibc keeps 32 and 33 for itself, and they have no name."""
    mask = int(mask_hex, 16)
    return ", ".join(signal.Signals(n).name for n in range(1, 32) if mask & (1 << (n - 1))) or "none"


def how_it_ended(status):
    # The shell's convention: 128 + N for a command killed by signal N.
    if status > 128:
        return f"was killed by {signal.Signals(status - 128).name} (status {status} = 128 + {status - 128})"
    return f"exited with status {status}"


def show(output):
    for line in output.splitlines():
        key, _, value = line.partition(" ")
        if key in ("SigBlk:", "SigIgn:"):
            print(f"    {key} {value}  ({names(value)})", flush=True)
        elif key == "yes-status":
            print(f"    yes {how_it_ended(int(value))}", flush=True)
        else:
            print(f"    {line}", flush=True)   # what yes said


def show_output_of(start):
    """Start the command with start(stdout_fd), which returns its PID; show what it printed."""
    r, w = os.pipe()
    pid = start(w)
    os.close(w)
    with os.fdopen(r) as output:
        show(output.read())
    os.waitpid(pid, 0)


def fork_exec(stdout_fd):
    """A plain fork + exec: the command keeps whatever signal state the child had."""
    pid = os.fork()
    if pid == 0:
        os.dup2(stdout_fd, 1)
        os.execvp(COMMAND[0], COMMAND)
    return pid


def spawn_clean(mask, ignored):
    """posix_spawn, told the mask and the default dispositions the command must start with."""
    def start(stdout_fd):
        return os.posix_spawnp(COMMAND[0], COMMAND, os.environ,
                               file_actions=[(os.POSIX_SPAWN_DUP2, stdout_fd, 1)],
                               setsigmask=mask, setsigdef=ignored)
    return start


def run(argv):
    show(subprocess.run(argv, stdout=subprocess.PIPE, text=True).stdout)


def ignored_signals():
    return {signum for signum in signal.valid_signals() if signal.getsignal(signum) == signal.SIG_IGN}


def main():
    print(f"This Python process: SIGPIPE is {signal.getsignal(signal.SIGPIPE).name}, "
          f"SIGXFSZ is {signal.getsignal(signal.SIGXFSZ).name}.", flush=True)
    print("1. fork + exec from Python:", flush=True)
    show_output_of(fork_exec)

    # What an init does for itself (tini does both): signals wait in the queue for it, and a
    # terminal cannot stop it.
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    print("2. the same, with SIGTERM blocked and SIGTTOU ignored in Python:", flush=True)
    show_output_of(fork_exec)
    print("3. subprocess.run (restore_signals=True), from that same state:", flush=True)
    run(COMMAND)
    print("4. posix_spawnp with setsigmask and setsigdef, from that same state:", flush=True)
    show_output_of(spawn_clean(old_mask, ignored_signals()))

    signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
    signal.signal(signal.SIGTTOU, signal.SIG_DFL)
    print("5. tini -s -- (tini gives its child back the state tini started with):", flush=True)
    run(["tini", "-s", "--", *COMMAND])


if __name__ == "__main__":
    main()
