"""Names for synthetic rows: streets, communities, estates and firms that read as real ones."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator, Sequence

from core.infra.enums import CompoundKind

STREET_HEADS = "东南西北清凤石塘横常大黄长虎厚沙道洪麻中高茶企桥谢寮望樟"
STREET_TAILS = "城岗龙厦沥平朗江安门田滘梅涌堂埗山头坑步墩溪湖"
COMMUNITY_HEADS = "宏元新丽兴和富康安景瑞福华金玉翠鸿永德益泰民乐嘉祥盛裕顺明光"
COMMUNITY_TAILS = "图美基城乐平湖源园华兴荣盛沙塘岭坑朗涌田洲湾埔岗星泰和丰桥"
ESTATE_WORDS = (
    "锦绣 碧水 金域 翠湖 星河 阳光 御景 海逸 君悦 丽景 东方 银湖 云山 雅居 怡景 康城 龙湾 凤凰"
    " 万象 天骄 瑞府 盛世 名都 绿茵 水岸 枫林 桃源 春晓 紫荆 书香 江南 新城 景湖 岭南 锦华 嘉华"
    " 宏远 泰和 华景 富盈 骏景 汇景 尚城 蓝湾 观澜 清华 鸿福 逸翠 御庭 颐和 文华 松湖 榕树 青榕"
).split()
ESTATE_TAILS: dict[CompoundKind, tuple[str, ...]] = {
    CompoundKind.COMMERCIAL_RESIDENTIAL: tuple(
        "花园 名苑 雅苑 豪庭 华府 家园 公馆 山庄 名居 嘉园 广场 新村 湾 城 府 苑 轩 郡".split()
    ),
    CompoundKind.PUBLIC_RENTAL: ("人才公寓", "安居苑", "公租房小区"),
    CompoundKind.PRICE_LIMITED: ("安居园", "三限房小区", "和居苑"),
    CompoundKind.INDUSTRIAL_DORMITORY: ("工业园宿舍", "产业园员工公寓", "科技园宿舍"),
    CompoundKind.OTHER: ("单位宿舍", "综合楼", "住宅楼"),
}
FIRM_TAILS = ("物业服务有限公司", "物业管理有限公司", "物业发展有限公司", "物业服务集团有限公司")
_PHASES = ("", "二期", "三期", "四期", "五期")

# Administrative division codes, the middle of a firm's unified social credit code.
DIVISIONS = {"dongguan": "441900", "zhuhai": "440400"}
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def social_credit_code(division: str, serial: int) -> str:
    """A well-formed 18-character unified social credit code (统一社会信用代码) of a company."""
    body = f"91{division}{serial % 10**9:09d}"
    total = sum(_USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def fresh_names(
    heads: Iterable[str], tails: Sequence[str], taken: set[str], suffix: str = ""
) -> Iterator[str]:
    """Fresh names, never one in `taken` (which it extends), in an order fixed across seeds.

    The order ignores the seed so that a second run into the same city carries on where
    the first stopped instead of colliding with it.
    """
    # A doubled character (泰泰) reads as a typo, not a place.
    combos = [h + t + suffix for h, t in itertools.product(heads, tails) if h[-1] != t[0]]
    random.Random(0).shuffle(combos)
    for phase in itertools.count():
        extra = _PHASES[phase] if phase < len(_PHASES) else f"{phase + 1}期"
        for name in (combo + extra for combo in combos):
            if name not in taken:
                taken.add(name)
                yield name
