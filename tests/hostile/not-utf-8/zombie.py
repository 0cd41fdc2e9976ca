# café au lait, in Latin-1: not UTF-8
print("zombie 1")
