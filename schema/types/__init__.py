"""Strawberry types over core's rows, one module per part of the domain."""
