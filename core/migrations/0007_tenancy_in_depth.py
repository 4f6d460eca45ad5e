"""Tenancy in depth (core/security/rls.py): city-carrying foreign keys, row-level security on
PostgreSQL, the civicgraph_app role and the append-only audit log.

Generated from the model state at this point of the history, so it is the same whenever it
runs. After adding a city-owned model, add a migration with the same single operation.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from core.security.rls import secure_city_tables


class Migration(migrations.Migration):
    dependencies = [("models", "0006_data_protection")]

    operations = [ops.RunPython(secure_city_tables, reverse_code=ops.RunPython.noop)]
