"""Synthetic but well-formed people and organisations: names, resident IDs, credit codes."""
from __future__ import annotations

import numpy as np

from domain.identifiers import USCC_ALPHABET, org_code_check_char, resident_id_check_char, uscc_check_char

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
                "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌凤云海燕春梅林"
             "宇浩鹏飞晨阳欣怡佳慧婷雪琳宁波辉亮成荣德福贵祥")
COMPANY_WORDS = ["丰收", "兴农", "绿源", "金穗", "鑫达", "宏业", "福瑞", "森林", "田园", "恒泰", "惠民", "长青", "沃土", "众鑫"]
COMPANY_KINDS = ["农业发展有限公司", "种植专业合作社", "建筑工程有限公司", "农机服务专业合作社", "商贸有限公司",
                 "林业开发有限公司"]



def names(rng: np.random.Generator, n: int) -> list[str]:
    s = rng.choice(SURNAMES, n)
    g1 = rng.choice(GIVEN, n)
    g2 = rng.choice(GIVEN, n)
    two = rng.random(n) < 0.7
    return [a + b + (c if t else "") for a, b, c, t in zip(s, g1, g2, two)]


def resident_ids(rng: np.random.Generator, county_codes: np.ndarray, n: int, min_year=1945, max_year=2004) -> list[str]:
    """Resident ID numbers (GB 11643) registered in the given counties, with real birth dates."""
    counties = np.asarray(county_codes)[rng.integers(0, len(county_codes), n)] // 1_000_000
    start = np.datetime64(f"{min_year}-01-01")
    days = (np.datetime64(f"{max_year}-12-31") - start).astype(int)
    births = start + rng.integers(0, days, n).astype("timedelta64[D]")
    seq = np.maximum(rng.integers(0, 1000, n), 1)  # sequence codes run 001–999
    out = []
    for c, b, q in zip(counties, births, seq):
        body = f"{c:06d}{str(b).replace('-', '')}{q:03d}"
        out.append(body + resident_id_check_char(body))
    return out


def uscc(rng: np.random.Generator, region6: int, prefix: str = "93") -> str:
    """A unified social credit code (GB 32100). `N2` = village collective economic organisation,
    `93` = farmers' professional cooperative, `91` = company."""
    org = "".join(rng.choice(list(USCC_ALPHABET), 9))[:8]  # nine drawn, as always: the same stream
    body = prefix + f"{region6:06d}" + org + org_code_check_char(org)  # GB 11714 organisation code
    return body + uscc_check_char(body)


def companies(rng: np.random.Generator, n: int, region6: np.ndarray) -> list[tuple[str, str]]:
    words = rng.choice(COMPANY_WORDS, n)
    kinds = rng.choice(COMPANY_KINDS, n)
    regs = np.asarray(region6)[rng.integers(0, len(region6), n)]
    return [(f"{w}{k}", uscc(rng, int(r), "93" if "合作社" in k else "91")) for w, k, r in zip(words, kinds, regs)]
