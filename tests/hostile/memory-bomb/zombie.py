# Touches memory (bytearray zero-fills every page) until the kernel's OOM killer ends it.
hoard = []
while True:
    hoard.append(bytearray(16 * 2**20))
