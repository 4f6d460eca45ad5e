"""The demo cities as tables: Dongguan's and Zhuhai's streets, communities, compounds, firms
and people, hand-made (core/devdata/demo.py loads them).

Dongguan's Yayuan New Village, Donghong Property and the service station follow the source
document (see ../shared/DOMAIN.md); every other name, number and person is made up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.infra.enums import CommunityKind, CompoundKind, ManagementMode, Role

CR, RENTAL, LIMITED, DORM, OTHER = (
    CompoundKind.COMMERCIAL_RESIDENTIAL,
    CompoundKind.PUBLIC_RENTAL,
    CompoundKind.PRICE_LIMITED,
    CompoundKind.INDUSTRIAL_DORMITORY,
    CompoundKind.OTHER,
)
DONGHONG = "广东东鸿物业发展有限公司"
YAYUAN = "雅园新村"
# The Yayuan station's eight groups in the source's order, with members. The source gives
# 43 members, 12 party members and 31 owners, not a count per group: the 12 party members
# make up the party members' group and the 31 owners the seven others (that split is ours).
SERVICE_GROUPS = (
    ("党员小组", 12),
    ("安全监督组", 5),
    ("法律服务组", 4),
    ("环境监督组", 4),
    ("矛盾调解组", 5),
    ("文化活动组", 5),
    ("物业管家组", 4),
    ("志愿服务组", 4),
)
# The 19 social organisations the city brought in to run community comprehensive service
# centres (source: 率先引进19家社会组织运营管理社区综合服务中心), each with the centre it runs.
# The source names none of them: the names, sizes and founding years are made up. (social
# organisation, members, founded, community of the centre, street): ten centres are in the
# demo's communities; the other nine are in communities of the same streets that the demo's
# directory does not list, so they hang from their street.
SOCIAL_CENTRES = (
    ("东莞市南城阳光社会工作服务中心", 26, "2012-03-01", "宏图社区", "南城街道"),
    ("东莞市篁村社区服务社", 18, "2013-06-01", "篁村社区", "南城街道"),
    ("东莞市元美邻里社会工作服务中心", 15, "2014-04-01", "元美社区", "南城街道"),
    ("东莞市石鼓和谐社会工作服务中心", 14, "2014-09-01", "石鼓社区", "南城街道"),
    ("东莞市东泰长者社会工作服务中心", 22, "2011-11-01", "东泰社区", "东城街道"),
    ("东莞市主山青少年社会工作服务中心", 12, "2015-03-01", "主山社区", "东城街道"),
    ("东莞市金泰家庭社会工作服务中心", 16, "2013-08-01", "金泰社区", "万江街道"),
    ("东莞市石美乡村社会工作服务中心", 10, "2016-05-01", "石美村", "万江街道"),
    ("东莞市西隅社区发展服务中心", 13, "2012-12-01", "西隅社区", "莞城街道"),
    ("东莞市松湖新市民社会工作服务中心", 20, "2017-02-01", "松湖社区", "松山湖园区"),
    ("东莞市胜和助残社会工作服务中心", 11, "2015-07-01", "胜和社区", "南城街道"),
    ("东莞市白马公益服务中心", 9, "2016-01-01", "白马社区", "南城街道"),
    ("东莞市周溪心理健康服务中心", 8, "2018-04-01", "周溪社区", "南城街道"),
    ("东莞市牛山社会工作服务中心", 17, "2013-03-01", "牛山社区", "东城街道"),
    ("东莞市桑园育幼社会工作服务中心", 12, "2016-10-01", "桑园社区", "东城街道"),
    ("东莞市新村社区服务中心", 10, "2017-06-01", "新村社区", "万江街道"),
    ("东莞市兴塘人文关怀服务中心", 9, "2018-09-01", "兴塘社区", "莞城街道"),
    ("东莞市北隅社会工作服务中心", 14, "2014-01-01", "北隅社区", "莞城街道"),
    ("东莞市松山湖社会工作服务中心", 19, "2019-03-01", "松湖北社区", "松山湖园区"),
)


@dataclass(frozen=True)
class CompoundSpec:
    name: str
    community: str
    kind: CompoundKind
    homes: int
    residents: int
    land_area: float
    floor_area: float
    mature: bool = True
    mode: ManagementMode = ManagementMode.PROPERTY_FIRM
    # (firm, starts, ends): the last one open-ended is the contract in force.
    contracts: tuple[tuple[str, date, date | None], ...] = ()


@dataclass(frozen=True)
class FirmSpec:
    name: str
    serial: int
    founded_on: date
    owning_group: str | None = None  # set for state-owned firms only


@dataclass(frozen=True)
class PersonSpec:
    name: str
    roles: tuple[Role, ...]
    phone: str
    subject: str
    organisation: str | None = None


@dataclass(frozen=True)
class DemoCity:
    slug: str
    division: str
    streets: tuple[tuple[str, str], ...]  # (name, code)
    communities: tuple[tuple[str, str, CommunityKind], ...]  # (name, street, kind)
    firms: tuple[FirmSpec, ...]
    compounds: tuple[CompoundSpec, ...]
    people: tuple[PersonSpec, ...]
    cases: int


def _d(text: str) -> date:
    return date.fromisoformat(text)


URBAN, VILLAGE = CommunityKind.URBAN, CommunityKind.VILLAGE

# fmt: off
DONGGUAN = DemoCity(
    slug="dongguan",
    division="441900",
    streets=(
        ("南城街道", "441900004"),
        ("东城街道", "441900003"),
        ("万江街道", "441900005"),
        ("莞城街道", "441900006"),
        ("松山湖园区", "441900401"),
    ),
    communities=(
        ("宏图社区", "南城街道", URBAN),
        ("篁村社区", "南城街道", URBAN),
        ("元美社区", "南城街道", URBAN),
        ("石鼓社区", "南城街道", URBAN),
        ("东泰社区", "东城街道", URBAN),
        ("主山社区", "东城街道", URBAN),
        ("金泰社区", "万江街道", URBAN),
        ("石美村", "万江街道", VILLAGE),
        ("西隅社区", "莞城街道", URBAN),
        ("松湖社区", "松山湖园区", URBAN),
    ),
    firms=(
        FirmSpec(DONGHONG, 900000001, _d("2014-05-01"), "东莞实业投资控股集团有限公司"),
        FirmSpec("东莞市松湖园区物业服务有限公司", 900000002, _d("2012-09-01"),
              "东莞市松湖园区投资有限公司"),
        FirmSpec("东莞市宏景物业服务有限公司", 900000003, _d("2003-04-01")),
        FirmSpec("东莞市嘉华物业管理有限公司", 900000004, _d("1998-07-01")),
        FirmSpec("东莞市汇安物业服务有限公司", 900000005, _d("2008-10-01")),
        FirmSpec("东莞市锦城物业管理有限公司", 900000006, _d("2011-03-01")),
    ),
    compounds=(
        CompoundSpec(YAYUAN, "宏图社区", RENTAL, 4852, 15000, 135000, 400000,
                  contracts=((DONGHONG, _d("2017-05-01"), None),)),
        CompoundSpec("宏图花园", "宏图社区", CR, 980, 2900, 32000, 98000,
                  contracts=(("东莞市嘉华物业管理有限公司", _d("2004-01-01"), _d("2019-12-31")),
                             ("东莞市宏景物业服务有限公司", _d("2020-01-01"), None))),
        CompoundSpec("景湖春晓", "宏图社区", CR, 1620, 4700, 51000, 176000,
                  contracts=(("东莞市宏景物业服务有限公司", _d("2010-06-01"), None),)),
        CompoundSpec("宏图大厦住宅楼", "宏图社区", OTHER, 180, 520, 4200, 16000,
                  contracts=(("东莞市汇安物业服务有限公司", _d("2012-03-01"), None),)),
        CompoundSpec("篁村旧楼片区", "篁村社区", OTHER, 260, 700, 9000, 21000, mature=False,
                  mode=ManagementMode.COMMUNITY_CARETAKER),
        CompoundSpec("丽湖名居", "篁村社区", CR, 760, 2200, 24000, 80000,
                  contracts=(("东莞市嘉华物业管理有限公司", _d("2009-08-01"), None),)),
        CompoundSpec("元美公寓", "元美社区", CR, 420, 1150, 8800, 36000,
                  contracts=(("东莞市锦城物业管理有限公司", _d("2015-01-01"), None),)),
        CompoundSpec("金色华庭", "元美社区", CR, 1250, 3600, 38000, 132000,
                  contracts=(("东莞市宏景物业服务有限公司", _d("2013-05-01"), _d("2021-04-30")),
                             ("东莞市锦城物业管理有限公司", _d("2021-05-01"), None))),
        CompoundSpec("元美豪庭", "元美社区", CR, 690, 2000, 21000, 71000,
                  contracts=(("东莞市汇安物业服务有限公司", _d("2016-09-01"), None),)),
        CompoundSpec("石鼓怡景苑", "石鼓社区", LIMITED, 1100, 3300, 30000, 110000,
                  contracts=((DONGHONG, _d("2023-06-01"), None),)),
        CompoundSpec("东泰花园", "东泰社区", CR, 1900, 5600, 62000, 205000,
                  contracts=(("东莞市嘉华物业管理有限公司", _d("2001-10-01"), None),)),
        CompoundSpec("东城明珠", "东泰社区", CR, 1400, 4100, 40000, 150000,
                  contracts=(("东莞市宏景物业服务有限公司", _d("2011-11-01"), None),)),
        CompoundSpec("东泰雅苑", "东泰社区", CR, 560, 1600, 15000, 58000,
                  contracts=(("东莞市汇安物业服务有限公司", _d("2014-02-01"), None),)),
        CompoundSpec("主山新村", "主山社区", OTHER, 380, 1050, 12000, 30000, mature=False,
                  mode=ManagementMode.NONE),
        CompoundSpec("旗峰山庄", "主山社区", CR, 650, 1900, 46000, 70000,
                  contracts=(("东莞市锦城物业管理有限公司", _d("2012-07-01"), None),)),
        CompoundSpec("金泰花园", "金泰社区", CR, 1300, 3800, 39000, 138000,
                  contracts=(("东莞市嘉华物业管理有限公司", _d("2006-03-01"), None),)),
        CompoundSpec("滨江华府", "金泰社区", CR, 2100, 6000, 58000, 230000,
                  contracts=(("东莞市宏景物业服务有限公司", _d("2018-12-01"), None),)),
        CompoundSpec("金泰名苑", "金泰社区", LIMITED, 720, 2100, 19000, 72000,
                  contracts=((DONGHONG, _d("2024-03-01"), None),)),
        CompoundSpec("石美工业区宿舍", "石美村", DORM, 600, 3000, 18000, 21000, mature=False,
                  contracts=(("东莞市汇安物业服务有限公司", _d("2019-05-01"), None),)),
        CompoundSpec("西隅老街住宅楼", "西隅社区", OTHER, 150, 400, 3600, 9000, mature=False,
                  mode=ManagementMode.OWNER_SELF_MANAGED),
        CompoundSpec("运河苑", "西隅社区", RENTAL, 900, 2600, 21000, 78000,
                  contracts=((DONGHONG, _d("2019-03-01"), None),)),
        CompoundSpec("松湖人才公寓", "松湖社区", RENTAL, 1200, 2400, 26000, 96000,
                  contracts=(("东莞市松湖园区物业服务有限公司", _d("2016-08-01"), None),)),
        CompoundSpec("松山湖科技园员工宿舍", "松湖社区", DORM, 800, 4200, 22000, 30000,
                  contracts=(("东莞市松湖园区物业服务有限公司", _d("2015-04-01"), None),)),
        CompoundSpec("松湖花园", "松湖社区", CR, 1500, 4300, 60000, 165000,
                  contracts=(("东莞市锦城物业管理有限公司", _d("2017-10-01"), None),)),
        CompoundSpec("湖畔雅居", "松湖社区", CR, 880, 2500, 34000, 92000,
                  contracts=(("东莞市汇安物业服务有限公司", _d("2020-06-01"), _d("2024-05-31")),
                             ("东莞市松湖园区物业服务有限公司", _d("2024-06-01"), None))),
    ),
    people=(
        PersonSpec("陈志强", (Role.FIRM_STAFF,), "13800000101", "dongguan:chenzhiqiang",
                "雅园新村党群服务站"),
        PersonSpec("李慧玲", (Role.COMMUNITY_WORKER,), "13800000102", "dongguan:lihuiling",
                "宏图社区居民委员会"),
        PersonSpec("王建华", (Role.RESIDENT, Role.BUILDING_HEAD), "13800000103",
                "dongguan:wangjianhua", "雅园新村1栋党小组"),
        PersonSpec("张丽娟", (Role.MEDIATOR,), "13800000104", "dongguan:zhanglijuan",
                "宏图社区人民调解委员会"),
        PersonSpec("刘敏", (Role.SOCIAL_ORG_STAFF,), "13800000105", "dongguan:liumin",
                "东莞市南城阳光社会工作服务中心"),
        PersonSpec("黄国栋", (Role.STREET_ADMIN,), "13800000106", "dongguan:huangguodong",
                "中共东莞市南城街道工作委员会"),
        PersonSpec("赵文", (Role.CITY_ADMIN,), "13800000107", "dongguan:zhaowen", "东莞市民政局"),
        PersonSpec("周晓燕", (Role.RESIDENT,), "13800000108", "dongguan:zhouxiaoyan"),
        PersonSpec("吴海涛", (Role.RESIDENT,), "13800000109", "dongguan:wuhaitao"),
    ),
    cases=60,
)

ZHUHAI = DemoCity(
    slug="zhuhai",
    division="440400",
    streets=(("香洲区拱北街道", "440402003"), ("香洲区吉大街道", "440402001")),
    communities=(
        ("港昌社区", "香洲区拱北街道", URBAN),
        ("昌盛社区", "香洲区拱北街道", URBAN),
        ("景山社区", "香洲区吉大街道", URBAN),
    ),
    firms=(
        FirmSpec("珠海市海岸物业管理有限公司", 900000101, _d("2002-05-01")),
        FirmSpec("珠海市港湾物业服务有限公司", 900000102, _d("2009-09-01")),
        FirmSpec("珠海市莲洲物业服务有限公司", 900000103, _d("2015-11-01")),
    ),
    compounds=(
        CompoundSpec("港昌花园", "港昌社区", CR, 860, 2400, 23000, 86000,
                  contracts=(("珠海市海岸物业管理有限公司", _d("2008-01-01"), None),)),
        CompoundSpec("拱北口岸人才公寓", "港昌社区", RENTAL, 640, 1300, 12000, 52000,
                  contracts=(("珠海市港湾物业服务有限公司", _d("2020-09-01"), None),)),
        CompoundSpec("昌盛新村", "昌盛社区", OTHER, 300, 820, 9000, 24000, mature=False,
                  mode=ManagementMode.COMMUNITY_CARETAKER),
        CompoundSpec("景山名苑", "景山社区", CR, 1100, 3100, 36000, 118000,
                  contracts=(("珠海市海岸物业管理有限公司", _d("2011-04-01"), _d("2022-03-31")),
                             ("珠海市莲洲物业服务有限公司", _d("2022-04-01"), None))),
        CompoundSpec("海滨雅居", "景山社区", CR, 520, 1500, 17000, 56000,
                  contracts=(("珠海市莲洲物业服务有限公司", _d("2018-07-01"), None),)),
    ),
    people=(
        PersonSpec("梁嘉欣", (Role.COMMUNITY_WORKER,), "13900000201", "zhuhai:liangjiaxin",
                "港昌社区居民委员会"),
        PersonSpec("何振宇", (Role.RESIDENT,), "13900000202", "zhuhai:hezhenyu"),
    ),
    cases=10,
)
# fmt: on

CITIES = (DONGGUAN, ZHUHAI)
