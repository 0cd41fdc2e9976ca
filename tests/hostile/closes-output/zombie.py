# Closes its standard output and error, then runs forever.
import os
import time

os.close(1)
os.close(2)
time.sleep(10**6)
