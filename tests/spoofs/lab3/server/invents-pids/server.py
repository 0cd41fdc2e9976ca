"""Spoof: forks nothing; answers with invented PIDs and prints reaped lines on timers."""
import itertools
import sys
import threading

pids = itertools.count(5000)
lock = threading.Lock()
timers = []


def say(text):
    with lock:
        print(text, flush=True)


for line in sys.stdin:
    words = line.split()
    if words[:1] == ["run"]:
        pid, ms, code = next(pids), int(words[1]), int(words[2])
        say(f"started {pid}")
        timer = threading.Timer(ms / 1000, say, [f"reaped {pid} status {code}"])
        timer.start()
        timers.append(timer)
    elif words[:1] == ["quit"]:
        break
for timer in timers:
    timer.join()
say("bye")
