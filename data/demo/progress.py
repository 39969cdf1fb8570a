"""Progress of a demo generation, as a person at the terminal sees it: one line per step with the
share of the work done, an elapsed time and a bar (`[demo] ▓▓▓▓▓░░░░░  48% 写入凭证 12.3 s`)."""
from __future__ import annotations

import time

#: the steps of a generation with their share of its time (measured on the `demo` scale)
STEPS = {
    "start": ("准备区划与数据库", 1),
    "ledger": ("生成凭证与分录", 3),
    "business": ("生成资产、资源、合同与会议", 22),
    "payments": ("生成支付申请", 6),
    "records": ("写入组织、成员与业务记录", 11),
    "vouchers": ("写入凭证", 19),
    "lines": ("写入分录", 20),
    "snapshot": ("建立列式汇总", 4),
    "disclosure": ("生成财务公开与成员提问", 2),
    "warnings": ("运行预警规则", 13),
    "history": ("生成预警处置历史", 2),
    "imports": ("生成数据导入记录", 1),
    "basedata": ("生成基础数据、试运行锁定与更正", 1),
    "sharing": ("生成数据共享申请与接口调用", 1),
    "ops": ("生成备份、恢复演练与同步记录", 1),
    "registers": ("登记安全台账", 1),
    "credit": ("生成林业信用主体、记录与林权", 4),
    "prices": ("生成林权成交样本与营林成本观测", 1),
}


class Progress:
    """Call with a step name when that step is done."""

    def __init__(self, log=print, width: int = 20):
        self.log, self.width, self.t0, self.done = log, width, time.perf_counter(), 0
        self.total = sum(w for _, w in STEPS.values())

    def __call__(self, step: str, detail: str = "") -> None:
        label, weight = STEPS[step]
        self.done = min(self.done + weight, self.total)
        share = self.done / self.total
        bar = "▓" * round(share * self.width) + "░" * (self.width - round(share * self.width))
        extra = f"（{detail}）" if detail else ""
        self.log(f"[demo] {bar} {share:4.0%} {label}{extra} {time.perf_counter() - self.t0:5.1f} s")
