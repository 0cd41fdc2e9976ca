"""pool.py TASKS: run TASKS tasks as child processes, as many at once as the pids limit allows.

Task i is a child that sleeps 20 ms, then exits with status i % 256. When fork fails with
EAGAIN, wait for a child to end, then try again. Check each child's status: for a wrong one
print "task <i> exited with <code>". When all have ended as they should, print "done TASKS" and
exit 0; otherwise print "<k> of TASKS tasks failed" and exit 1. See the handout, exercise 3.
"""
import os
import sys
import time

# TODO
