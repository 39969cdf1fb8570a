"""The rules a deployment cites, per province: one table from a neutral citation key to each
province's own text. Jilin (22) has its platform rules (《吉林省农村集体经济数字监管平台管理办法》,
`shared/seeds/`, SPEC's "Art. J…"); a province without its own text for a matter (Jiangxi's own
rule covers forestry credit data only) cites the national rules or a neutral wording.

Everything that cites — the home page, the warnings' 依据, refusals, help texts — asks `cite(key,
province)` (or `Article.text_for(province)` for a supervision rule) with the deployment's province;
nothing stores a province's text, so stored warnings render per province at display time.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

JILIN_RULES = "《吉林省农村集体经济数字监管平台管理办法》"
NATIONAL_FINANCE = "《农村集体经济组织财务制度》（财农〔2021〕121号）"
NATIONAL_ACCOUNTING = "《农村集体经济组织会计制度》（财会〔2023〕14号）"
COLLECTIVE_LAW = "《中华人民共和国农村集体经济组织法》"
CYBERSECURITY_LAW = "《中华人民共和国网络安全法》"
DATA_SECURITY_LAW = "《中华人民共和国数据安全法》"
JIANGXI_RULES = "《江西省林业信用数据管理办法》"


class Cite(StrEnum):
    FUNCTIONS = "functions"                    # J3: the ten function areas (funds, assets, contracts, trading…)
    OVERSIGHT_ACCOUNTS = "oversight_accounts"  # J9: oversight departments' accounts need provincial approval
    PERMISSIONS = "permissions"                # J10: permission kinds; who authorises which accounts
    BASE_DATA = "base_data"                    # J11: level-1 and level-2 base data (level 2 from the books)
    IMPORTS = "imports"                        # J18: historical data imported, who imported what is kept
    BASE_DATA_ENTRY = "base_data_entry"        # J12: level-1 base data collected by village and township, checked
    BASE_DATA_UPDATE = "base_data_update"      # J13: updates start at the village, the township approves, filed
    BASE_DATA_LOCK = "base_data_lock"          # J14: the trial period, the lock, corrections and their revocation
    JURISDICTION = "jurisdiction"              # J16: each level sees and exports its own jurisdiction's data
    SHARING = "sharing"                        # J17: sharing with another city or county needs provincial approval
    DISCLOSURE = "disclosure"                  # J19: financial data disclosed; members query their own rights
    NATIONAL_PLATFORM = "national_platform"    # J26: the national platform's data (the yearly asset check)
    WARNING_HANDLING = "warning_handling"      # J31: warnings pushed down, checked and corrected
    SECURITY_LOG = "security_log"              # J36: the security log, kept six months, reviewed monthly
    WARNING_OVERSIGHT = "warning_oversight"    # J41: warnings managed and disposed of
    DATA_REQUEST = "data_request"              # J23 / X43–X44: apply, risk assessment, confidentiality commitment
    DATA_MISUSE = "data_misuse"                # J24 / X40: no use beyond the approved scope; provision ends
    DATA_INTERFACE = "data_interface"          # J25: an interface must not hinder the platform's operation
    DATA_ANSWER = "data_answer"                # X39–X40: a request answered within ten working days
    BACKUP = "backup"                          # J37 (X20–X21): backups, restore drills, verification
    SECURITY_INCIDENTS = "security_incidents"  # J39–J40, X57: incidents responded to and reported level by level
    DESTRUCTION = "destruction"                # X22 (J38): data destroyed on the data unit's decision, registered
    MAINTENANCE_ACCESS = "maintenance_access"  # X52 (J38): maintenance access approved, recorded, closed after
    DEVICES = "devices"                        # X53 (J38): the register of devices connected to the data


#: key -> {province: (document, article)}: a province's own rules
OWN: dict[Cite, dict[int, tuple[str, str]]] = {
    Cite.FUNCTIONS: {22: (JILIN_RULES, "第三条")},
    Cite.OVERSIGHT_ACCOUNTS: {22: (JILIN_RULES, "第九条")},
    Cite.PERMISSIONS: {22: (JILIN_RULES, "第十条")},
    Cite.BASE_DATA: {22: (JILIN_RULES, "第十一条")},
    Cite.IMPORTS: {22: (JILIN_RULES, "第十八条")},
    Cite.BASE_DATA_ENTRY: {22: (JILIN_RULES, "第十二条")},
    Cite.BASE_DATA_UPDATE: {22: (JILIN_RULES, "第十三条")},
    Cite.BASE_DATA_LOCK: {22: (JILIN_RULES, "第十四条")},
    Cite.JURISDICTION: {22: (JILIN_RULES, "第十六条")},
    Cite.SHARING: {22: (JILIN_RULES, "第十七条")},
    Cite.DISCLOSURE: {22: (JILIN_RULES, "第十九条")},
    Cite.NATIONAL_PLATFORM: {22: (JILIN_RULES, "第二十六条")},
    Cite.WARNING_HANDLING: {22: (JILIN_RULES, "第三十一条")},
    Cite.SECURITY_LOG: {22: (JILIN_RULES, "第三十六条")},
    Cite.WARNING_OVERSIGHT: {22: (JILIN_RULES, "第四十一条")},
    Cite.DATA_REQUEST: {22: (JILIN_RULES, "第二十三条"), 36: (JIANGXI_RULES, "第四十四条")},
    Cite.DATA_MISUSE: {22: (JILIN_RULES, "第二十四条"), 36: (JIANGXI_RULES, "第四十条")},
    Cite.DATA_INTERFACE: {22: (JILIN_RULES, "第二十五条")},
    # Jilin's rules set no answer period: the province answers in its application process (J23)
    Cite.DATA_ANSWER: {22: (JILIN_RULES, "第二十三条"), 36: (JIANGXI_RULES, "第四十条")},
    Cite.BACKUP: {22: (JILIN_RULES, "第三十七条"), 36: (JIANGXI_RULES, "第二十条、第二十一条")},
    Cite.SECURITY_INCIDENTS: {22: (JILIN_RULES, "第三十九条、第四十条"), 36: (JIANGXI_RULES, "第五十七条")},
    Cite.DESTRUCTION: {22: (JILIN_RULES, "第三十八条"), 36: (JIANGXI_RULES, "第二十二条")},
    Cite.MAINTENANCE_ACCESS: {22: (JILIN_RULES, "第三十八条"), 36: (JIANGXI_RULES, "第五十二条")},
    Cite.DEVICES: {22: (JILIN_RULES, "第三十八条"), 36: (JIANGXI_RULES, "第五十三条")},
}

#: key -> what a province without its own text cites (a national rule, or a neutral wording);
#: None: nothing beyond the national rules a supervision rule names anyway
ELSEWHERE: dict[Cite, str | None] = {
    Cite.FUNCTIONS: None,
    Cite.OVERSIGHT_ACCOUNTS: "平台账号分级授权规定",
    Cite.PERMISSIONS: "平台账号分级授权规定",
    Cite.BASE_DATA: NATIONAL_ACCOUNTING,
    Cite.IMPORTS: "平台历史数据导入规定",
    Cite.BASE_DATA_ENTRY: "平台基础数据采集录入规定",
    Cite.BASE_DATA_UPDATE: "平台基础数据更新审核规定",
    Cite.BASE_DATA_LOCK: "平台基础数据锁定与更正规定",
    Cite.JURISDICTION: "平台数据分级管理规定",
    Cite.SHARING: "平台数据共享审批规定",
    Cite.DISCLOSURE: None,  # the national 《农村集体经济组织财务公开规定》, which the texts name themselves
    Cite.NATIONAL_PLATFORM: None,
    Cite.WARNING_HANDLING: None,
    Cite.SECURITY_LOG: f"{CYBERSECURITY_LAW}第二十一条",
    Cite.WARNING_OVERSIGHT: None,
    Cite.DATA_REQUEST: "平台数据共享审批规定",
    Cite.DATA_MISUSE: "平台数据共享审批规定",
    Cite.DATA_INTERFACE: "平台数据接口管理规定",
    Cite.DATA_ANSWER: "平台数据共享审批规定",
    Cite.BACKUP: f"{CYBERSECURITY_LAW}第二十一条",
    Cite.SECURITY_INCIDENTS: f"{DATA_SECURITY_LAW}第二十三条",
    Cite.DESTRUCTION: "平台数据安全管理规定",
    Cite.MAINTENANCE_ACCESS: "平台数据安全管理规定",
    Cite.DEVICES: "平台数据安全管理规定",
}


def cite(key: Cite | str, province: int | None) -> str:
    """What the deployment of `province` cites for `key`: its own article, else the national rule
    or neutral wording ('' when there is nothing to cite beyond the national rules)."""
    key = Cite(key)
    own = OWN[key].get(province or 0)
    return f"{own[0]}{own[1]}" if own else (ELSEWHERE[key] or "")


def cites(keys, province: int | None) -> str:
    """Several citations in one phrase, a province's articles of one document grouped
    (《吉林省…管理办法》第三十一条、第四十一条)."""
    grouped: dict[str, list[str]] = {}
    for key in keys:
        own = OWN[Cite(key)].get(province or 0)
        document, article = own if own else (ELSEWHERE[Cite(key)] or "", "")
        if document:
            grouped.setdefault(document, [])
            if article:
                grouped[document].append(article)
    return "；".join(doc + "、".join(arts) for doc, arts in grouped.items())


def citing(text: str, key: Cite | str, province: int | None) -> str:
    """`text` followed by its citation in brackets, or alone where the province cites nothing."""
    c = cite(key, province)
    return f"{text}（{c}）" if c else text


@dataclass(frozen=True)
class Article:
    """What a supervision rule enforces: the national rule or practice (`text`, the same in every
    province) and the province's own articles (`keys`)."""

    text: str
    keys: tuple[Cite, ...] = ()

    def text_for(self, province: int | None) -> str:
        own = cites(self.keys, province)
        return f"{self.text}；{own}" if own else self.text


