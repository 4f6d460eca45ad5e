"""The purchase lifecycle (issue 16): a purchase is approved or rejected, contracted, delivered,
evaluated against the city's criteria, closed or cancelled, under a version like a case's. Its
provider may be a social organisation, a volunteer team (a new organisation kind) or a
registered social worker (a new table), so the organisation reference becomes nullable beside
a social worker's. Deliveries are reports of service given. The new tables are made
same-city like the others."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from core.infra.enums import OrganisationKind, ProviderKind, PurchaseStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

from core.security.rls import secure_city_tables


class AlterDescription(ops.AlterField):
    """An enum field's new members: only its description changes, so no table is rebuilt
    (SQLite would rebuild the whole table, and other tables' same-city triggers refuse it)."""

    async def database_forward(self, *args, **kwargs) -> None:
        return None

    async def database_backward(self, *args, **kwargs) -> None:
        return None


class AddWithDefault(ops.AddField):
    """A NOT NULL column on a table that may have rows: added with a database default, so the
    rows there take it (tortoise adds the column without one, which PostgreSQL refuses)."""

    def __init__(self, model_name: str, name: str, field, sql_type: str, default: str) -> None:
        super().__init__(model_name=model_name, name=name, field=field)
        self.sql = (
            f'ALTER TABLE "service_purchases" ADD COLUMN "{name}" {sql_type} '
            f"NOT NULL DEFAULT {default}"
        )

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor is None:
            return
        await state_editor._run_sql(self.sql)


class Migration(migrations.Migration):
    dependencies = [("models", "0015_persisted_documents")]

    initial = False

    operations = [
        ops.CreateModel(
            name='ServiceDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('purchase', fields.ForeignKeyField('models.ServicePurchaseRecord', source_field='purchase_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('delivered_on', fields.DateField()),
                ('activity', fields.CharField(max_length=200)),
                ('beneficiaries', fields.IntField()),
                ('hours', fields.DecimalField(max_digits=8, decimal_places=1)),
                ('reported_by', fields.CharField(default='', max_length=128)),
            ],
            options={'table': 'service_deliveries', 'app': 'models', 'indexes': [Index(fields=['city_id', 'purchase_id', 'delivered_on'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='SocialWorker',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('qualification', fields.CharField(default='', max_length=40)),
                ('registered_on', fields.DateField()),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'social_workers', 'app': 'models', 'indexes': [Index(fields=['city_id', 'person_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        AlterDescription(
            model_name='Organisation',
            name='kind',
            field=fields.CharEnumField(description='PARTY_STREET_COMMITTEE: PARTY_STREET_COMMITTEE\nPARTY_COMMUNITY: PARTY_COMMUNITY\nPARTY_COMPOUND_BRANCH: PARTY_COMPOUND_BRANCH\nPARTY_GRID_BRANCH: PARTY_GRID_BRANCH\nPARTY_BUILDING_GROUP: PARTY_BUILDING_GROUP\nRESIDENTS_COMMITTEE: RESIDENTS_COMMITTEE\nOWNERS_COMMITTEE: OWNERS_COMMITTEE\nSOCIAL_ORGANISATION: SOCIAL_ORGANISATION\nMASS_ORGANISATION: MASS_ORGANISATION\nSERVICE_VENUE: SERVICE_VENUE\nMEDIATION_COMMITTEE: MEDIATION_COMMITTEE\nGOVERNMENT_DEPARTMENT: GOVERNMENT_DEPARTMENT\nSERVICE_GROUP: SERVICE_GROUP\nVOLUNTEER_TEAM: VOLUNTEER_TEAM', enum_type=OrganisationKind, max_length=32),
        ),
        ops.AlterField(
            model_name='ServicePurchaseRecord',
            name='provider',
            field=fields.ForeignKeyField('models.Organisation', source_field='provider_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT),
        ),
        AlterDescription(
            model_name='ServicePurchaseRecord',
            name='status',
            field=fields.CharEnumField(default=PurchaseStatus.PROPOSED, description='PROPOSED: PROPOSED\nAPPROVED: APPROVED\nREJECTED: REJECTED\nCONTRACTED: CONTRACTED\nEVALUATED: EVALUATED\nCLOSED: CLOSED\nCANCELLED: CANCELLED', enum_type=PurchaseStatus, max_length=16),
        ),
        ops.AddField(
            model_name='ServicePurchaseRecord',
            name='contract_amount',
            field=fields.DecimalField(null=True, max_digits=14, decimal_places=2),
        ),
        ops.AddField(
            model_name='ServicePurchaseRecord',
            name='contract_end',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='ServicePurchaseRecord',
            name='contract_start',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='ServicePurchaseRecord',
            name='contracted_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='ServicePurchaseRecord',
            name='decision_note',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='ServicePurchaseRecord',
            name='evaluation_marks',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='ServicePurchaseRecord',
            name='evaluation_passed',
            field=fields.BooleanField(null=True),
        ),
        ops.AddField(
            model_name='ServicePurchaseRecord',
            name='paid_amount',
            field=fields.DecimalField(null=True, max_digits=14, decimal_places=2),
        ),
        AddWithDefault(
            model_name='ServicePurchaseRecord',
            name='provider_kind',
            field=fields.CharEnumField(default=ProviderKind.ORGANISATION, description='ORGANISATION: ORGANISATION\nSOCIAL_WORKER: SOCIAL_WORKER\nVOLUNTEER_TEAM: VOLUNTEER_TEAM', enum_type=ProviderKind, max_length=16),
            sql_type="VARCHAR(16)",
            default="'ORGANISATION'",
        ),
        ops.AddField(
            model_name='ServicePurchaseRecord',
            name='social_worker',
            field=fields.ForeignKeyField('models.SocialWorker', source_field='social_worker_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT),
        ),
        AddWithDefault(
            model_name='ServicePurchaseRecord',
            name='version',
            field=fields.IntField(default=1),
            sql_type="INT",
            default="1",
        ),
        ops.RunPython(secure_city_tables, reverse_code=ops.RunPython.noop),
    ]
