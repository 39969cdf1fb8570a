"""数据安全事件台账 (domain.registers.kinds.INCIDENTS)."""
import dash

from components.registers import register_layout
from domain.citations import Cite
from domain.permissions import Action
from domain.registers.kinds import INCIDENTS as REGISTER

dash.register_page(__name__, group="平台管理",
                   path="/registers/incidents", name="数据安全事件", order=85, permission=Action.INCIDENT_VIEW,
                   title=REGISTER.title)

INTRO = ("发生数据安全事件应及时启动响应程序、跟踪事态并逐级上报（村→乡镇→县→市→省），处置完毕后关闭；"
         "每一步都留有记录")


def layout(**_):
    return register_layout(REGISTER, Cite.SECURITY_INCIDENTS, INTRO)
