"""fork copies the output buffer: lines printed once, written twice (or never).

    python3 /lab/demos/buffer_twice.py            # to the terminal: everything looks fine
    python3 /lab/demos/buffer_twice.py > out.txt; cat out.txt     # to a file: look again

print() does not always write at once. Python keeps the text in a buffer inside the process and
writes it later: at a newline when stdout is a terminal, only when the buffer fills (or at a
flush, or at exit) when stdout is a file or a pipe. fork copies the whole process, buffer
included. So a line still in the buffer at fork time exists twice, and is written by both
processes when each flushes. The opposite happens to a child that leaves with os._exit: its
buffer is thrown away with it, unwritten.

The fix in your programs: flush every line at once, as say() does.
"""
import os
import sys

# run: python3 /lab/demos/buffer_twice.py
# shows: ^1\. printed once .*\n2\. .*\n3\. .*\n4\. printed by the parent
# run: python3 /lab/demos/buffer_twice.py > out.txt; cat out.txt
# shows: ^1\. printed once .*\n2\. printed by the child .*\n1\. printed once .*\n4\. printed by the parent
# hides: ^3\.


def main():
    print(f"1. printed once by the parent {os.getpid()}, before fork")
    pid = os.fork()
    if pid == 0:
        print(f"2. printed by the child {os.getpid()}, which then flushes and exits")
        sys.stdout.flush()
        os._exit(0)
    os.waitpid(pid, 0)

    pid = os.fork()
    if pid == 0:
        print(f"3. printed by a child {os.getpid()} that leaves with os._exit without flushing")
        os._exit(0)
    os.waitpid(pid, 0)
    print(f"4. printed by the parent {os.getpid()} at the end")


if __name__ == "__main__":
    main()
