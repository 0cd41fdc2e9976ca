# Spins on the CPU forever, printing nothing: only the CPU limit and the time limit stop it.
while True:
    pass
