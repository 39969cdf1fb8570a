"""林业信用数据修正 (Jiangxi Art. X45–X48): apply with evidence, review, the meeting's decision,
the provincial bureau for major or batch corrections, applied by the county."""
import dash

from components.credit_requests import corrections_layout
from domain.permissions import Action
from domain.citations import credit_article

CORRECTION_ACTIONS = (Action.CREDIT_CORRECTION_APPLY, Action.CREDIT_CORRECTION_REVIEW, Action.CREDIT_CORRECTION_DECIDE,
                      Action.CREDIT_CORRECTION_BUREAU, Action.CREDIT_CORRECTION_EXECUTE)
dash.register_page(__name__, group="林业信用", path="/credit/corrections", name="数据修正", order=73, title="林业信用数据修正",
                   permission=CORRECTION_ACTIONS)

INTRO = (f"尊重事实、凭据修正、省级审核、县级实施（{credit_article('correction')}）：县级林业主管部门或信用主体附证明材料申请，"
         "数据管理单位经办部门审核，单位会议决定；涉及重大数据或批量数据的报省林业局审议；审批同意后由县级林业主管部门修正，"
         "修正前后的数据和每一步的办理人、时间、意见均留痕。")


def layout(**_):
    return corrections_layout(INTRO)
