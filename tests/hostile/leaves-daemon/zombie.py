# Leaves a daemon (double fork, new session) that forks a child a second forever, then exits.
import os
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            if os.fork() == 0:
                os._exit(0)
            time.sleep(1)
    os._exit(0)
os.wait()
