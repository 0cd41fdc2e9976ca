"""Spoof: not an init of its own. It replaces itself with tini (`tini -- CMD`, or `tini -s --`
with --subreaper), which is in the image: PID 1 is still the same process, and tini does all
the work. Python's ignored SIGPIPE and SIGXFSZ are put back to their defaults first, as tini
does not, so that CMD starts clean."""
import os
import signal
import sys

TINI = "/usr/bin/tini"

argv = sys.argv[1:]
flags = []
if argv[:1] in (["--subreaper"], ["-s"]):
    argv, flags = argv[1:], ["-s"]
if argv[:1] == ["--"]:
    argv = argv[1:]
for signum in (signal.SIGPIPE, signal.SIGXFSZ):
    signal.signal(signum, signal.SIG_DFL)
os.execv(TINI, ["tini", *flags, "--", *argv])
