# No real init: whatever command the container runs is PID 1 (by default the learner's shell).
FROM zombielab/lab-base
CMD ["/usr/local/bin/lab-shell"]
