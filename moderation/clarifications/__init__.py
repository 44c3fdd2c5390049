"""Clarifications: KPU's official answers to election hoaxes. Writing, approval, versions,
attaching them to cases, and the public pages."""
