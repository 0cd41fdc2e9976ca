"""Spoof: not an init at all. It replaces itself with CMD (exec), as an entrypoint script's
`exec "$@"` does: CMD becomes PID 1, with nobody to forward signals or reap orphans, and with
Python's ignored SIGPIPE and SIGXFSZ."""
import os
import sys

argv = sys.argv[1:]
if argv[:1] in (["--subreaper"], ["-s"]):
    argv = argv[1:]
if argv[:1] == ["--"]:
    argv = argv[1:]
os.execvp(argv[0], argv)
