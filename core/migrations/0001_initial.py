from tortoise import migrations
from tortoise.migrations import operations as ops
from core.infra.enums import CaseKind, CaseStage, CommunityKind, CompoundKind, ManagementMode, OrganisationKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='City',
            fields=[
                ('slug', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('name', fields.CharField(max_length=64)),
                ('name_en', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'cities', 'app': 'models', 'pk_attr': 'slug', 'table_description': 'The tenant. Its slug is the key every other row carries.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Firm',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('name', fields.CharField(max_length=128)),
                ('registration_number', fields.CharField(max_length=18)),
                ('is_state_owned', fields.BooleanField(default=False)),
                ('owning_group', fields.CharField(null=True, max_length=128)),
                ('founded_on', fields.DateField(null=True)),
            ],
            options={'table': 'firms', 'app': 'models', 'unique_together': (('city', 'registration_number'),), 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Street',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('name', fields.CharField(max_length=64)),
                ('code', fields.CharField(null=True, max_length=32)),
            ],
            options={'table': 'streets', 'app': 'models', 'unique_together': (('city', 'name'),), 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Community',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('street', fields.ForeignKeyField('models.Street', source_field='street_id', db_constraint=True, to_field='id', related_name='communities', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=64)),
                ('kind', fields.CharEnumField(default=CommunityKind.URBAN, description='URBAN: URBAN\nVILLAGE: VILLAGE', enum_type=CommunityKind, max_length=16)),
            ],
            options={'table': 'communities', 'app': 'models', 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Compound',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='compounds', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=128)),
                ('kind', fields.CharEnumField(description='COMMERCIAL_RESIDENTIAL: COMMERCIAL_RESIDENTIAL\nPUBLIC_RENTAL: PUBLIC_RENTAL\nPRICE_LIMITED: PRICE_LIMITED\nINDUSTRIAL_DORMITORY: INDUSTRIAL_DORMITORY\nOTHER: OTHER', enum_type=CompoundKind, max_length=32)),
                ('homes', fields.IntField(default=0)),
                ('residents', fields.IntField(default=0)),
                ('land_area', fields.FloatField(null=True, description='m²')),
                ('floor_area', fields.FloatField(null=True, description='m²')),
                ('mature', fields.BooleanField(default=False)),
                ('management_mode', fields.CharEnumField(default=ManagementMode.PROPERTY_FIRM, description='PROPERTY_FIRM: PROPERTY_FIRM\nOWNER_SELF_MANAGED: OWNER_SELF_MANAGED\nCOMMUNITY_CARETAKER: COMMUNITY_CARETAKER\nNONE: NONE', enum_type=ManagementMode, max_length=32)),
            ],
            options={'table': 'compounds', 'app': 'models', 'indexes': [Index(fields=['city_id', 'community_id']), Index(fields=['city_id', 'name'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Grid',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='grids', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=64)),
                ('code', fields.CharField(null=True, max_length=32)),
            ],
            options={'table': 'grids', 'app': 'models', 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Building',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('compound', fields.ForeignKeyField('models.Compound', source_field='compound_id', db_constraint=True, to_field='id', related_name='buildings', on_delete=OnDelete.RESTRICT)),
                ('grid', fields.ForeignKeyField('models.Grid', source_field='grid_id', null=True, db_constraint=True, to_field='id', related_name='buildings', on_delete=OnDelete.SET_NULL)),
                ('name', fields.CharField(max_length=64)),
                ('floors', fields.IntField(default=0)),
                ('homes', fields.IntField(default=0)),
            ],
            options={'table': 'buildings', 'app': 'models', 'indexes': [Index(fields=['city_id', 'compound_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='ManagementContract',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('compound', fields.ForeignKeyField('models.Compound', source_field='compound_id', db_constraint=True, to_field='id', related_name='contracts', on_delete=OnDelete.RESTRICT)),
                ('firm', fields.ForeignKeyField('models.Firm', source_field='firm_id', db_constraint=True, to_field='id', related_name='contracts', on_delete=OnDelete.RESTRICT)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField(null=True)),
                ('mode', fields.CharEnumField(default=ManagementMode.PROPERTY_FIRM, description='PROPERTY_FIRM: PROPERTY_FIRM\nOWNER_SELF_MANAGED: OWNER_SELF_MANAGED\nCOMMUNITY_CARETAKER: COMMUNITY_CARETAKER\nNONE: NONE', enum_type=ManagementMode, max_length=32)),
            ],
            options={'table': 'management_contracts', 'app': 'models', 'indexes': [Index(fields=['city_id', 'compound_id', 'starts_on']), Index(fields=['city_id', 'firm_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Organisation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('kind', fields.CharEnumField(description='PARTY_STREET_COMMITTEE: PARTY_STREET_COMMITTEE\nPARTY_COMMUNITY: PARTY_COMMUNITY\nPARTY_COMPOUND_BRANCH: PARTY_COMPOUND_BRANCH\nPARTY_GRID_BRANCH: PARTY_GRID_BRANCH\nPARTY_BUILDING_GROUP: PARTY_BUILDING_GROUP\nRESIDENTS_COMMITTEE: RESIDENTS_COMMITTEE\nOWNERS_COMMITTEE: OWNERS_COMMITTEE\nSOCIAL_ORGANISATION: SOCIAL_ORGANISATION\nMASS_ORGANISATION: MASS_ORGANISATION\nSERVICE_VENUE: SERVICE_VENUE\nMEDIATION_COMMITTEE: MEDIATION_COMMITTEE\nGOVERNMENT_DEPARTMENT: GOVERNMENT_DEPARTMENT\nSERVICE_GROUP: SERVICE_GROUP', enum_type=OrganisationKind, max_length=32)),
                ('name', fields.CharField(max_length=128)),
                ('parent', fields.ForeignKeyField('models.Organisation', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('street', fields.ForeignKeyField('models.Street', source_field='street_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('compound', fields.ForeignKeyField('models.Compound', source_field='compound_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('grid', fields.ForeignKeyField('models.Grid', source_field='grid_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('building', fields.ForeignKeyField('models.Building', source_field='building_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('members_count', fields.IntField(default=0)),
                ('founded_on', fields.DateField(null=True)),
            ],
            options={'table': 'organisations', 'app': 'models', 'indexes': [Index(fields=['city_id', 'kind']), Index(fields=['city_id', 'parent_id']), Index(fields=['city_id', 'compound_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('name', fields.CharField(max_length=64)),
                ('roles', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('phone', fields.CharField(null=True, max_length=32)),
                ('subject', fields.CharField(null=True, max_length=128)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='people', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'persons', 'app': 'models', 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='Case',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('kind', fields.CharEnumField(description='PROPERTY_DISPUTE: PROPERTY_DISPUTE\nSERVICE_REQUEST: SERVICE_REQUEST\nMEDIATION: MEDIATION', enum_type=CaseKind, max_length=32)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('compound', fields.ForeignKeyField('models.Compound', source_field='compound_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.RESTRICT)),
                ('filed_by', fields.ForeignKeyField('models.Person', source_field='filed_by_id', null=True, db_constraint=True, to_field='id', related_name='filed_cases', on_delete=OnDelete.SET_NULL)),
                ('filed_by_subject', fields.CharField(null=True, max_length=128)),
                ('stage', fields.CharEnumField(description='TOPIC_COLLECTION: TOPIC_COLLECTION\nTOPIC_DETERMINATION: TOPIC_DETERMINATION\nCONSULTATION_MEETING: CONSULTATION_MEETING\nDECISION_EXECUTION: DECISION_EXECUTION\nSUPERVISION_FEEDBACK: SUPERVISION_FEEDBACK\nRESIDENT_EVALUATION: RESIDENT_EVALUATION\nACCEPTED: ACCEPTED\nCOMPLETED: COMPLETED\nREPLIED: REPLIED\nMEDIATING: MEDIATING\nCLOSED: CLOSED', enum_type=CaseStage, max_length=32)),
                ('stage_entered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
            ],
            options={'table': 'cases', 'app': 'models', 'indexes': [Index(fields=['city_id', 'stage']), Index(fields=['city_id', 'kind'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
    ]
