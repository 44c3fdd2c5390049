"""Administration: what administrators change. Platforms and their secrets (contract §1)."""
