"""林业信用数据申请 (Jiangxi Art. X39, X40, X44): a credit subject applies for conditional-open
data, a public body for conditional-shared data; the data unit replies within ten working days."""
import dash

from components.credit_requests import applications_layout
from domain.permissions import Action
from domain.citations import credit_article

APPLICATION_ACTIONS = (Action.CREDIT_OPEN_APPLY, Action.CREDIT_SHARE_APPLY, Action.CREDIT_APPLICATION_DECIDE)
dash.register_page(__name__, group="林业信用", path="/credit/applications", name="数据申请", order=72, title="林业信用数据申请",
                   permission=APPLICATION_ACTIONS)

INTRO = (f"信用主体可申请获取本人有条件开放类数据（{credit_article('subject_request')}），"
         f"其他公共管理和服务机构可申请有条件共享类数据（{credit_article('sharing')}）；"
         f"数据管理单位自收到申请之日起十个工作日内答复，不同意的说明理由；获取数据前须签署数据使用保管承诺书（{credit_article('commitment')}），"
         "只能在同意的范围和有效期内使用。")


def layout(**_):
    return applications_layout(INTRO)
