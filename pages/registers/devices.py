"""设备登记台账 (domain.registers.kinds.DEVICES)."""
import dash

from components.registers import register_layout
from domain.citations import Cite
from domain.permissions import Action
from domain.registers.kinds import DEVICES as REGISTER

dash.register_page(__name__, group="平台管理",
                   path="/registers/devices", name="设备登记", order=88, permission=Action.REGISTER_VIEW,
                   title=REGISTER.title)

INTRO = ("与数据中心连接的设备登记在册（名称、型号、编号、使用人员、MAC 地址绑定）；"
         "离开办公场所须清理数据并经批准，报废须经批准并由专人销毁")


def layout(**_):
    return register_layout(REGISTER, Cite.DEVICES, INTRO)
