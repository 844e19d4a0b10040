"""cosolve: combinatorial scheduling and packing with learned graph policies.

Every problem family follows one contract (see :mod:`cosolve.contract`), every method maps
instances to solutions, and every solution that leaves the program passed the problem's
independent ``check``.
"""

__version__ = "0.1.0"
