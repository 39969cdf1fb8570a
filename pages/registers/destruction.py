"""数据销毁台账 (domain.registers.kinds.DESTRUCTION)."""
import dash

from components.registers import register_layout
from domain.citations import Cite
from domain.permissions import Action
from domain.registers.kinds import DESTRUCTION as REGISTER

dash.register_page(__name__, group="平台管理",
                   path="/registers/destruction", name="数据销毁", order=86, permission=Action.REGISTER_VIEW,
                   title=REGISTER.title)

INTRO = ("失去参考价值的数据须经数据管理单位研究决定后，核"
         "对、清点、登记造册，再会同外包技术团队执行销毁")


def layout(**_):
    return register_layout(REGISTER, Cite.DESTRUCTION, INTRO)
