"""Domain enumerations, each member with its Chinese and English label."""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A StrEnum whose members carry (zh, en) labels in the class-level LABELS table."""

    def label(self, lang: str = "zh") -> str:
        zh, en = LABELS[self]
        return en if lang == "en" else zh


class CommunityKind(Labelled):
    URBAN = "URBAN"
    VILLAGE = "VILLAGE"


class CompoundKind(Labelled):
    COMMERCIAL_RESIDENTIAL = "COMMERCIAL_RESIDENTIAL"
    PUBLIC_RENTAL = "PUBLIC_RENTAL"
    PRICE_LIMITED = "PRICE_LIMITED"
    INDUSTRIAL_DORMITORY = "INDUSTRIAL_DORMITORY"
    OTHER = "OTHER"


class ManagementMode(Labelled):
    PROPERTY_FIRM = "PROPERTY_FIRM"
    OWNER_SELF_MANAGED = "OWNER_SELF_MANAGED"
    COMMUNITY_CARETAKER = "COMMUNITY_CARETAKER"
    NONE = "NONE"


class OrganisationKind(Labelled):
    PARTY_STREET_COMMITTEE = "PARTY_STREET_COMMITTEE"
    PARTY_COMMUNITY = "PARTY_COMMUNITY"
    PARTY_COMPOUND_BRANCH = "PARTY_COMPOUND_BRANCH"
    PARTY_GRID_BRANCH = "PARTY_GRID_BRANCH"
    PARTY_BUILDING_GROUP = "PARTY_BUILDING_GROUP"
    RESIDENTS_COMMITTEE = "RESIDENTS_COMMITTEE"
    OWNERS_COMMITTEE = "OWNERS_COMMITTEE"
    SOCIAL_ORGANISATION = "SOCIAL_ORGANISATION"
    MASS_ORGANISATION = "MASS_ORGANISATION"
    SERVICE_VENUE = "SERVICE_VENUE"
    MEDIATION_COMMITTEE = "MEDIATION_COMMITTEE"
    GOVERNMENT_DEPARTMENT = "GOVERNMENT_DEPARTMENT"
    SERVICE_GROUP = "SERVICE_GROUP"
    # A registered volunteer service team (志愿服务队): may provide purchased services.
    VOLUNTEER_TEAM = "VOLUNTEER_TEAM"


class CaseKind(Labelled):
    PROPERTY_DISPUTE = "PROPERTY_DISPUTE"
    SERVICE_REQUEST = "SERVICE_REQUEST"
    MEDIATION = "MEDIATION"


class CaseStage(Labelled):
    # The six-stage property consultation procedure (fixed names), then CLOSED.
    TOPIC_COLLECTION = "TOPIC_COLLECTION"
    TOPIC_DETERMINATION = "TOPIC_DETERMINATION"
    CONSULTATION_MEETING = "CONSULTATION_MEETING"
    DECISION_EXECUTION = "DECISION_EXECUTION"
    SUPERVISION_FEEDBACK = "SUPERVISION_FEEDBACK"
    RESIDENT_EVALUATION = "RESIDENT_EVALUATION"
    # One-window service requests: accepted -> completed -> replied.
    ACCEPTED = "ACCEPTED"
    COMPLETED = "COMPLETED"
    REPLIED = "REPLIED"
    # Mediation: in mediation until an outcome is recorded.
    MEDIATING = "MEDIATING"
    CLOSED = "CLOSED"
    # A service request a resident filed himself, waiting to be accepted at the window.
    SUBMITTED = "SUBMITTED"


# The stage a newly filed case starts in, by kind.
INITIAL_STAGE = {
    CaseKind.PROPERTY_DISPUTE: CaseStage.TOPIC_COLLECTION,
    # Staff filing at the window (or for a resident) accept in the same step
    # (core/cases/filing.py).
    CaseKind.SERVICE_REQUEST: CaseStage.SUBMITTED,
    CaseKind.MEDIATION: CaseStage.MEDIATING,
}


class Role(Labelled):
    ANONYMOUS = "ANONYMOUS"
    RESIDENT = "RESIDENT"
    BUILDING_HEAD = "BUILDING_HEAD"
    COMMUNITY_WORKER = "COMMUNITY_WORKER"
    MEDIATOR = "MEDIATOR"
    FIRM_STAFF = "FIRM_STAFF"
    SOCIAL_ORG_STAFF = "SOCIAL_ORG_STAFF"
    STREET_ADMIN = "STREET_ADMIN"
    CITY_ADMIN = "CITY_ADMIN"
    PLATFORM_ADMIN = "PLATFORM_ADMIN"


class CaseCategory(Labelled):
    REPAIRS = "REPAIRS"
    ENVIRONMENT = "ENVIRONMENT"
    SAFETY = "SAFETY"
    FEES = "FEES"
    PARKING = "PARKING"
    COMMON_REVENUE = "COMMON_REVENUE"
    NEIGHBOURS = "NEIGHBOURS"
    OTHER = "OTHER"


class EscalationLevel(Labelled):
    # Who answers for an overdue case: the community first, then the street, then the city.
    COMMUNITY = "COMMUNITY"
    STREET = "STREET"
    CITY = "CITY"


class MediationOutcome(Labelled):
    SETTLED = "SETTLED"
    NOT_SETTLED = "NOT_SETTLED"
    REFERRED = "REFERRED"


class TransitionKind(Labelled):
    FILED = "FILED"
    ADVANCED = "ADVANCED"
    REOPENED = "REOPENED"
    ESCALATED = "ESCALATED"


LABELS: dict[Labelled, tuple[str, str]] = {
    CommunityKind.URBAN: ("城市社区", "urban community"),
    CommunityKind.VILLAGE: ("村", "village"),
    CompoundKind.COMMERCIAL_RESIDENTIAL: ("商住小区", "commercial-residential"),
    CompoundKind.PUBLIC_RENTAL: ("公租房", "public rental housing"),
    CompoundKind.PRICE_LIMITED: ("三限房", "price-limited housing"),
    CompoundKind.INDUSTRIAL_DORMITORY: ("园区宿舍", "industrial-park dormitory"),
    CompoundKind.OTHER: ("其他", "other"),
    ManagementMode.PROPERTY_FIRM: ("物业服务企业管理", "property-service firm"),
    ManagementMode.OWNER_SELF_MANAGED: ("业主自行管理", "self-managed by owners"),
    ManagementMode.COMMUNITY_CARETAKER: ("社区托管", "community caretaker"),
    ManagementMode.NONE: ("无物业管理", "no property management"),
    OrganisationKind.PARTY_STREET_COMMITTEE: ("镇街党（工）委", "street party committee"),
    OrganisationKind.PARTY_COMMUNITY: ("社区党组织", "community party organisation"),
    OrganisationKind.PARTY_COMPOUND_BRANCH: ("小区党支部", "compound party branch"),
    OrganisationKind.PARTY_GRID_BRANCH: ("网格党支部", "grid party branch"),
    OrganisationKind.PARTY_BUILDING_GROUP: ("楼栋党小组", "building party group"),
    OrganisationKind.RESIDENTS_COMMITTEE: ("居民委员会", "residents' committee"),
    OrganisationKind.OWNERS_COMMITTEE: ("业主委员会", "owners' committee"),
    OrganisationKind.SOCIAL_ORGANISATION: ("社会组织", "social organisation"),
    OrganisationKind.MASS_ORGANISATION: ("群团组织", "mass organisation"),
    OrganisationKind.SERVICE_VENUE: ("服务阵地", "service venue"),
    OrganisationKind.MEDIATION_COMMITTEE: ("人民调解委员会", "people's mediation committee"),
    OrganisationKind.GOVERNMENT_DEPARTMENT: ("政府部门", "government department"),
    OrganisationKind.SERVICE_GROUP: ("服务小组", "service group"),
    OrganisationKind.VOLUNTEER_TEAM: ("志愿服务队", "volunteer team"),
    CaseKind.PROPERTY_DISPUTE: ("物业纠纷", "property dispute"),
    CaseKind.SERVICE_REQUEST: ("一口受理服务", "one-window service request"),
    CaseKind.MEDIATION: ("矛盾调解", "mediation"),
    CaseStage.TOPIC_COLLECTION: ("议题收集", "topic collection"),
    CaseStage.TOPIC_DETERMINATION: ("确定议题", "topic determination"),
    CaseStage.CONSULTATION_MEETING: ("会议协商", "consultation meeting"),
    CaseStage.DECISION_EXECUTION: ("执行决策", "decision execution"),
    CaseStage.SUPERVISION_FEEDBACK: ("监督反馈", "supervision and feedback"),
    CaseStage.RESIDENT_EVALUATION: ("居民评价", "resident evaluation"),
    CaseStage.ACCEPTED: ("已受理", "accepted"),
    CaseStage.COMPLETED: ("已办结", "completed"),
    CaseStage.REPLIED: ("已回复", "replied"),
    CaseStage.MEDIATING: ("调解中", "in mediation"),
    CaseStage.CLOSED: ("已结案", "closed"),
    Role.ANONYMOUS: ("匿名访客", "anonymous"),
    Role.RESIDENT: ("居民", "resident"),
    Role.BUILDING_HEAD: ("楼栋长", "building head"),
    Role.COMMUNITY_WORKER: ("社区工作者", "community worker"),
    Role.MEDIATOR: ("调解员", "mediator"),
    Role.FIRM_STAFF: ("物业企业员工", "property-firm staff"),
    Role.SOCIAL_ORG_STAFF: ("社会组织员工", "social-organisation staff"),
    Role.STREET_ADMIN: ("镇街管理员", "street admin"),
    Role.CITY_ADMIN: ("市级管理员", "city admin"),
    Role.PLATFORM_ADMIN: ("平台管理员", "platform admin"),
    CaseStage.SUBMITTED: ("待受理", "submitted"),
    CaseCategory.REPAIRS: ("设施维修", "repairs"),
    CaseCategory.ENVIRONMENT: ("环境卫生", "environment and sanitation"),
    CaseCategory.SAFETY: ("安全隐患", "safety"),
    CaseCategory.FEES: ("物业收费", "property fees"),
    CaseCategory.PARKING: ("停车管理", "parking"),
    CaseCategory.COMMON_REVENUE: ("公共收益", "common revenue"),
    CaseCategory.NEIGHBOURS: ("邻里关系", "neighbour relations"),
    CaseCategory.OTHER: ("其他", "other"),
    EscalationLevel.COMMUNITY: ("社区", "community"),
    EscalationLevel.STREET: ("镇街", "street"),
    EscalationLevel.CITY: ("市级", "city"),
    MediationOutcome.SETTLED: ("调解成功", "settled"),
    MediationOutcome.NOT_SETTLED: ("调解不成", "not settled"),
    MediationOutcome.REFERRED: ("转交处理", "referred"),
    TransitionKind.FILED: ("立案", "filed"),
    TransitionKind.ADVANCED: ("推进", "advanced"),
    TransitionKind.REOPENED: ("重新办理", "reopened"),
    TransitionKind.ESCALATED: ("升级督办", "escalated"),
}


# Owners' votes (Article 278 of the Civil Code): docs/votes.md.
class VoteMatter(Labelled):
    # The nine matters owners decide jointly, in the order of Article 278 (1)-(9).
    ASSEMBLY_RULES = "ASSEMBLY_RULES"
    MANAGEMENT_STATUTE = "MANAGEMENT_STATUTE"
    OWNERS_COMMITTEE = "OWNERS_COMMITTEE"
    PROPERTY_MANAGER = "PROPERTY_MANAGER"
    MAINTENANCE_FUND_USE = "MAINTENANCE_FUND_USE"
    MAINTENANCE_FUND_RAISE = "MAINTENANCE_FUND_RAISE"
    REBUILDING = "REBUILDING"
    COMMON_PARTS_USE = "COMMON_PARTS_USE"
    OTHER_MAJOR_MATTER = "OTHER_MAJOR_MATTER"


class BallotChannel(Labelled):
    IN_PERSON = "IN_PERSON"
    PROXY = "PROXY"
    ONLINE = "ONLINE"


class VoteVerdict(Labelled):
    PENDING = "PENDING"
    PASSED = "PASSED"
    REJECTED = "REJECTED"
    INVALID = "INVALID"


class VoteRule(Labelled):
    # The rule that decided a verdict: the quorum when it failed, else the majority applied.
    QUORUM_TWO_THIRDS = "QUORUM_TWO_THIRDS"
    SPECIAL_MAJORITY_THREE_QUARTERS = "SPECIAL_MAJORITY_THREE_QUARTERS"
    SIMPLE_MAJORITY_HALF = "SIMPLE_MAJORITY_HALF"


class VoteMeasure(Labelled):
    AREA = "AREA"
    HEADS = "HEADS"


LABELS.update(
    {
        VoteMatter.ASSEMBLY_RULES: ("制定和修改业主大会议事规则", "owners' assembly rules"),
        VoteMatter.MANAGEMENT_STATUTE: ("制定和修改管理规约", "management statute"),
        VoteMatter.OWNERS_COMMITTEE: (
            "选举业主委员会或者更换业主委员会成员",
            "electing or replacing the owners' committee",
        ),
        VoteMatter.PROPERTY_MANAGER: (
            "选聘和解聘物业服务企业或者其他管理人",
            "hiring or dismissing the property-service firm or other manager",
        ),
        VoteMatter.MAINTENANCE_FUND_USE: (
            "使用建筑物及其附属设施的维修资金",
            "using the maintenance fund",
        ),
        VoteMatter.MAINTENANCE_FUND_RAISE: (
            "筹集建筑物及其附属设施的维修资金",
            "raising the maintenance fund",
        ),
        VoteMatter.REBUILDING: (
            "改建、重建建筑物及其附属设施",
            "rebuilding or reconstructing buildings and facilities",
        ),
        VoteMatter.COMMON_PARTS_USE: (
            "改变共有部分的用途或者利用共有部分从事经营活动",
            "changing the use of common parts or using them for business",
        ),
        VoteMatter.OTHER_MAJOR_MATTER: (
            "有关共有和共同管理权利的其他重大事项",
            "other major matters of common ownership and management",
        ),
        BallotChannel.IN_PERSON: ("现场投票", "in person"),
        BallotChannel.PROXY: ("委托投票", "by proxy"),
        BallotChannel.ONLINE: ("网上投票", "online"),
        VoteVerdict.PENDING: ("表决中", "pending"),
        VoteVerdict.PASSED: ("通过", "passed"),
        VoteVerdict.REJECTED: ("未通过", "rejected"),
        VoteVerdict.INVALID: ("参与表决人数或面积不足，表决无效", "invalid: quorum not reached"),
        VoteRule.QUORUM_TWO_THIRDS: (
            "参与表决的专有部分面积和人数均须达到三分之二以上",
            "participants must hold at least two thirds of the area and of the owners",
        ),
        VoteRule.SPECIAL_MAJORITY_THREE_QUARTERS: (
            "须经参与表决专有部分面积四分之三以上且参与表决人数四分之三以上同意",
            "at least three quarters of the participating area and owners must agree",
        ),
        VoteRule.SIMPLE_MAJORITY_HALF: (
            "须经参与表决专有部分面积过半数且参与表决人数过半数同意",
            "more than half of the participating area and owners must agree",
        ),
        VoteMeasure.AREA: ("专有部分面积", "exclusive area"),
        VoteMeasure.HEADS: ("业主人数", "owners by head"),
    }
)


# --- Grassroots people and work items (docs/figures.md) ---


class BuildingHeadDuty(Labelled):
    # The five duties (五员) every building head carries.
    MEDIATOR = "MEDIATOR"
    PUBLICIST = "PUBLICIST"
    INFORMANT = "INFORMANT"
    PATROLLER = "PATROLLER"
    LIAISON = "LIAISON"


class WorkerRecordKind(Labelled):
    # A community worker's lifecycle, one record per event.
    ADMISSION = "ADMISSION"
    TRAINING = "TRAINING"
    PAY_GRADE = "PAY_GRADE"
    ASSESSMENT = "ASSESSMENT"
    INCENTIVE = "INCENTIVE"
    EXIT = "EXIT"


class WorkItemOutcome(Labelled):
    ACCEPTED = "ACCEPTED"
    REFUSED = "REFUSED"


LABELS.update(
    {
        BuildingHeadDuty.MEDIATOR: ("调解员", "mediator"),
        BuildingHeadDuty.PUBLICIST: ("宣传员", "publicist"),
        BuildingHeadDuty.INFORMANT: ("信息员", "informant"),
        BuildingHeadDuty.PATROLLER: ("巡查员", "patroller"),
        BuildingHeadDuty.LIAISON: ("联络员", "liaison"),
        WorkerRecordKind.ADMISSION: ("准入", "admission"),
        WorkerRecordKind.TRAINING: ("培训", "training"),
        WorkerRecordKind.PAY_GRADE: ("薪酬等级", "pay grade"),
        WorkerRecordKind.ASSESSMENT: ("考核", "assessment"),
        WorkerRecordKind.INCENTIVE: ("激励", "incentive"),
        WorkerRecordKind.EXIT: ("退出", "exit"),
        WorkItemOutcome.ACCEPTED: ("已准入派发", "accepted"),
        WorkItemOutcome.REFUSED: ("已拒绝", "refused"),
    }
)


# Government purchases of services (core/purchases/proposals.py): the methods of the Government
# Procurement Law, whichever a city's rules require for an amount, and a purchase's life.
class ProcurementMethod(Labelled):
    PUBLIC_TENDER = "PUBLIC_TENDER"
    INVITED_TENDER = "INVITED_TENDER"
    COMPETITIVE_NEGOTIATION = "COMPETITIVE_NEGOTIATION"
    COMPETITIVE_CONSULTATION = "COMPETITIVE_CONSULTATION"
    INQUIRY = "INQUIRY"
    SINGLE_SOURCE = "SINGLE_SOURCE"
    DIRECT_COMMISSION = "DIRECT_COMMISSION"


class PurchaseStatus(Labelled):
    # The order of a purchase's life (core/purchases/lifecycle.py holds the transitions).
    PROPOSED = "PROPOSED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CONTRACTED = "CONTRACTED"
    EVALUATED = "EVALUATED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class ProviderKind(Labelled):
    """Who provides a purchased service (DOMAIN.md, process 6)."""

    ORGANISATION = "ORGANISATION"  # a social organisation (社会组织)
    SOCIAL_WORKER = "SOCIAL_WORKER"  # a registered social worker (社工)
    VOLUNTEER_TEAM = "VOLUNTEER_TEAM"  # a volunteer service team (志愿服务队)


LABELS.update(
    {
        ProcurementMethod.PUBLIC_TENDER: ("公开招标", "public tender"),
        ProcurementMethod.INVITED_TENDER: ("邀请招标", "invited tender"),
        ProcurementMethod.COMPETITIVE_NEGOTIATION: ("竞争性谈判", "competitive negotiation"),
        ProcurementMethod.COMPETITIVE_CONSULTATION: ("竞争性磋商", "competitive consultation"),
        ProcurementMethod.INQUIRY: ("询价", "request for quotations"),
        ProcurementMethod.SINGLE_SOURCE: ("单一来源", "single source"),
        ProcurementMethod.DIRECT_COMMISSION: ("直接委托", "direct commission"),
        PurchaseStatus.PROPOSED: ("已提议", "proposed"),
        PurchaseStatus.APPROVED: ("已批准", "approved"),
        PurchaseStatus.REJECTED: ("未获批准", "rejected"),
        PurchaseStatus.CONTRACTED: ("已签约", "contracted"),
        PurchaseStatus.EVALUATED: ("已评价", "evaluated"),
        PurchaseStatus.CLOSED: ("已结项", "closed"),
        PurchaseStatus.CANCELLED: ("已取消", "cancelled"),
        ProviderKind.ORGANISATION: ("社会组织", "social organisation"),
        ProviderKind.SOCIAL_WORKER: ("社会工作者", "social worker"),
        ProviderKind.VOLUNTEER_TEAM: ("志愿服务队", "volunteer team"),
    }
)
