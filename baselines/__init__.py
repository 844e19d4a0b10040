"""Baselines: dispatching rules and heuristics over the batched envs, and OR-Tools models."""
