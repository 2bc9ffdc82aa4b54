"""fewer.py PATTERN A B: whether file A has fewer lines matching PATTERN
than file B (what an option saves, without counting exactly)."""
import re
import sys

pattern, a, b = sys.argv[1:4]
count = [sum(1 for line in open(path) if re.search(pattern, line)) for path in (a, b)]
print(("fewer" if count[0] < count[1] else "not fewer") + f": {count[0]} vs {count[1]}")
