"""The console's message catalogue, en and zh_CN, and the choice of language.

Rule: every string a page shows is a key here with both languages (a pair cannot lose one);
the language is the user's setting, else the browser's Accept-Language, else zh_CN.
"""

from __future__ import annotations

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"

MESSAGES: dict[str, tuple[str, str]] = {   # key: (en, zh_CN)
    "app": ("HQ console", "总部控制台"),
    "nav.live": ("Live sales", "实时销售"),
    "nav.fleet": ("Fleet and sync", "终端与同步"),
    "nav.dead_letters": ("Dead letters", "死信"),
    "nav.audit": ("Audit log", "审计日志"),
    "login": ("Log in", "登录"),
    "logout": ("Log out", "退出"),
    "username": ("Username", "用户名"),
    "password": ("Password", "密码"),
    "login.failed": ("Wrong username or password.", "用户名或密码错误。"),
    "login.slow": ("Too many attempts; wait a minute.", "尝试次数过多，请一分钟后再试。"),
    "language": ("Language", "语言"),
    "role.admin": ("HQ admin", "总部管理员"),
    "role.analyst": ("HQ analyst (read only)", "总部分析员（只读）"),
    "role.manager": ("Store manager", "门店经理"),
    "json": ("JSON", "JSON"),
    "all_stores": ("All my stores", "我的全部门店"),
    "store": ("Store", "门店"),
    "terminal": ("Terminal", "终端"),
    "today": ("Today", "今天"),
    "sales": ("Sales", "笔数"),
    "net": ("Net sales", "净销售额"),
    "avg_basket": ("Average basket", "客单价"),
    "tender_mix": ("Tender mix", "支付方式构成"),
    "tender": ("Tender", "支付方式"),
    "amount": ("Amount", "金额"),
    "hourly": ("Net sales by hour", "分时净销售额"),
    "last_week": ("Same weekday last week", "上周同日"),
    "live.updated": ("Live: updates as sales arrive", "实时：销售到达即更新"),
    "live.offline": ("Live updates paused; retrying", "实时更新已暂停，正在重试"),
    "status": ("Status", "状态"),
    "last_seen": ("Last seen", "最后在线"),
    "online": ("Online", "在线"),
    "backlog": ("Backlog", "待同步"),
    "oldest_unsynced": ("Oldest unsynced", "最早未同步"),
    "lag": ("Lag", "延迟"),
    "seq_gap": ("Seqs not yet contiguous", "序号缺口"),
    "clock_offset": ("Clock offset", "时钟偏差"),
    "versions": ("Published versions", "已发布版本"),
    "devices": ("Devices", "设备"),
    "problems": ("Problems", "问题"),
    "stale": ("stale", "过期"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "none": ("none", "无"),
    "reason": ("Reason", "原因"),
    "received": ("Received", "收到时间"),
    "type": ("Type", "类型"),
    "seq": ("Seq", "序号"),
    "event": ("Event", "事件"),
    "resolved": ("Resolved", "已处理"),
    "resolve": ("Mark resolved", "标记为已处理"),
    "resolution": ("Note", "备注"),
    "unresolved_only": ("Unresolved", "未处理"),
    "show_all": ("All", "全部"),
    "dead_letters.none": ("No dead letters.", "没有死信。"),
    "fleet.none": ("No terminal has reported yet.", "尚无终端上报。"),
    "at": ("When", "时间"),
    "actor": ("Who", "操作人"),
    "action": ("What", "操作"),
    "target": ("On", "对象"),
    "detail": ("Detail", "详情"),
    "error.forbidden": ("You may not see or do this.", "您无权查看或执行此操作。"),
    "error.not_found": ("Not found.", "未找到。"),
    "error.csrf": ("The form was stale or forged; reload the page and try again.",
                   "表单已过期或被伪造，请刷新页面后重试。"),
    "error.read_only": ("Your role is read only.", "您的角色为只读。"),
    "back": ("Back", "返回"),
}


def translate(locale: str, key: str) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    return pair[1] if locale == "zh_CN" else pair[0]


def choose_locale(setting: str | None, accept_language: str) -> str:
    """The user's setting if any, else the first of the browser's languages we have."""
    if setting in LOCALES:
        return setting
    weighted = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        weighted.append((-weight, i, tag.strip().lower()))
    for _, _, tag in sorted(weighted):
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE
