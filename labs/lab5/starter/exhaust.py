"""exhaust.py: fork children that exit at once and don't reap them, until fork fails.

Print "fork failed after <n> children: <ERRNO NAME>" (errno.errorcode gives the name), then reap
all n children, print "reaped <n>" and exit 0. See the handout, exercise 1.
"""
import errno
import os

# TODO
