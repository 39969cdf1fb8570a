"""Reusable, id-parameterised pieces of the user interface."""
