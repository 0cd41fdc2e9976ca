# 100 MB of output, none of it what the grader waits for.
import sys

line = "x" * 999 + "\n"
for _ in range(100_000):
    sys.stdout.write(line)
