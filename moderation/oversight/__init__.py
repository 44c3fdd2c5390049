"""Oversight: what operators watch to know the system is doing its work."""
