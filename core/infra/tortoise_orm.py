"""What `tortoise makemigrations` reads (`[tool.tortoise]` in pyproject.toml).

`TORTOISE_ORM` is built when it is first read, not when this module is imported: the config
lists every installed plugin's tortoise app, and loading plugins at import would create the
loops that core/infra/db.py once worked around.
"""

from __future__ import annotations

from typing import Any

from core.infra.db import tortoise_config


def __getattr__(name: str) -> Any:
    if name == "TORTOISE_ORM":
        return tortoise_config()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