#: the forestry credit matters' articles of Jiangxi's own rule (forestry credit is Jiangxi's only);
#: the credit pages, forms and refusals cite `credit_article(key)` and name no article themselves
CREDIT_ARTICLES: dict[str, str] = {
    "push": "第二十八条",                # 双公示 fields (XK_*, CF_*)
    "inspection": "第三十三条",          # inspection frequency by evaluation
    "punishment": "第三十四条",          # joint punishment within the publicity period
    "open": "第三十八条",                # unconditionally open records; natural persons masked
    "subject_request": "第三十九条",     # a subject obtains its own conditionally open data
    "sharing": "第四十条",               # other public bodies: shared data, answered in ten working days
    "transfer_device": "第四十一条",     # transfer by a dedicated person and device, cleared after
    "internet": "第四十二条",            # no transfer over the internet but masked and encrypted
    "transfer_approval": "第四十三条",   # the transfer's approval chain
    "commitment": "第四十四条",          # the data use and custody commitment
    "correction": "第四十六条",          # corrections: facts, evidence, provincial review, county carries out
    "correction_ground": "第四十七条",   # the grounds of a correction
    "correction_note": "第四十七条第三项",  # a rights-restriction note (forest rights only)
    "correction_evidence": "第四十八条",  # evidence attached to a correction
}
#: the credit data request's reply rule, as the overdue-reply warning cites it
CREDIT_REPLY = ("第三十九条、第四十条（收到申请之日起十个工作日内答复）、第四十三条、第四十八条")
#: a national law the demo's planted penalties cite
FOREST_LAW_PENALTY = "《中华人民共和国森林法》第七十三条"


def credit_article(key: str, document: bool = False) -> str:
    """The Jiangxi credit rule's article for `key`, preceded by the rule's title when `document`."""
    return (JIANGXI_RULES if document else "") + CREDIT_ARTICLES[key]
