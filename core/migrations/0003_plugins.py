from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_case_list_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PluginConfiguration',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('plugin', fields.CharField(max_length=64)),
                ('active', fields.BooleanField(default=False)),
                ('settings', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'plugin_configurations', 'app': 'models', 'unique_together': (('city', 'plugin'),), 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='PluginConfigurationChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('plugin', fields.CharField(max_length=64)),
                ('actor', fields.CharField(null=True, max_length=128)),
                ('active_before', fields.BooleanField()),
                ('active_after', fields.BooleanField()),
                ('settings_before', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('settings_after', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'plugin_configuration_changes', 'app': 'models', 'indexes': [Index(fields=['city_id', 'plugin', 'created_at'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
    ]
