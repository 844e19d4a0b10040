"""The dynamic job shop: the same instances, run online through time with machine shutdowns,
blocking and swaps (the interrupting swap-allowed blocking job shop, ISBJSSP)."""
