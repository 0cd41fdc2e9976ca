"""After fork, parent and child share each open file, and its position.

    python3 /lab/demos/shared_offset.py

fork copies the parent's file descriptors, but both copies point to the one open file the parent
made with open(): one position (offset) in the file, which every write moves on. So a line the
child writes to the shared file moves the parent's position too, and the parent's next line lands
after it instead of on top of it. A file the child opens by itself after the fork is a second open
file with a position of its own, starting at 0: what it writes overwrites the start of the file.
"""
import os
import tempfile

# run: python3 /lab/demos/shared_offset.py
# shows: ^shared: parent wrote 7 bytes; after the child wrote 6 more, the parent's position is 13$
# shows: ^shared file:\s+\['parent\\n', 'child\\n', 'parent\\n'\]$
# shows: ^own file:\s+\['CHILD\\n', '\\n', 'parent\\n'\]$


def position(fd):
    return os.lseek(fd, 0, os.SEEK_CUR)   # where the next write will land


def write_around_child(path, child_opens_its_own):
    """The parent writes a line, a child writes one, the parent writes another; returns the
    parent's position after the child's write."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, b"parent\n")
    pid = os.fork()
    if pid == 0:
        if child_opens_its_own:
            fd = os.open(path, os.O_WRONLY)   # a new open file: its position starts at 0
        os.write(fd, b"CHILD\n" if child_opens_its_own else b"child\n")
        os._exit(0)
    os.waitpid(pid, 0)
    after_child = position(fd)
    os.write(fd, b"parent\n")
    os.close(fd)
    return after_child


def lines(path):
    with open(path) as f:
        return f.readlines()


def main():
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "out.txt")
        after_child = write_around_child(path, child_opens_its_own=False)
        print(f"shared: parent wrote 7 bytes; after the child wrote 6 more, the parent's position "
              f"is {after_child}")
        print(f"shared file: {lines(path)}")
        write_around_child(path, child_opens_its_own=True)
        print(f"own file:    {lines(path)}")


if __name__ == "__main__":
    main()
