"""Tenancy in depth for the grassroots and work-item tables (core/security/rls.py): same-city foreign
keys, row-level security on PostgreSQL."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from core.security.rls import secure_city_tables


class Migration(migrations.Migration):
    dependencies = [("models", "0008_grassroots")]

    operations = [ops.RunPython(secure_city_tables, reverse_code=ops.RunPython.noop)]
