"""运维接入台账 (domain.registers.kinds.ACCESS)."""
import dash

from components.registers import register_layout
from domain.citations import Cite
from domain.permissions import Action
from domain.registers.kinds import ACCESS as REGISTER

dash.register_page(__name__, group="平台管理",
                   path="/registers/maintenance", name="运维接入", order=87, permission=Action.REGISTER_VIEW,
                   title=REGISTER.title)

INTRO = ("开放远程或现场维护须经数据管理单位分管领导同意，详细记录维护"
         "人员、使用硬件型号、时间和操作内容，维护完毕立即关闭端口")


def layout(**_):
    return register_layout(REGISTER, Cite.MAINTENANCE_ACCESS, INTRO)
