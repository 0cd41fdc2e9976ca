# A correct-looking start padded by tests/test_hostile.py with comments to 50 MB: the grader
# must refuse the file, not copy it or choke on it.
print("zombie 1")
input()
