"""civicgraph-webhooks: posts a city's case and meeting events, signed, to its admin's URLs."""

from __future__ import annotations

NAME = "webhooks"
