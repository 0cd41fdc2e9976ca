"""Says done without running a single task."""
import sys

print(f"done {sys.argv[1]}", flush=True)
