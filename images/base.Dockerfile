# Everything both lab images share: python3, gcc and the C library's headers (an exercise may be
# written in C), the section 2 and 3 man pages (`man 2 waitpid`), ps, tini, the learner account
# and the grader's probe.
FROM zombielab/debian:bookworm
# A base from Docker's slim image leaves man pages out (dpkg.cfg.d/docker): keep them here.
RUN rm -f /etc/dpkg/dpkg.cfg.d/docker \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 procps tini less \
        gcc libc6-dev man-db manpages manpages-dev \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --create-home --shell /bin/bash learner \
 && mkdir -p /home/learner/work && chown learner:learner /home/learner/work
# The probe is trusted: root-owned and read-only to the learner, so learner code cannot change
# what the grader reads from /proc.
COPY grader/probe.py /opt/zombielab/probe.py
COPY images/lab-shell images/handout /usr/local/bin/
# /opt/zombielab/lab receives a lab's trusted support files when a grading container is made.
RUN mkdir -p /opt/zombielab/lab \
 && chown -R root:root /opt/zombielab /usr/local/bin/lab-shell /usr/local/bin/handout \
 && chmod 0755 /opt/zombielab /opt/zombielab/lab /opt/zombielab/probe.py /usr/local/bin/lab-shell /usr/local/bin/handout
# No PYTHONUNBUFFERED: how stdio buffers (and what fork does to a buffer) is part of the labs.
ENV LANG=C.UTF-8
WORKDIR /home/learner/work
USER learner
