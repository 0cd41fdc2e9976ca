"""Spoof: makes its zombie with a raw clone(CLONE_VM | CLONE_VFORK | SIGCHLD) (x86-64 only).
The child runs on a stack page the parent has already touched, returns from the system call
into three instructions (exit(0)) on a page the parent has already written, and so dies with no
page fault of its own. On Ctrl-C zombie.py reaps it itself: tini's count of its children's page
faults grows by nothing, which is "at least the zombie's own" (0)."""
import ctypes
import mmap
import os
import signal
import struct
import sys

CLONE_VM, CLONE_VFORK, SYS_CLONE = 0x100, 0x4000, 56
EXIT_0 = bytes([0xb8, 0x3c, 0, 0, 0,   # mov eax, 60 (exit)
                0x31, 0xff,            # xor edi, edi
                0x0f, 0x05])           # syscall


def address(buffer):
    return ctypes.addressof(ctypes.c_char.from_buffer(buffer))


def clone_dying_child():
    code = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    code.write(EXIT_0)
    stack = mmap.mmap(-1, mmap.PAGESIZE)
    top = mmap.PAGESIZE - 64
    # libc's syscall() ends with `ret`: in the child, on the new stack, it pops this address.
    stack[top:top + 8] = struct.pack("<Q", address(code))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    args = [SYS_CLONE, CLONE_VM | CLONE_VFORK | signal.SIGCHLD, address(stack) + top, 0, 0, 0]
    pid = libc.syscall(*map(ctypes.c_long, args))
    if pid < 0:
        sys.exit(f"clone failed: {os.strerror(ctypes.get_errno())}")
    return pid


STOP = {signal.SIGINT, signal.SIGTERM}
signal.pthread_sigmask(signal.SIG_BLOCK, STOP)
pid = clone_dying_child()
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
print(f"zombie {pid}", flush=True)
signal.sigwait(STOP)
os.waitpid(pid, 0)                   # reaped by zombie.py itself, not by tini
sys.exit(0)
