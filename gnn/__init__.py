"""PyG building blocks and policies (message-passing encoders, candidate scorers, value heads)."""
