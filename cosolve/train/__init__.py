"""Training: imitation of solver schedules and PPO, both driving the batched envs."""
