"""Problem families. Each subpackage follows the contract of :mod:`cosolve.contract`."""
