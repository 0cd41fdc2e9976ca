"""An ordinary app that runs shell commands, and what happens to zombies when it is PID 1.

    exec python3 /lab/demos/pid1_zombies.py      # exec: the app takes over the shell's PID
    python3 /lab/demos/pid1_zombies.py           # for comparison: the shell stays PID 1

Every half second the app runs `sh -c 'sleep 0.1 &'` and waits for that sh, as a good parent
should. But sh starts `sleep` in the background and exits at once, so `sleep` is orphaned and
adopted by PID 1; a tenth of a second later it exits and becomes PID 1's zombie. The app then
counts the zombies in the whole container.

  make lab4, with exec       the app is PID 1 and never waits for children it did not start:
                             one more zombie every round, until the container stops
  make lab4 INIT=tini        tini is PID 1 and reaps every orphan: always 0
  without exec               bash is PID 1, and bash reaps any child of its: 0 too

With exec, the app replaces your shell: when it ends, so does the container (make lab4 again).
"""
# run: exec python3 /lab/demos/pid1_zombies.py --rounds 3
# shows: ^I am PID 1; PID 1 is python3$
# shows: ^round 1: orphan \d+ has exited; zombies in this container: 1$
# shows: ^round 3: orphan \d+ has exited; zombies in this container: 3$
# run tini: exec python3 /lab/demos/pid1_zombies.py --rounds 3
# shows: ^I am PID \d+; PID 1 is tini$
# shows: ^round 3: orphan \d+ has exited; zombies in this container: 0$
# hides: zombies in this container: [1-9]
# run: python3 /lab/demos/pid1_zombies.py --rounds 3
# shows: ^I am PID \d+; PID 1 is bash$
# shows: ^round 3: orphan \d+ has exited; zombies in this container: 0$
# hides: zombies in this container: [1-9]
import argparse
import os
import subprocess
import time


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def state(pid):
    """The process's state letter (Z for a zombie), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def zombies():
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and state(p) == "Z"]


def run_shell_command():
    """What many apps do: run a shell command and wait for the shell. Returns the PID of the
    background job it left behind."""
    shell = subprocess.run(["sh", "-c", "sleep 0.1 & echo $!"], capture_output=True, text=True)
    return int(shell.stdout)


def wait_until_dead(pid):
    # Only to make the count exact: the orphan has exited once it is a zombie or gone.
    while state(pid) not in ("Z", None):
        time.sleep(0.01)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--interval", type=float, default=0.5)
    args = ap.parse_args()

    print(f"I am PID {os.getpid()}; PID 1 is {comm(1)}", flush=True)
    for round_number in range(1, args.rounds + 1):
        orphan = run_shell_command()
        wait_until_dead(orphan)
        time.sleep(args.interval)
        print(f"round {round_number}: orphan {orphan} has exited; zombies in this container: "
              f"{len(zombies())}", flush=True)
    print(f"done: {len(zombies())} zombies left", flush=True)


if __name__ == "__main__":
    main()
