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
    "nav.rollout": ("Prices and rollout", "价格与下发"),
    "nav.dead_letters": ("Dead letters", "死信"),
    "nav.stock": ("Stock and replenishment", "库存与补货"),
    "nav.loss": ("Loss prevention", "防损"),
    "nav.money": ("Money", "资金对账"),
    "days": ("days", "天"),
    "save": ("Save", "保存"),
    "stock.window": ("Sales window", "销量统计窗口"),
    "stock.po_csv": ("Purchase order (CSV)", "采购单（CSV）"),
    "stock.po_xlsx": ("Purchase order (XLSX)", "采购单（XLSX）"),
    "stock.low": ("Low-stock alerts", "低库存预警"),
    "stock.skus": ("SKUs", "商品数"),
    "stock.last_count": ("Last count: net variance", "最近盘点：净差异"),
    "stock.explain": ("Suggested order = average daily sales × Σ weekday factors over (lead time"
                      " + review period) + safety stock − on hand − on order, rounded up to a whole"
                      " unit. Low stock: on hand ≤ reorder point (demand over the lead time +"
                      " safety stock). Quantities in units (kg for weighed goods).",
                      "建议订货量 = 日均销量 × （到货周期 + 盘点周期）内各天的星期系数之和 + 安全库存"
                      " − 现有库存 − 在途，向上取整到整件。低库存：现有库存 ≤ 再订货点（到货周期内需求"
                      " + 安全库存）。数量单位为件（称重商品为千克）。"),
    "stock.weekday_factor": ("Weekday factor", "星期系数"),
    "weekday.0": ("Mon", "周一"), "weekday.1": ("Tue", "周二"), "weekday.2": ("Wed", "周三"),
    "weekday.3": ("Thu", "周四"), "weekday.4": ("Fri", "周五"), "weekday.5": ("Sat", "周六"),
    "weekday.6": ("Sun", "周日"),
    "stock.first_rows": ("The 200 most urgent SKUs are shown (low stock first, then the largest"
                         " suggestions); the JSON and the purchase-order exports hold them all.",
                         "仅显示最紧急的 200 个商品（低库存优先，其次建议量最大）；"
                         "JSON 与采购单导出包含全部。"),
    "stock.on_hand": ("On hand", "现有库存"),
    "stock.counted": ("Counted", "盘点数"),
    "stock.variance": ("Count variance", "盘点差异"),
    "stock.avg_daily": ("Avg daily sales", "日均销量"),
    "stock.lead": ("Lead time (days)", "到货周期（天）"),
    "stock.review": ("Review period (days)", "盘点周期（天）"),
    "stock.cover_factor": ("Weekday factor over the cover", "覆盖期星期系数"),
    "stock.demand": ("Demand over the cover", "覆盖期需求"),
    "stock.safety": ("Safety stock", "安全库存"),
    "stock.on_order": ("On order", "在途"),
    "stock.reorder_point": ("Reorder point", "再订货点"),
    "stock.suggest": ("Suggested order", "建议订货量"),
    "stock.low_flag": ("low", "低"),
    "stock.params": ("Replenishment parameters", "补货参数"),
    "stock.params_explain": ("For one SKU, or * for the store's default (marked * in the"
                             " table where a SKU has its own). Every change is audited.",
                             "针对单个商品，或填 * 作为门店默认值（表中带 * 的商品有自己的参数）。"
                             "每次修改都记入审计日志。"),
    "stock.store_default": ("Store default (lead / review / safety)", "门店默认值（到货/盘点/安全）"),
    "stock.none": ("No store to show.", "没有可显示的门店。"),
    "loss.explain": ("Counts over the days shown, and in brackets the rate per 100 completed"
                     " sales. ⚑: above 3 × the chain's median rate (the chain's overall rate"
                     " when the median is 0) and at least 2 events.",
                     "所示天数内的次数，括号内为每 100 笔完成销售的比率。⚑：高于全连锁中位比率的 3 倍"
                     "（中位数为 0 时用全连锁总体比率）且至少 2 次。"),
    "loss.cancelled": ("Cancelled sales", "取消交易"),
    "loss.post_voids": ("Post-voids (sale voided after closing)", "结账后整单作废"),
    "loss.blind_returns": ("Blind returns (no receipt)", "无小票退货"),
    "loss.returns": ("Returns with receipt", "凭小票退货"),
    "loss.manual_discounts": ("Manual discounts", "手工折扣"),
    "loss.other_tender": ("Refunds to another tender", "退款至其他支付方式"),
    "loss.line_voids": ("Line voids before the subtotal", "小计前删除商品行"),
    "loss.line_voids_after": ("Line voids after the subtotal", "小计后删除商品行"),
    "loss.price_overrides": ("Price overrides", "改价"),
    "loss.no_sales": ("No-sale drawer opens", "无交易开钱箱"),
    "loss.manual_amount": ("Manual discount amount", "手工折扣金额"),
    "loss.median": ("Chain median rate", "连锁中位比率"),
    "loss.overall": ("Chain overall rate", "连锁总体比率"),
    "loss.threshold": ("Flagged above", "预警阈值"),
    "loss.per_cashier": ("Per cashier", "按收银员"),
    "loss.cashier": ("Cashier", "收银员"),
    "loss.per_store": ("Per store", "按门店"),
    "loss.flagged_cashiers": ("Flagged cashiers", "异常收银员"),
    "loss.open_prices": ("Open-price lines (price typed)", "手输价格行"),
    "loss.open_price_amount": ("Open-price amount", "手输价格金额"),
    "loss.training_sales": ("Training-mode sales", "培训模式交易"),
    "loss.per_lane": ("Per self-checkout lane", "按自助收银通道"),
    "loss.lane": ("Lane (terminal)", "通道（终端）"),
    "loss.lanes_explain": ("The kiosk's attendant alerts for an unexpected weight and for an"
                           " age check, and in brackets the rate per 100 of the lane's completed"
                           " sales; attended: cleared by staff; minutes: the average time an"
                           " alert stayed open. ⚑ by the same rule, against the lanes' median.",
                           "自助收银的称重异常与年龄核验呼叫店员次数，括号内为每 100 笔该通道完成"
                           "销售的比率；店员处理：由店员解除；分钟：预警平均持续时间。⚑ 规则同上，"
                           "以各通道中位比率为准。"),
    "loss.alerts.weight": ("Weight alerts", "称重异常"),
    "loss.alerts.age": ("Age checks", "年龄核验"),
    "loss.attended": ("Attended", "店员处理"),
    "loss.avg_open_min": ("Avg. minutes", "平均分钟"),
    "money.recon_day": ("Reconciliation day", "对账日"),
    "money.topups": ("Stored-value top-ups vs Z reports", "储值充值与 Z 报表核对"),
    "money.topups_explain": ("Each terminal's top-ups against the Z reports that cover them, per"
                             " tender; only differences are listed, and top-ups no Z covers yet.",
                             "每台终端的充值与覆盖它们的 Z 报表按支付方式核对；"
                             "只列出差异及尚无 Z 报表覆盖的充值。"),
    "money.z_amount": ("Z report", "Z 报表"),
    "money.hq_amount": ("HQ", "总部"),
    "money.file_amount": ("Provider file", "渠道对账单"),
    "money.difference": ("Difference", "差额"),
    "money.no_z": ("no Z yet", "尚无 Z 报表"),
    "money.topups_ok": ("Every top-up agrees with its Z report.", "所有充值与 Z 报表一致。"),
    "money.recon": ("Reconciliation with the payment providers", "支付渠道对账"),
    "money.recon_clean": ("Clean", "无差异"),
    "money.recon_dirty": ("Differences found", "存在差异"),
    "money.matched": ("Matched", "已匹配"),
    "money.no_file": ("No file imported for", "未导入对账单"),
    "money.source": ("Source", "来源"),
    "money.payments": ("Payments", "收款"),
    "money.refunds": ("Refunds", "退款"),
    "money.fees": ("Fees (yuan)", "手续费（元）"),
    "money.payout": ("Payout (yuan)", "结算金额（元）"),
    "money.no_files": ("No provider file imported for this day.", "该日未导入渠道对账单。"),
    "money.one_sided": ("In the file, not at HQ (单边账)", "对账单有、总部无（单边账）"),
    "money.missing_at_provider": ("At HQ, not in the file", "总部有、对账单无"),
    "money.mismatched": ("Amounts differ", "金额不符"),
    "money.reversed_after_charge": ("Reversed after the charge", "扣款后撤销"),
    "money.other_day": ("Matched in another day's data", "在其他日期匹配"),
    "money.recon_hq_only": ("The providers' reconciliation is chain-wide: HQ roles only.",
                            "支付渠道对账为全连锁范围，仅总部角色可见。"),
    "money.invoices": ("E-invoices", "电子发票"),
    "money.open_invoices": ("Not issued yet, or failed", "未开具或失败"),
    "money.attempts": ("Attempts", "尝试次数"),
    "invoice.requested": ("Requested", "已申请"),
    "invoice.submitted": ("Submitted", "已提交"),
    "invoice.issued": ("Issued", "已开具"),
    "invoice.failed": ("Failed", "失败"),
    "invoice.superseded": ("Superseded", "已作废替换"),
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
    "resend": ("Resend", "重发"),
    "resend.ask": ("Request a resend from the terminal", "请求终端重发"),
    "resend.requested": ("Requested, not back yet", "已请求，尚未收到"),
    "resend.received": ("Received and taken", "已收到并入账"),
    "resend.rejected": ("Received and refused again (see the newer dead letter)",
                        "已收到但再次被拒（见较新的死信）"),
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
    "applied": ("Applied versions", "已应用版本"),
    "sku": ("SKU", "商品编码"),
    "price": ("Price", "价格"),
    "label": ("Shelf label", "电子价签"),
    "labels": ("labels", "价签"),
    "tills": ("tills", "收银机"),
    "rollout.publish": ("Publish a price or promotion", "发布价格或促销"),
    "rollout.no_key": ("Publishing needs HQ's signing key: start the console with --signing-key.",
                       "发布需要总部签名密钥：启动控制台时加 --signing-key。"),
    "rollout.effective_at": ("Effective (HQ time; empty: at once)", "生效时间（总部时区；留空立即生效）"),
    "rollout.stores": ("Stores (empty: every store)", "门店（留空为全部门店）"),
    "rollout.publish_price": ("Publish price", "发布价格"),
    "rollout.promotion_id": ("Promotion id", "促销编号"),
    "rollout.body": ("Rule (JSON)", "规则（JSON）"),
    "rollout.active": ("Active", "启用"),
    "rollout.publish_promotion": ("Publish promotion", "发布促销"),
    "rollout.stream": ("Stream", "数据流"),
    "rollout.file": ("File (JSON array, as pos hq publish takes)",
                     "文件（JSON 数组，与 pos hq publish 相同）"),
    "rollout.publish_file": ("Publish file", "发布文件"),
    "rollout.published": ("Published", "已发布"),
    "rollout.none": ("No price or promotion published yet.", "尚未发布价格或促销。"),
    "rollout.done_rule": ("A version is done at a store when every till applied it and every shelf"
                          " label showing one of its SKUs confirmed its price.",
                          "版本在门店完成的条件：每台收银机都已应用，且展示其商品的每个电子价签都已确认显示新价格。"),
    "rollout.status.done": ("done", "已完成"),
    "rollout.status.rolling_out": ("rolling out", "下发中"),
    "rollout.status.failed": ("a label failed", "有价签失败"),
    "rollout.status.scheduled": ("scheduled", "待生效"),
    "rollout.status.superseded": ("superseded", "已被取代"),
    "rollout.item.due": ("in effect", "已生效"),
    "rollout.item.scheduled": ("scheduled", "待生效"),
    "rollout.item.superseded": ("superseded", "已被取代"),
    "rollout.at_once": ("at once", "立即"),
    "rollout.till.applied": ("applied", "已应用"),
    "rollout.till.pending": ("not yet", "未应用"),
    "rollout.no_tills": ("No terminal of this store has reported yet.", "该门店尚无终端上报。"),
    "rollout.label.confirmed": ("confirmed", "已确认"),
    "rollout.label.pending": ("pending", "等待中"),
    "rollout.label.failed": ("failed", "失败"),
    "rollout.shows": ("Shows", "显示价格"),
    "rollout.no_labels": ("No shelf label shows these SKUs (or the store reports none).",
                          "没有展示这些商品的价签（或门店未上报）。"),
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
