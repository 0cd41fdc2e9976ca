# The grader's process recorder, for hosts where it cannot run bpftrace itself (Docker Desktop,
# a grader without root). Trusted: it runs with CAP_SYS_ADMIN, CAP_IPC_LOCK, the host's PID
# namespace and tracefs (grader/recorder.py), and never runs learner code. It ends when the
# grader closes its standard input.
FROM zombielab/debian:bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends bpftrace \
 && rm -rf /var/lib/apt/lists/*
COPY grader/record.bt /opt/zombielab/record.bt
CMD ["sh", "-c", "bpftrace -B line /opt/zombielab/record.bt & cat >/dev/null; kill $!"]
