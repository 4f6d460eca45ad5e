from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_votes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('subject', fields.CharField(null=True, max_length=128)),
                ('role', fields.CharField(max_length=32)),
                ('scope', fields.CharField(max_length=64)),
                ('operation', fields.CharField(max_length=64)),
                ('target_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('summary', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('outcome', fields.CharField(max_length=64)),
            ],
            options={'table': 'audit_entries', 'app': 'models', 'indexes': [Index(fields=['city_id', 'created_at']), Index(fields=['city_id', 'operation']), Index(fields=['city_id', 'subject'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='IdempotencyKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('subject', fields.CharField(max_length=128)),
                ('key', fields.CharField(max_length=128)),
                ('operation', fields.CharField(max_length=64)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('result_id', fields.CharField(null=True, max_length=128)),
            ],
            options={'table': 'idempotency_keys', 'app': 'models', 'unique_together': (('city', 'subject', 'key'),), 'pk_attr': 'id', 'table_description': "A create mutation's key: the first request's fingerprint and the object it made."},
            bases=['CityModel'],
        ),
        ops.AddField(
            model_name='Person',
            name='id_number_cipher',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Person',
            name='id_number_hash',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='Person',
            name='left_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
