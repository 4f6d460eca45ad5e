from tortoise import migrations
from tortoise.migrations import operations as ops
from core.infra.enums import CaseCategory, CaseStage, EscalationLevel, MediationOutcome, TransitionKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_plugins')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CaseTransition',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='transitions', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='FILED: FILED\nADVANCED: ADVANCED\nREOPENED: REOPENED\nESCALATED: ESCALATED', enum_type=TransitionKind, max_length=16)),
                ('from_stage', fields.CharEnumField(null=True, description='TOPIC_COLLECTION: TOPIC_COLLECTION\nTOPIC_DETERMINATION: TOPIC_DETERMINATION\nCONSULTATION_MEETING: CONSULTATION_MEETING\nDECISION_EXECUTION: DECISION_EXECUTION\nSUPERVISION_FEEDBACK: SUPERVISION_FEEDBACK\nRESIDENT_EVALUATION: RESIDENT_EVALUATION\nACCEPTED: ACCEPTED\nCOMPLETED: COMPLETED\nREPLIED: REPLIED\nMEDIATING: MEDIATING\nCLOSED: CLOSED\nSUBMITTED: SUBMITTED', enum_type=CaseStage, max_length=32)),
                ('to_stage', fields.CharEnumField(description='TOPIC_COLLECTION: TOPIC_COLLECTION\nTOPIC_DETERMINATION: TOPIC_DETERMINATION\nCONSULTATION_MEETING: CONSULTATION_MEETING\nDECISION_EXECUTION: DECISION_EXECUTION\nSUPERVISION_FEEDBACK: SUPERVISION_FEEDBACK\nRESIDENT_EVALUATION: RESIDENT_EVALUATION\nACCEPTED: ACCEPTED\nCOMPLETED: COMPLETED\nREPLIED: REPLIED\nMEDIATING: MEDIATING\nCLOSED: CLOSED\nSUBMITTED: SUBMITTED', enum_type=CaseStage, max_length=32)),
                ('actor_subject', fields.CharField(null=True, max_length=128)),
                ('actor_role', fields.CharField(null=True, max_length=32)),
                ('note', fields.TextField(default='', unique=False)),
                ('escalation_level', fields.CharEnumField(null=True, description='COMMUNITY: COMMUNITY\nSTREET: STREET\nCITY: CITY', enum_type=EscalationLevel, max_length=16)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'case_transitions', 'app': 'models', 'indexes': [Index(fields=['city_id', 'case_id', 'occurred_at'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='CouncilMeeting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('compound', fields.ForeignKeyField('models.Compound', source_field='compound_id', db_constraint=True, to_field='id', related_name='council_meetings', on_delete=OnDelete.RESTRICT)),
                ('held_on', fields.DateField()),
                ('convener', fields.ForeignKeyField('models.Organisation', source_field='convener_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('held', fields.BooleanField(default=False)),
                ('attendance', fields.IntField(default=0)),
                ('minutes', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'council_meetings', 'app': 'models', 'indexes': [Index(fields=['city_id', 'compound_id', 'held_on'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='CouncilAgendaItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('meeting', fields.ForeignKeyField('models.CouncilMeeting', source_field='meeting_id', db_constraint=True, to_field='id', related_name='agenda', on_delete=OnDelete.CASCADE)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='agenda_items', on_delete=OnDelete.CASCADE)),
                ('decision', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'council_agenda_items', 'app': 'models', 'unique_together': (('meeting', 'case'),), 'indexes': [Index(fields=['city_id', 'case_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='CouncilParticipant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('meeting', fields.ForeignKeyField('models.CouncilMeeting', source_field='meeting_id', db_constraint=True, to_field='id', related_name='participants', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('attended', fields.BooleanField(null=True)),
            ],
            options={'table': 'council_participants', 'app': 'models', 'indexes': [Index(fields=['city_id', 'meeting_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='ExecutorAssignment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE)),
                ('firm', fields.ForeignKeyField('models.Firm', source_field='firm_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('due_on', fields.DateField()),
                ('assigned_by_subject', fields.CharField(null=True, max_length=128)),
            ],
            options={'table': 'case_executor_assignments', 'app': 'models', 'indexes': [Index(fields=['city_id', 'case_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='MediationSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='mediation_sessions', on_delete=OnDelete.CASCADE)),
                ('held_on', fields.DateField()),
                ('mediator', fields.ForeignKeyField('models.Person', source_field='mediator_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('note', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'case_mediation_sessions', 'app': 'models', 'indexes': [Index(fields=['city_id', 'case_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='ProgressReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='progress', on_delete=OnDelete.CASCADE)),
                ('text', fields.TextField(unique=False)),
                ('percent', fields.IntField(null=True)),
                ('reported_by_subject', fields.CharField(null=True, max_length=128)),
            ],
            options={'table': 'case_progress_reports', 'app': 'models', 'indexes': [Index(fields=['city_id', 'case_id'])], 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.CreateModel(
            name='ResidentRating',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('city', fields.ForeignKeyField('models.City', source_field='city_id', db_index=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.CASCADE)),
                ('round', fields.IntField(default=1)),
                ('resident_subject', fields.CharField(max_length=128)),
                ('score', fields.IntField()),
                ('comment', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'case_resident_ratings', 'app': 'models', 'unique_together': (('case', 'round', 'resident_subject'),), 'pk_attr': 'id'},
            bases=['CityModel'],
        ),
        ops.AlterField(
            model_name='Case',
            name='stage',
            field=fields.CharEnumField(description='TOPIC_COLLECTION: TOPIC_COLLECTION\nTOPIC_DETERMINATION: TOPIC_DETERMINATION\nCONSULTATION_MEETING: CONSULTATION_MEETING\nDECISION_EXECUTION: DECISION_EXECUTION\nSUPERVISION_FEEDBACK: SUPERVISION_FEEDBACK\nRESIDENT_EVALUATION: RESIDENT_EVALUATION\nACCEPTED: ACCEPTED\nCOMPLETED: COMPLETED\nREPLIED: REPLIED\nMEDIATING: MEDIATING\nCLOSED: CLOSED\nSUBMITTED: SUBMITTED', enum_type=CaseStage, max_length=32),
        ),
        ops.AddField(
            model_name='Case',
            name='category',
            field=fields.CharEnumField(null=True, description='REPAIRS: REPAIRS\nENVIRONMENT: ENVIRONMENT\nSAFETY: SAFETY\nFEES: FEES\nPARKING: PARKING\nCOMMON_REVENUE: COMMON_REVENUE\nNEIGHBOURS: NEIGHBOURS\nOTHER: OTHER', enum_type=CaseCategory, max_length=32),
        ),
        ops.AddField(
            model_name='Case',
            name='escalation_level',
            field=fields.CharEnumField(default=EscalationLevel.COMMUNITY, description='COMMUNITY: COMMUNITY\nSTREET: STREET\nCITY: CITY', enum_type=EscalationLevel, max_length=16),
        ),
        ops.AddField(
            model_name='Case',
            name='mediation_outcome',
            field=fields.CharEnumField(null=True, description='SETTLED: SETTLED\nNOT_SETTLED: NOT_SETTLED\nREFERRED: REFERRED', enum_type=MediationOutcome, max_length=16),
        ),
        ops.AddField(
            model_name='Case',
            name='mediator',
            field=fields.ForeignKeyField('models.Person', source_field='mediator_id', null=True, db_constraint=True, to_field='id', related_name='mediated_cases', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Case',
            name='on_behalf_of',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Case',
            name='reply',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Case',
            name='round',
            field=fields.IntField(default=1),
        ),
        ops.AddField(
            model_name='Case',
            name='stage_due_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Case',
            name='topic',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddIndex(
            model_name='Case',
            index=Index(fields=['city_id', 'stage_due_on']),
        ),
    ]
