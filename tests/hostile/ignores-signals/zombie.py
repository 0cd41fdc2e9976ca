# Ignores every signal it may (Ctrl-C, SIGTERM, SIGHUP, ...) and runs forever.
import signal
import time

for sig in signal.Signals:
    try:
        signal.signal(sig, signal.SIG_IGN)
    except (OSError, ValueError):
        pass   # SIGKILL and SIGSTOP cannot be ignored
while True:
    time.sleep(1)
