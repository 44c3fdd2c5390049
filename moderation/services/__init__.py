"""Every write, one function per use case. Import from the submodules."""
