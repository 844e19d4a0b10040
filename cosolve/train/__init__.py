"""Training: one loop (:mod:`~cosolve.train.loop`), one PPO core with PPO-EWMA
(:mod:`~cosolve.train.ppo`), one imitation core (:mod:`~cosolve.train.imitation`), and each
problem's trainer beside its recipe (:mod:`~cosolve.train.recipes`), all driving the batched envs."""
