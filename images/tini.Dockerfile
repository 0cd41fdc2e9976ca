# tini is PID 1: it forwards signals to the command and reaps every zombie it inherits.
FROM zombielab/lab-base
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/usr/local/bin/lab-shell"]
