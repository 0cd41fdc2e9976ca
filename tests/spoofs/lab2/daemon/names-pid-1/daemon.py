"""Spoof: no daemon at all; PIDFILE names PID 1, which is always running."""
import sys

with open(sys.argv[1], "w") as f:
    f.write("1\n")
