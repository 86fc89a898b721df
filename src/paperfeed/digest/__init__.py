"""Digests: rendering (pure) and delivery."""
