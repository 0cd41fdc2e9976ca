# kill -9 -1: every process it may signal (all of the learner's but itself), then runs on.
import os
import signal
import time

os.kill(-1, signal.SIGKILL)
time.sleep(10**6)
