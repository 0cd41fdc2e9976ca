# Tries to reach the grading host (the Docker bridge's gateway, where the test listens on
# port 48151), the internet and the package mirror, by TCP, UDP and DNS; says what worked.
import socket
import sys

PORT = 48151   # tests/test_hostile.py listens here on every host address
attempts = [("172.17.0.1", PORT), ("10.0.2.2", PORT), ("1.1.1.1", 443), ("deb.debian.org", 80)]
for host, port in attempts:
    try:
        socket.create_connection((host, port), timeout=2).sendall(b"escaped\n")
        print("connected to", host)
    except OSError as exc:
        print("refused:", host, type(exc).__name__)
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"escaped\n", ("172.17.0.1", PORT))
    print("sent a datagram")
except OSError as exc:
    print("refused: datagram", type(exc).__name__)
sys.exit(1)
