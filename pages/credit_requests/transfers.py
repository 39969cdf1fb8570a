"""林业信用数据传输 (Jiangxi Art. X41–X44): the 数据申报审批表 and its three signatures."""
import dash

from components.credit_requests import transfers_layout
from domain.permissions import Action
from domain.citations import credit_article

TRANSFER_ACTIONS = (Action.CREDIT_TRANSFER_APPLY, Action.CREDIT_TRANSFER_PRELIM, Action.CREDIT_TRANSFER_REVIEW,
                    Action.CREDIT_TRANSFER_APPROVE)
dash.register_page(__name__, group="林业信用", path="/credit/transfers", name="数据传输", order=74, title="林业信用数据传输",
                   permission=TRANSFER_ACTIONS)

INTRO = (f"数据传输须履行审批程序（{credit_article('transfer_approval')}）："
         "申请单位填写数据申报审批表，经办部门初审、分管领导审核、主要领导审批；"
         f"下载传输由专人使用专用存储设备进行，传输完毕后清理设备数据（{credit_article('transfer_device')}）；数据不得通过互联网传输，"
         f"例外情形须脱敏、加密（{credit_article('internet')}）。")


def layout(**_):
    return transfers_layout(INTRO)
