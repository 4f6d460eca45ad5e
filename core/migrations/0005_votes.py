from tortoise import migrations
from tortoise.migrations import operations as ops
from core.infra.enums import BallotChannel, VoteMatter, VoteRule, VoteVerdict
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_cases')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Unit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('compound', fields.ForeignKeyField('models.Compound', source_field='compound_id', db_constraint=True, to_field='id', related_name='units', on_delete=OnDelete.RESTRICT)),
                ('building', fields.ForeignKeyField('models.Building', source_field='building_id', null=True, db_constraint=True, to_field='id', related_name='units', on_delete=OnDelete.RESTRICT)),
                ('number', fields.CharField(max_length=32)),
                ('area', fields.DecimalField(max_digits=12, decimal_places=2)),
            ],
            options={'table': 'units', 'app': 'models', 'unique_together': (('city', 'compound', 'number'),), 'pk_attr': 'id', 'table_description': 'A unit under exclusive ownership (专有部分): a flat, a shop, a parking space.'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='UnitOwnership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('unit', fields.ForeignKeyField('models.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='ownerships', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='ownerships', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'unit_ownerships', 'app': 'models', 'unique_together': (('unit', 'person'),), 'indexes': [Index(fields=['city_id', 'person_id'])], 'pk_attr': 'id', 'table_description': 'One owner of a unit: a unit with several rows is co-owned and casts one vote.'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Vote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('compound', fields.ForeignKeyField('models.Compound', source_field='compound_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.RESTRICT)),
                ('matter', fields.CharEnumField(description='ASSEMBLY_RULES: ASSEMBLY_RULES\nMANAGEMENT_STATUTE: MANAGEMENT_STATUTE\nOWNERS_COMMITTEE: OWNERS_COMMITTEE\nPROPERTY_MANAGER: PROPERTY_MANAGER\nMAINTENANCE_FUND_USE: MAINTENANCE_FUND_USE\nMAINTENANCE_FUND_RAISE: MAINTENANCE_FUND_RAISE\nREBUILDING: REBUILDING\nCOMMON_PARTS_USE: COMMON_PARTS_USE\nOTHER_MAJOR_MATTER: OTHER_MAJOR_MATTER', enum_type=VoteMatter, max_length=32)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('firm', fields.ForeignKeyField('models.Firm', source_field='firm_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('opens_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('opened_by_subject', fields.CharField(null=True, max_length=128)),
                ('ballots_changeable', fields.BooleanField(default=True)),
                ('electorate_heads', fields.IntField()),
                ('electorate_area_cm', fields.BigIntField(description='hundredths of m²')),
                ('verdict', fields.CharEnumField(default=VoteVerdict.PENDING, description='PENDING: PENDING\nPASSED: PASSED\nREJECTED: REJECTED\nINVALID: INVALID', enum_type=VoteVerdict, max_length=16)),
                ('decided_by', fields.CharEnumField(null=True, description='QUORUM_TWO_THIRDS: QUORUM_TWO_THIRDS\nSPECIAL_MAJORITY_THREE_QUARTERS: SPECIAL_MAJORITY_THREE_QUARTERS\nSIMPLE_MAJORITY_HALF: SIMPLE_MAJORITY_HALF', enum_type=VoteRule, max_length=32)),
            ],
            options={'table': 'votes', 'app': 'models', 'indexes': [Index(fields=['city_id', 'compound_id', 'matter'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Elector',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('vote', fields.ForeignKeyField('models.Vote', source_field='vote_id', db_constraint=True, to_field='id', related_name='electors', on_delete=OnDelete.CASCADE)),
                ('heads', fields.IntField(default=1)),
                ('area_cm', fields.BigIntField(description='hundredths of m²')),
                ('units', fields.CharField(max_length=1000)),
            ],
            options={'table': 'vote_electors', 'app': 'models', 'indexes': [Index(fields=['city_id', 'vote_id'])], 'pk_attr': 'id', 'table_description': 'One owner as frozen at opening: the people owning the same units, one head.'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='ElectorMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('vote', fields.ForeignKeyField('models.Vote', source_field='vote_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('elector', fields.ForeignKeyField('models.Elector', source_field='elector_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'vote_elector_members', 'app': 'models', 'unique_together': (('elector', 'person'),), 'indexes': [Index(fields=['city_id', 'vote_id', 'person_id'])], 'pk_attr': 'id', 'table_description': "A person who may cast the elector's one ballot (each co-owner of its units)."},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='VoteOption',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('vote', fields.ForeignKeyField('models.Vote', source_field='vote_id', db_constraint=True, to_field='id', related_name='options', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('label', fields.CharField(max_length=200)),
                ('approves', fields.BooleanField(default=False)),
            ],
            options={'table': 'vote_options', 'app': 'models', 'unique_together': (('vote', 'position'),), 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Ballot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('vote', fields.ForeignKeyField('models.Vote', source_field='vote_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('elector', fields.ForeignKeyField('models.Elector', source_field='elector_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('option', fields.ForeignKeyField('models.VoteOption', source_field='option_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('channel', fields.CharEnumField(description='IN_PERSON: IN_PERSON\nPROXY: PROXY\nONLINE: ONLINE', enum_type=BallotChannel, max_length=16)),
                ('proxy_name', fields.CharField(null=True, max_length=64)),
                ('entered_by_subject', fields.CharField(null=True, max_length=128)),
                ('cast_by', fields.ForeignKeyField('models.Person', source_field='cast_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('cast_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revision', fields.IntField(default=1)),
            ],
            options={'table': 'ballots', 'app': 'models', 'unique_together': (('vote', 'elector'),), 'pk_attr': 'id', 'table_description': "An elector's one ballot: a change rewrites it and counts the revision."},
            bases=['CityModel'],
        ),
        ops.AddField(
            model_name='ManagementContract',
            name='authority_decision',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='ManagementContract',
            name='vote',
            field=fields.ForeignKeyField('models.Vote', source_field='vote_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT),
        ),
    ]
