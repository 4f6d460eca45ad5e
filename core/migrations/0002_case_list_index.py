"""The index behind every "latest cases of a compound" list view.

Tortoise's Index cannot say DESC; without this index the database dominates every
compound page (measured: see docs/performance.md).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [
        ops.RunSQL(
            "CREATE INDEX cases_compound_latest ON cases (city_id, compound_id, created_at DESC, id DESC)",
            reverse_sql="DROP INDEX cases_compound_latest",
        ),
        ops.RunSQL(
            "CREATE INDEX cases_city_latest ON cases (city_id, created_at DESC, id DESC)",
            reverse_sql="DROP INDEX cases_city_latest",
        ),
    ]
