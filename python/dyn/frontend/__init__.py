"""Frontends that produce dyn-dialect modules."""
