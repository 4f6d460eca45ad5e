from tortoise import migrations
from tortoise.migrations import operations as ops
from core.infra.enums import WorkItemOutcome, WorkerRecordKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_tenancy_in_depth')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BuildingHead',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('duties', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('appointed_on', fields.DateField()),
                ('ended_on', fields.DateField(null=True)),
            ],
            options={'table': 'building_heads', 'app': 'models', 'indexes': [Index(fields=['city_id', 'person_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='BuildingHeadCoverage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('head', fields.ForeignKeyField('models.BuildingHead', source_field='head_id', db_constraint=True, to_field='id', related_name='coverage', on_delete=OnDelete.CASCADE)),
                ('building', fields.ForeignKeyField('models.Building', source_field='building_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'building_head_buildings', 'app': 'models', 'unique_together': (('head', 'building'),), 'indexes': [Index(fields=['city_id', 'building_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='CommunityWorker',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('admitted_on', fields.DateField()),
                ('pay_grade', fields.CharField(null=True, max_length=16)),
                ('exited_on', fields.DateField(null=True)),
                ('exit_reason', fields.CharField(null=True, max_length=200)),
            ],
            options={'table': 'community_workers', 'app': 'models', 'indexes': [Index(fields=['city_id', 'community_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='CommunityWorkerRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('worker', fields.ForeignKeyField('models.CommunityWorker', source_field='worker_id', db_constraint=True, to_field='id', related_name='records', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='ADMISSION: ADMISSION\nTRAINING: TRAINING\nPAY_GRADE: PAY_GRADE\nASSESSMENT: ASSESSMENT\nINCENTIVE: INCENTIVE\nEXIT: EXIT', enum_type=WorkerRecordKind, max_length=16)),
                ('occurred_on', fields.DateField()),
                ('detail', fields.CharField(default='', max_length=200)),
                ('pay_grade', fields.CharField(null=True, max_length=16)),
                ('score', fields.FloatField(null=True)),
                ('amount', fields.FloatField(null=True)),
            ],
            options={'table': 'community_worker_records', 'app': 'models', 'indexes': [Index(fields=['city_id', 'worker_id', 'occurred_on'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Mediator',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('committee', fields.ForeignKeyField('models.Organisation', source_field='committee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('is_chair', fields.BooleanField(default=False)),
                ('appointed_on', fields.DateField()),
                ('ended_on', fields.DateField(null=True)),
            ],
            options={'table': 'mediators', 'app': 'models', 'indexes': [Index(fields=['city_id', 'committee_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='PartyMemberReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('employer_organisation', fields.ForeignKeyField('models.Organisation', source_field='employer_organisation_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('reported_on', fields.DateField()),
                ('ended_on', fields.DateField(null=True)),
            ],
            options={'table': 'party_member_reports', 'app': 'models', 'indexes': [Index(fields=['city_id', 'community_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='PartyServiceRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('member', fields.ForeignKeyField('models.PartyMemberReport', source_field='member_id', db_constraint=True, to_field='id', related_name='services', on_delete=OnDelete.CASCADE)),
                ('served_on', fields.DateField()),
                ('hours', fields.FloatField()),
                ('activity', fields.CharField(max_length=200)),
            ],
            options={'table': 'party_service_records', 'app': 'models', 'indexes': [Index(fields=['city_id', 'member_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='VenueHours',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('venue', fields.ForeignKeyField('models.Organisation', source_field='venue_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('weekday', fields.SmallIntField()),
                ('opens_minute', fields.SmallIntField()),
                ('closes_minute', fields.SmallIntField()),
                ('staggered', fields.BooleanField(default=False)),
            ],
            options={'table': 'venue_hours', 'app': 'models', 'indexes': [Index(fields=['city_id', 'venue_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Volunteer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('registered_on', fields.DateField()),
            ],
            options={'table': 'volunteers', 'app': 'models', 'indexes': [Index(fields=['city_id', 'community_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='VolunteerService',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('volunteer', fields.ForeignKeyField('models.Volunteer', source_field='volunteer_id', db_constraint=True, to_field='id', related_name='services', on_delete=OnDelete.CASCADE)),
                ('served_on', fields.DateField()),
                ('hours', fields.FloatField()),
                ('activity', fields.CharField(max_length=200)),
            ],
            options={'table': 'volunteer_services', 'app': 'models', 'indexes': [Index(fields=['city_id', 'volunteer_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='WorkItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('name', fields.CharField(max_length=128)),
                ('description', fields.TextField(default='', unique=False)),
                ('basis', fields.CharField(default='', max_length=200)),
                ('admitted_on', fields.DateField()),
                ('withdrawn_on', fields.DateField(null=True)),
            ],
            options={'table': 'work_items', 'app': 'models', 'unique_together': (('city', 'name'),), 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='WorkItemRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('department', fields.ForeignKeyField('models.Organisation', source_field='department_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('work_item', fields.ForeignKeyField('models.WorkItem', source_field='work_item_id', null=True, db_constraint=True, to_field='id', related_name='requests', on_delete=OnDelete.RESTRICT)),
                ('item_name', fields.CharField(max_length=128)),
                ('requested_on', fields.DateField()),
                ('outcome', fields.CharEnumField(description='ACCEPTED: ACCEPTED\nREFUSED: REFUSED', enum_type=WorkItemOutcome, max_length=16)),
                ('refusal_code', fields.CharField(null=True, max_length=32)),
                ('requested_by_subject', fields.CharField(null=True, max_length=128)),
            ],
            options={'table': 'work_item_requests', 'app': 'models', 'indexes': [Index(fields=['city_id', 'outcome', 'requested_on'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='WorkItemRequestCommunity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('request', fields.ForeignKeyField('models.WorkItemRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='communities', on_delete=OnDelete.CASCADE)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'work_item_request_communities', 'app': 'models', 'unique_together': (('request', 'community'),), 'indexes': [Index(fields=['city_id', 'community_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
    ]
