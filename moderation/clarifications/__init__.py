"""KPU clarifications: matching case text to published clarifications, and their search columns."""
