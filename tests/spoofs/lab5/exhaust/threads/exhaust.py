"""Spoof: forks nothing. It starts threads until the next one cannot be started (a thread is a
task: it takes a PID of the namespace and a place in the pids cgroup, so it runs out exactly
where forks would), reports that count as forked children, then lets the threads end. Its
reaped line is true: there never was a child to reap."""
import threading

threading.stack_size(256 * 1024)
release = threading.Event()
threads = []
while True:
    thread = threading.Thread(target=release.wait)
    try:
        thread.start()
    except RuntimeError:   # can't start new thread: pthread_create failed with EAGAIN
        break
    threads.append(thread)
print(f"fork failed after {len(threads)} children: EAGAIN", flush=True)
release.set()
for thread in threads:
    thread.join()
print("reaped 0", flush=True)
