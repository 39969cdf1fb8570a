"""The vocabularies of forestry credit data, each a code → Chinese label table (data, not code).

- subjects (Art. X5, X19): natural persons by resident ID, legal persons and other forestry
  organisations (individual businesses included) by unified social credit code, others by another
  valid ID;
- records (Art. X10): public credit data (basic, good, dishonest) and market credit data (transfers,
  loans, insurance claims, element trades, industry services, subsidies paid to households, the
  lists of leading enterprises, model forest farms and cooperatives), each with its source
  (Art. X14: platform, external system, batch import), an open class (Art. X11) and a share class
  (Art. X12);
- forest rights (Art. X29): right types, forest types, age classes;
- authorisations (Art. X30): the purposes a holder may authorise a bank for.
"""
from __future__ import annotations

import datetime as dt

SUBJECT_KINDS = {"natural": "自然人", "legal": "法人", "organisation": "其他涉林生产组织", "individual_business": "个体工商户"}
#: how each kind of subject is identified (Art. X19); "other" for a person without a resident ID
ID_TYPES = {"resident": "居民身份证", "uscc": "统一社会信用代码", "other": "其他有效身份证件"}
NATURAL_KINDS = frozenset({"natural"})

CATEGORIES = {"public": "公共信用数据", "market": "市场信用数据"}
#: record kind → (category, label)
RECORD_KINDS = {
    "basic": ("public", "基础信息（登记类）"),
    "good": ("public", "优良信息"),
    "dishonest": ("public", "失信信息"),
    "transfer": ("market", "林权流转"),
    "loan": ("market", "融资贷款"),
    "insurance": ("market", "保险理赔"),
    "trade": ("market", "要素交易"),
    "service": ("market", "产业服务"),
    "subsidy": ("market", "资金到户"),
    "list": ("market", "龙头企业、示范林场、示范合作社名单"),
}
#: the subtypes a good or dishonest record carries
GOOD_TYPES = {"commendation": "表彰奖励", "public_welfare": "社会公益", "volunteer": "志愿服务"}
DISHONEST_TYPES = {"admin_penalty": "行政处罚", "criminal_judgment": "生效判决认定构成犯罪", "refusal": "拒不履行生效法律文书"}
LIST_TYPES = {"national_leading": "国家林业重点龙头企业", "provincial_leading": "省级林业龙头企业",
              "model_farm": "示范民营林场", "model_coop": "示范专业合作社"}
#: the severity of a dishonest record (《信用修复管理办法》, 2026-04-01)
SEVERITIES = {"minor": "轻微", "ordinary": "一般", "serious": "严重"}

#: Art. X14: how a record came in
SOURCES = {"platform": "业务平台运营生成", "external": "对接外部系统", "import": "依有效文件批量导入或录入"}
#: Art. X11 and X12
OPEN_CLASSES = {"none": "不予开放", "conditional": "有条件开放", "unconditional": "无条件开放"}
SHARE_CLASSES = {"none": "不予共享", "conditional": "有条件共享", "unconditional": "无条件共享"}
OPENNESS = {"none": 0, "conditional": 1, "unconditional": 2}
#: the grounds on which masked or consented data moves to a more open class (Art. X11 para. 3, X12 para. 3)
RECLASS_GROUNDS = {"desensitised": "依法经过脱敏处理", "consent": "相关权利人同意开放"}

RECORD_STATUSES = {"active": "有效", "repaired": "已信用修复", "corrected": "已修正", "withdrawn": "已撤销"}

RIGHT_TYPES = {"ownership": "林地所有权", "use": "林地使用权", "contracting": "林地承包经营权", "management": "林木经营权"}
FOREST_TYPES = {"timber": "用材林", "economic": "经济林", "protection": "防护林", "special": "特种用途林", "fuel": "能源林"}
AGE_CLASSES = {"young": "幼龄林", "middle": "中龄林", "near_mature": "近熟林", "mature": "成熟林", "over_mature": "过熟林"}
SPECIES = ("杉木", "马尾松", "湿地松", "毛竹", "油茶", "阔叶混交", "樟树", "柑橘", "落叶松", "红松", "白桦", "杨树")
ENCUMBRANCES = {"mortgage": "抵押", "restriction": "权利限制备注"}

#: Art. X30: what a holder may authorise a financial institution for
PURPOSES = {"mortgage_loan": "林权抵押贷款", "credit_loan": "信用贷款", "insurance": "投保理赔", "interest_subsidy": "贴息申请"}


def category_of(kind: str) -> str:
    return RECORD_KINDS[kind][0]


def kind_label(kind: str) -> str:
    return RECORD_KINDS[kind][1]


def more_open(old: str, new: str) -> bool:
    """True when `new` is a more open class than `old` (either table: the ranks are shared)."""
    return OPENNESS[new] > OPENNESS[old]


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months, clamped to the month's last day (2026-01-31 + 1 → 02-28)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))
