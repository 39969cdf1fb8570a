"""The server-rendered pages outside Dash: sign-in, password change, sign-out confirmation."""
from __future__ import annotations

from flask import render_template_string

from components.refusal import NOT_FOUND_HEADING


def _page(title: str) -> str:
    """The head every one of these pages shares (the platform's own stylesheets, no scripts)."""
    return ("<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{title}</title>\n<link rel=\"stylesheet\" href=\"/assets/vendor/bootstrap.min.css\">"
            "<link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\n<body class=\"login-body\">\n")

LOGIN_TEMPLATE = _page("登录 · {{ platform }}") + """<main class="login-card card shadow-sm">
  <div class="card-body p-4">
    <h1 class="h4 mb-1">{{ platform }}</h1>
    <p class="text-muted small mb-4">{{ province }} · 农村集体经济数字监管与林业信用数据平台</p>
    {% if banner %}<div class="alert alert-warning small" role="alert">{{ banner }}</div>{% endif %}
    {% if error %}<div class="alert alert-danger" role="alert" id="login-error">{{ error }}</div>{% endif %}
    <form method="post" action="/login" autocomplete="off">
      <input type="hidden" name="next" value="{{ next }}">
      <div class="mb-3"><label class="form-label" for="username">用户名</label>
        <input class="form-control" id="username" name="username" value="{{ username }}" required autofocus></div>
      <div class="mb-3"><label class="form-label" for="password">密码</label>
        <input class="form-control" id="password" name="password" type="password" required></div>
      {% if otp %}<div class="mb-3"><label class="form-label" for="otp">动态验证码</label>
        <input class="form-control" id="otp" name="otp" inputmode="numeric" pattern="[0-9]{6}" maxlength="6"
               autocomplete="one-time-code"></div>{% endif %}
      <button class="btn btn-primary w-100" type="submit" id="login-submit">登录</button>
    </form>
    <p class="text-muted small mt-3 mb-0">请妥善保管用户名和密码，离开时请退出登录。</p>
  </div>
</main></body></html>"""


LOGOUT_TEMPLATE = _page("退出登录") + """<main class="login-card card shadow-sm"><div class="card-body p-4">
  <h1 class="h5 mb-3">退出登录</h1>
  <p class="small">确定要退出登录吗？</p>
  <form method="post" action="/logout">
    <button class="btn btn-primary w-100" type="submit" id="logout-confirm">退出登录</button>
  </form>
  <p class="small mt-3 mb-0"><a href="/">返回首页</a></p>
</div></main></body></html>"""


def render_logout_confirm():
    return render_template_string(LOGOUT_TEMPLATE), 200


PASSWORD_TEMPLATE = _page("修改密码") + """<main class="login-card card shadow-sm"><div class="card-body p-4">
  <h1 class="h5 mb-2">修改密码</h1>
  {% if forced %}<div class="alert alert-warning small" id="password-forced">
    密码已超过365天未修改或为初始密码，请先修改密码再继续使用。</div>{% endif %}
  <p class="text-muted small">密码至少8位，须同时包含字母、数字和特殊字符，不能使用常见密码；长密码不会被截断。</p>
  <form method="post" action="/password" autocomplete="off">
    {% for name, label in fields %}
    <div class="mb-3"><label class="form-label" for="{{ name }}">{{ label }}</label>
      <input class="form-control {% if errors.get(name) %}is-invalid{% endif %}" id="{{ name }}" name="{{ name }}"
             type="password" required>
      {% if errors.get(name) %}<div class="invalid-feedback" id="{{ name }}-error">{{ errors[name] }}</div>{% endif %}</div>
    {% endfor %}
    {% if errors.get('_') %}<div class="alert alert-danger">{{ errors['_'] }}</div>{% endif %}
    <button class="btn btn-primary w-100" type="submit" id="password-submit">确认修改</button>
  </form>
  <form method="post" action="/logout" class="small mt-3 mb-0">
    <button class="btn btn-link btn-sm p-0 align-baseline" type="submit" id="password-logout">退出登录</button>
    {% if not forced %} · <a href="/">返回首页</a>{% endif %}</form>
</div></main></body></html>"""


def render_password(errors: dict | None = None, forced: bool = False, status: int = 200):
    fields = [("old", "原密码"), ("new", "新密码"), ("again", "再次输入新密码")]
    return render_template_string(PASSWORD_TEMPLATE, errors=errors or {}, forced=forced, fields=fields), status


REFUSAL_TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ heading }} · {{ platform }}</title>
<link rel="stylesheet" href="/assets/vendor/bootstrap.min.css"><link rel="stylesheet" href="/assets/app.css"></head>
<body><div id="react-entry-point">
<header class="app-header"><div><span class="brand">{{ platform }}</span><span class="brand-sub">{{ province }}</span></div>
  {% if user %}<span><span class="me-2 fw-semibold" id="user-name">{{ user.display_name }}</span>
  <span class="badge bg-light text-dark me-3" id="user-role">{{ user.role_label }}</span>
  <form action="/logout" method="post" class="d-inline"><button type="submit" class="btn btn-sm btn-outline-light"
   id="logout">退出</button></form></span>{% endif %}</header>
<div class="app-nav-bar"><div class="app-nav flex-wrap nav nav-pills" id="app-nav">
  {% for name, href in links %}<a class="nav-link" href="{{ href }}">{{ name }}</a>{% endfor %}</div></div>
<main class="app-main"><div class="panel refusal-panel" id="refusal" data-status="{{ status }}">
  <h1 class="h4 mb-3">{{ heading }}</h1><p>{{ text }}</p>
  <p class="mb-0"><a href="/" class="btn btn-primary btn-sm">返回首页</a></p></div></main>
</div></body></html>"""

#: status -> the heading a person reads on a refused page (the text says why)
REFUSAL_HEADINGS = {403: "无权访问", 404: NOT_FOUND_HEADING, 500: "服务出错"}


def render_refusal(status: int, text: str, *, platform: str, province: str, user=None, links=()):
    """A refused page request (unknown path, a page the role may not open, an attachment it may not
    read) as a Chinese page in the app's frame: the header, the user's navigation, the reason."""
    heading = REFUSAL_HEADINGS.get(status, "无法完成请求")
    return render_template_string(REFUSAL_TEMPLATE, heading=heading, text=text, status=status, platform=platform,
                                  province=province, user=user, links=links), status
