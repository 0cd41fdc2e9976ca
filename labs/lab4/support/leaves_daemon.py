"""leaves_daemon.py CODE -- start a long-running child, then exit CODE without waiting for it.

The child is orphaned and adopted by the init. An init exits as soon as its own command has
exited, whatever else still runs: in a container, PID 1's exit ends everything else.
"""
import os
import sys
import time

DAEMON_SECONDS = 60


def main():
    code = int(sys.argv[1])
    pid = os.fork()
    if pid == 0:
        time.sleep(DAEMON_SECONDS)
        os._exit(0)
    print(f"leaving {pid} running, exiting {code}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
