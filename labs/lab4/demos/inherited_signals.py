"""What a child inherits across exec: the signal mask and every ignored signal.

    python3 /lab/demos/inherited_signals.py

exec replaces the program but keeps two things about signals: which ones are blocked (the mask)
and which ones are ignored (SIG_IGN); only handlers are reset, since their code is gone. Python
ignores SIGPIPE and SIGXFSZ when it starts, so a child started with a plain fork + exec from
Python starts with them ignored too. This demo starts the same shell command four ways:

  1. fork + exec from Python, as is
  2. the same, after blocking SIGTERM (as an init that blocks signals does)
  3. subprocess.run, which resets SIGPIPE and SIGXFSZ for you (restore_signals=True)
  4. tini, which restores what it had before exec'ing its child

The command prints its own SigBlk and SigIgn (read with shell builtins, so the shell is not
waiting for a child while it reads them) and then runs `yes | head -n 1`. With SIGPIPE ignored,
`yes` does not die when head exits: its writes fail with EPIPE and it complains.
"""
import os
import signal
import subprocess

SHOW = r"""
while read -r key value; do
    case $key in SigBlk:|SigIgn:) printf '%s %s\n' "$key" "$value" ;; esac
done < /proc/$$/status
yes | head -n 1 >/dev/null
"""
COMMAND = ["sh", "-c", SHOW]


def names(mask_hex):
    """/proc's masks are hex, bit N-1 for signal N: 0000000000001000 is signal 13, SIGPIPE."""
    mask = int(mask_hex, 16)
    return ", ".join(signal.Signals(n).name for n in range(1, 32) if mask & (1 << (n - 1))) or "none"


def show(output):
    for line in output.splitlines():
        key, value = line.split()
        print(f"    {key} {value}  ({names(value)})", flush=True)


def fork_exec():
    """A plain fork + exec, its output through a pipe."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(w, 1)
        os.execvp(COMMAND[0], COMMAND)
    os.close(w)
    with os.fdopen(r) as output:
        show(output.read())
    os.waitpid(pid, 0)


def run(argv):
    show(subprocess.run(argv, stdout=subprocess.PIPE, text=True).stdout)


def main():
    print(f"This Python process: SIGPIPE is {signal.getsignal(signal.SIGPIPE).name}, "
          f"SIGXFSZ is {signal.getsignal(signal.SIGXFSZ).name}.", flush=True)
    print("1. fork + exec from Python:", flush=True)
    fork_exec()
    print("2. the same with SIGTERM blocked:", flush=True)
    old = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
    fork_exec()
    signal.pthread_sigmask(signal.SIG_SETMASK, old)
    print("3. subprocess.run (restore_signals=True):", flush=True)
    run(COMMAND)
    print("4. tini -s -- (tini gives its child back the state tini started with):", flush=True)
    run(["tini", "-s", "--", *COMMAND])


if __name__ == "__main__":
    main()
