<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>CountApprovalDialog</name>
    <message>
        <location filename="../manager/count_approval.py" line="29" />
        <source>Approve count</source>
        <translation>审批盘点</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="32" />
        <source>%1 items counted · variance value %2</source>
        <translation>已盘 %1 项 · 差异金额 %2</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="44" />
        <source>on hand %1</source>
        <translation>账面 %1</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="47" />
        <source>Leave them as they are</source>
        <translation>保持原样</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="48" />
        <source>Set them to zero (a count movement each, journaled)</source>
        <translation>清零（每项记一笔盘点变动，写入日志）</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="56" />
        <source>%1 items in scope were not counted (stock value %2). What happens to them?</source>
        <translation>范围内有 %1 项未盘点（库存金额 %2）。如何处理？</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="60" />
        <source>Every item in scope was counted.</source>
        <translation>范围内所有商品均已盘点。</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="64" />
        <source>Approve</source>
        <translation>审批</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="66" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>CustomerDisplayFeed</name>
    <message>
        <location filename="../till/customer_display.py" line="37" />
        <source>Welcome</source>
        <translation>欢迎光临</translation>
    </message>
    <message>
        <location filename="../till/customer_display.py" line="45" />
        <source>TOTAL</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../till/customer_display.py" line="53" />
        <source>TO PAY</source>
        <translation>应付</translation>
    </message>
    <message>
        <location filename="../till/customer_display.py" line="58" />
        <source>PAID</source>
        <translation>实收</translation>
    </message>
    <message>
        <location filename="../till/customer_display.py" line="58" />
        <source>CHANGE</source>
        <translation>找零</translation>
    </message>
</context>
<context>
    <name>DevicePanel</name>
    <message>
        <location filename="../demo/device_panel.py" line="22" />
        <source>Simulated devices</source>
        <translation>模拟设备</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="28" />
        <source>Scan a product</source>
        <translation>扫描一件商品</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="29" />
        <source>Put 0.856 kg on the scale</source>
        <translation>在秤上放 0.856 公斤</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="30" />
        <source>Scale: moving / steady</source>
        <translation>电子秤：晃动 / 稳定</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="31" />
        <source>Empty the scale</source>
        <translation>清空秤盘</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="32" />
        <source>Printer: paper out</source>
        <translation>打印机：缺纸</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="33" />
        <source>Printer: load paper</source>
        <translation>打印机：装纸</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="38" />
        <source>Customer display</source>
        <translation>顾客显示屏</translation>
    </message>
</context>
<context>
    <name>DiscountDialog</name>
    <message>
        <location filename="../till/discount_dialog.py" line="46" />
        <source>Discount: a percentage (10%) or an amount (5.00)</source>
        <translation>折扣：百分比（10%）或金额（5.00）</translation>
    </message>
    <message>
        <location filename="../till/discount_dialog.py" line="48" />
        <source>10% or 5.00</source>
        <translation>10% 或 5.00</translation>
    </message>
    <message>
        <location filename="../till/discount_dialog.py" line="51" />
        <source>Reason (optional)</source>
        <translation>原因（可选）</translation>
    </message>
    <message>
        <location filename="../till/discount_dialog.py" line="53" />
        <source>(no reason)</source>
        <translation>（无原因）</translation>
    </message>
</context>
<context>
    <name>ErrorMessages</name>
    <message>
        <location filename="../widgets/error_messages.py" line="18" />
        <source>Wrong staff number or PIN</source>
        <translation>工号或密码错误</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="19" />
        <source>This staff member is locked after too many wrong PINs: a manager must unlock</source>
        <translation>密码错误次数过多，该员工已被锁定：请店长解锁</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="21" />
        <source>This needs a supervisor's approval</source>
        <translation>此操作需要主管授权</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="22" />
        <source>This person may not approve this: ask a supervisor</source>
        <translation>此人无权批准此操作：请找主管</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="24" />
        <source>Too many wrong supervisor PINs: wait a moment, then try again</source>
        <translation>主管密码错误次数过多：请稍候再试</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="26" />
        <source>Log in first</source>
        <translation>请先登录</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="28" />
        <source>This barcode cannot be read: scan again or type the number</source>
        <translation>无法识别此条码：请重新扫描或手工输入</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="30" />
        <source>The scan was misread: scan again (staff: check the scanner's keyboard layout)</source>
        <translation>扫码读错：请重新扫描（店员：请检查扫描枪的键盘布局）</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="32" />
        <source>This product is not in the catalog: call a supervisor</source>
        <translation>商品不在目录中：请呼叫主管</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="34" />
        <source>This product is not for sale</source>
        <translation>此商品不可销售</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="35" />
        <source>This product's data is incomplete: call a supervisor</source>
        <translation>商品资料不完整：请呼叫主管</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="36" />
        <source>That is a payment code: press Pay first</source>
        <translation>这是付款码：请先按结账</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="37" />
        <source>Put the item on the scale</source>
        <translation>请将商品放在秤上</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="38" />
        <source>That quantity is not possible</source>
        <translation>数量无效</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="39" />
        <source>There is no such line</source>
        <translation>没有这一行</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="40" />
        <source>Payment has started: items and prices can no longer change</source>
        <translation>已开始付款：不能再修改商品或价格</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="42" />
        <source>The sale would cost less than already paid</source>
        <translation>交易金额将低于已付金额</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="43" />
        <source>Type the price of this item</source>
        <translation>请输入该商品的价格</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="44" />
        <source>That discount is too large: something must be left to pay</source>
        <translation>折扣过大：须留有应付金额</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="46" />
        <source>Check the customer's age first (F1)</source>
        <translation>请先核验顾客年龄（F1）</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="47" />
        <source>There is no sale open</source>
        <translation>当前没有交易</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="48" />
        <source>Finish, suspend or cancel the current sale first</source>
        <translation>请先完成、挂单或取消当前交易</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="49" />
        <source>The sale is empty</source>
        <translation>交易中没有商品</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="50" />
        <source>Payments were taken: finish the sale</source>
        <translation>已收款：请完成交易</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="51" />
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="53" />
        <source>That amount is not valid</source>
        <translation>金额无效</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="54" />
        <source>More than is due: only cash gives change</source>
        <translation>超过应付金额：只有现金可以找零</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="55" />
        <source>Nothing is due</source>
        <translation>无需付款</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="56" />
        <source>Never type a card number into the till</source>
        <translation>请勿在收银机中输入银行卡号</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="57" />
        <source>Not enough points</source>
        <translation>积分不足</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="58" />
        <source>Not enough balance on the card</source>
        <translation>卡内余额不足</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="59" />
        <source>This card is in use at another till: try again shortly</source>
        <translation>此卡正在其他收银台使用：请稍后再试</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="61" />
        <source>Card not found</source>
        <translation>未找到此卡</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="62" />
        <source>Offline: this card cannot spend more until the link to HQ is back</source>
        <translation>离线：与总部恢复连接前此卡不能继续消费</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="64" />
        <source>Offline: stored-value cards cannot spend more until HQ is back</source>
        <translation>离线：与总部恢复连接前储值卡不能继续消费</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="67" />
        <source>A payment code payment is still waiting: wait, or cancel it first</source>
        <translation>付款码支付仍在等待：请稍候，或先取消</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="69" />
        <source>This is not a WeChat Pay or Alipay payment code</source>
        <translation>这不是微信或支付宝付款码</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="71" />
        <source>This till takes no payment codes: choose another way to pay</source>
        <translation>此收银机不支持付款码：请选择其他付款方式</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="73" />
        <source>No payment is waiting</source>
        <translation>没有等待中的付款</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="74" />
        <source>Scan the customer's payment code instead of typing a mobile payment</source>
        <translation>请扫描顾客的付款码，不要手工录入移动支付</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="76" />
        <source>The payment service cannot be reached: the customer was not charged. Take another payment</source>
        <translation>无法连接支付服务：顾客未被扣款。请换用其他付款方式</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="79" />
        <source>The payment is not settled yet: it is reversed in the background (if the customer was charged, the money goes back). Scan a new code or take another payment</source>
        <translation>本次付款尚未了结：将在后台撤销（如顾客已被扣款，款项将退回）。请重新扫码或换用其他付款方式</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="83" />
        <source>No payment in time: the payment was cancelled and the customer not charged. Scan a new code</source>
        <translation>付款超时：已撤销本次支付，顾客未被扣款。请重新扫码</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="86" />
        <source>The customer was charged, then the payment was reversed: the money goes back to them (minutes to a few days). Scan a new code or take another payment</source>
        <translation>顾客已被扣款，随后本次支付已撤销：款项将退回顾客（几分钟至几天）。请重新扫码或换用其他付款方式</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="90" />
        <source>The payment service failed before taking the payment: the customer was not charged. Scan a new code</source>
        <translation>支付服务出错，未受理本次支付：顾客未被扣款。请重新扫码</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="93" />
        <source>The payment was declined: the customer was not charged. Ask for another payment</source>
        <translation>付款被拒绝：顾客未被扣款。请换用其他付款方式</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="97" />
        <source>Online orders hold this stock: it cannot be sold at the counter</source>
        <translation>线上订单已锁定此库存，不能在柜台销售</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="99" />
        <source>Wrong item for this order line, and the customer allowed no substitutes</source>
        <translation>商品与订单行不符，且顾客不接受替换</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="102" />
        <source>This order is not picked yet</source>
        <translation>此订单尚未拣货</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="103" />
        <source>Nothing is picked for this order: pick an item or release the order</source>
        <translation>该订单未拣任何商品：请拣货或释放订单</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="105" />
        <source>This order is closed (handed over, expired or cancelled)</source>
        <translation>该订单已关闭（已提货、已过期或已取消）</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="107" />
        <source>This order was handed over already</source>
        <translation>此订单已核销过</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="109" />
        <source>This order is paid at pickup: sell its items first, then hand it over</source>
        <translation>该订单为到店付款：请先收款，再核销提货</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="111" />
        <source>This transfer was already recorded at this store</source>
        <translation>本店已登记该调拨单</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="113" />
        <source>HQ cancelled this transfer: do not ship it</source>
        <translation>总部已取消该调拨单，请勿发货</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="115" />
        <source>This coupon is not known</source>
        <translation>无法识别此优惠券</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="116" />
        <source>This coupon has expired</source>
        <translation>该优惠券已过期</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="117" />
        <source>This coupon was already used</source>
        <translation>该优惠券已使用</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="118" />
        <source>Offline: coupons above the offline limit wait until HQ is back</source>
        <translation>离线：超出离线限额的优惠券需等待与总部恢复连接</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="121" />
        <source>Member not found</source>
        <translation>未找到会员</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="122" />
        <source>No member on this sale</source>
        <translation>此交易没有会员</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="123" />
        <source>This member already exists</source>
        <translation>会员已存在</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="124" />
        <source>This card number already exists</source>
        <translation>卡号已存在</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="125" />
        <source>Already returned</source>
        <translation>已退货</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="126" />
        <source>This cannot be returned</source>
        <translation>不可退货</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="127" />
        <source>Only the last sale can be voided</source>
        <translation>只能撤销最后一笔交易</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="128" />
        <source>Above the limit for a return without receipt</source>
        <translation>超过无小票退货限额</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="130" />
        <source>This item is not part of this count</source>
        <translation>此商品不在本次盘点范围内</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="131" />
        <source>This count is already closed</source>
        <translation>本次盘点已结束</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="132" />
        <source>Nothing counted yet</source>
        <translation>尚未盘点任何商品</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="133" />
        <source>Open a shift first</source>
        <translation>请先开班</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="134" />
        <source>A shift is already open</source>
        <translation>已经开班</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="135" />
        <source>That is not a note or coin of this currency</source>
        <translation>不是本币种的纸币或硬币</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="137" />
        <source>The disk is full: nothing was recorded. Call support, then try again</source>
        <translation>磁盘已满：未记录任何内容。请联系技术支持后重试</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="139" />
        <source>The database refused the write: nothing was recorded. Try again</source>
        <translation>数据库写入失败：未记录任何内容。请重试</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="141" />
        <source>The disk is almost full: no new sale can start. Call support</source>
        <translation>磁盘空间不足：无法开始新交易。请联系技术支持</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="144" />
        <source>The device does not answer</source>
        <translation>设备无响应</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="145" />
        <source>Nothing is on the scale</source>
        <translation>秤上没有商品</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="146" />
        <source>The device did not answer in time</source>
        <translation>设备响应超时</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="147" />
        <source>The connection to the device was lost</source>
        <translation>与设备的连接已断开</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="148" />
        <source>The device cannot be reached</source>
        <translation>无法连接设备</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="149" />
        <source>The device is busy</source>
        <translation>设备忙</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="150" />
        <source>The device is closed</source>
        <translation>设备已关闭</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="151" />
        <source>The device is not open</source>
        <translation>设备未打开</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="152" />
        <location filename="../widgets/error_messages.py" line="153" />
        <source>The device is not ready</source>
        <translation>设备未就绪</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="154" />
        <source>The device cannot be opened</source>
        <translation>无法打开设备</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="155" />
        <source>No driver for this device</source>
        <translation>此设备没有驱动</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="156" />
        <source>The device does not support this</source>
        <translation>设备不支持此操作</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="157" />
        <source>The device is not set up correctly</source>
        <translation>设备配置不正确</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="158" />
        <source>A program part for this device is missing</source>
        <translation>缺少此设备所需的程序组件</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="159" />
        <source>The printer is still printing</source>
        <translation>打印机仍在打印</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="160" />
        <source>No such print job</source>
        <translation>没有此打印任务</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="161" />
        <source>Nothing to print</source>
        <translation>没有可打印的内容</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="162" />
        <source>Not possible in training mode: log in normally for real work</source>
        <translation>培训模式下不能进行此操作：请正常登录后再处理</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="164" />
        <source>This order is paid online: hand it over</source>
        <translation>此订单已在线支付：请直接交付</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="166" />
        <source>That is not possible here</source>
        <translation>此处不能进行该操作</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="174" />
        <source>Refused (%1): call a supervisor</source>
        <translation>操作被拒绝（%1）：请呼叫主管</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="183" />
        <source>Please wait: a member of staff is coming to help</source>
        <translation>请稍候：工作人员马上来帮助您</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="140" />
        <location filename="../kiosk/kiosk_app.py" line="515" />
        <source>Self-checkout</source>
        <translation>自助收银</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="205" />
        <source>This lane is closed</source>
        <translation>本通道暂停服务</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="206" />
        <source>Staff: open the lane with your PIN</source>
        <translation>员工：请输入密码开启通道</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="218" />
        <source>Welcome! Scan your first item to start</source>
        <translation>欢迎光临！扫描第一件商品即可开始</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="219" />
        <source>Weighed fruit and vegetables: touch Start</source>
        <translation>称重果蔬：请点击开始</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="220" />
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="239" />
        <source>Scan your items</source>
        <translation>请扫描商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="255" />
        <source>To pay</source>
        <translation>应付</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="265" />
        <source>Fruit &amp; veg</source>
        <translation>果蔬称重</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="266" />
        <source>Member QR</source>
        <translation>会员码</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="267" />
        <source>Remove item</source>
        <translation>移除商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="67" />
        <location filename="../kiosk/kiosk_app.py" line="268" />
        <source>Help</source>
        <translation>求助</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="77" />
        <source>An item the lane does not know</source>
        <translation>本机不认识的商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="78" />
        <source>A problem with the payment</source>
        <translation>付款出现问题</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="269" />
        <source>Pay</source>
        <translation>结账</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="281" />
        <source>Put the item on the scale, then touch it</source>
        <translation>请把商品放在秤上，然后点选商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="303" />
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="320" />
        <source>Hold your WeChat Pay or Alipay payment code under the scanner</source>
        <translation>请将微信或支付宝付款码对准扫描口</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="323" />
        <source>or touch how you pay:</source>
        <translation>或点选付款方式：</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="326" />
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="326" />
        <source>WeChat Pay / Alipay</source>
        <translation>微信 / 支付宝</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="327" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="336" />
        <source>Cancel payment</source>
        <translation>取消付款</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="340" />
        <source>Back to basket</source>
        <translation>返回购物篮</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="351" />
        <source>Thank you!</source>
        <translation>谢谢惠顾！</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="355" />
        <source>Take your items with you</source>
        <translation>请带好您的商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="357" />
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="363" />
        <source>Scan for your e-receipt</source>
        <translation>扫码获取电子小票</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="374" />
        <source>Attendant mode</source>
        <translation>值守模式</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="399" />
        <source>Approve age</source>
        <translation>确认年龄</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="400" />
        <source>Remove selected item</source>
        <translation>移除所选商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="401" />
        <source>Resume basket</source>
        <translation>恢复购物篮</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="402" />
        <source>Clear alert</source>
        <translation>清除提醒</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="403" />
        <source>Close lane</source>
        <translation>关闭通道</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="404" />
        <source>Back to customer</source>
        <translation>返回顾客界面</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="414" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="762" />
        <location filename="../kiosk/kiosk_app.py" line="770" />
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="814" />
        <source>(unnamed)</source>
        <translation>（未登记姓名）</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="1007" />
        <source>No payment in time: you were not charged. A member of staff is coming</source>
        <translation>未在规定时间内完成付款，未扣款。工作人员马上就到</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="1010" />
        <source>The payment was declined: you were not charged. A member of staff is coming</source>
        <translation>付款未成功，未扣款。工作人员马上就到</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="1013" />
        <source>You were charged, then the payment was reversed: the money goes back to your account. A member of staff is coming</source>
        <translation>您已被扣款，随后本次支付已撤销：款项将退回您的账户。工作人员马上就到</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="1016" />
        <source>The payment did not go through: you were not charged. A member of staff is coming</source>
        <translation>本次支付未成功：您未被扣款。工作人员马上就到</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="1019" />
        <source>Payment codes cannot be taken right now: you were not charged. A member of staff is coming</source>
        <translation>暂时无法使用付款码，未扣款。工作人员马上就到</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="68" />
        <source>Staff help needed</source>
        <translation>需要工作人员协助</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="69" />
        <source>A basket left before the restart was suspended: resume it in attendant mode</source>
        <translation>重启前未结账的购物篮已挂单：请在值守模式中恢复</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="593" />
        <source>Please use Fruit &amp; veg for this item</source>
        <translation>此商品请使用果蔬称重</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="71" />
        <source>Age check for an age-restricted item</source>
        <translation>限龄商品需核验年龄</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="72" />
        <source>No scale: weigh %1 at a till</source>
        <translation>无电子秤：请到收银台称重 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="653" />
        <location filename="../kiosk/kiosk_app.py" line="676" />
        <source>Put %1 on the scale</source>
        <translation>请把%1放到秤上</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="669" />
        <source>Weighing %1…</source>
        <translation>正在称重 %1…</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="671" />
        <source>Weighing %1: hold still…</source>
        <translation>正在称重%1：请勿晃动…</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="673" />
        <location filename="../kiosk/kiosk_app.py" line="679" />
        <source>%1 kg</source>
        <translation>%1 公斤</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="73" />
        <source>The scale is not answering</source>
        <translation>电子秤无响应</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="74" />
        <source>Unexpected weight on the scale</source>
        <translation>秤上重量异常</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="710" />
        <source>Scan your member QR code</source>
        <translation>请扫描会员码</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="714" />
        <source>Scan an item first, then your member QR code</source>
        <translation>请先扫描商品，再扫会员码</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="725" />
        <source>Welcome, member! Member prices applied</source>
        <translation>欢迎会员！已享会员价</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="75" />
        <source>Remove an item</source>
        <translation>移除商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="596" />
        <source>Unknown barcode %1</source>
        <translation>未知条码 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="621" />
        <source>Scan your items first, then your payment code</source>
        <translation>请先扫描商品，再出示付款码</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="686" />
        <source>Lift the item off the scale and place %1 on it again</source>
        <translation>请拿起秤上的商品，再把%1重新放上</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="727" />
        <source>Welcome, member!</source>
        <translation>欢迎会员！</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="761" />
        <source>Please wait: an attendant is coming (%1)</source>
        <translation>请稍候，值守员马上就到（%1）</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="796" />
        <source>Attendant %1</source>
        <translation>值守员 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="801" />
        <source>No basket open</source>
        <translation>没有进行中的购物篮</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="804" />
        <source>%1 items · total %2 · tax %3 · paid %4</source>
        <translation>%1 件 · 合计 %2 · 税额 %3 · 已付 %4</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="814" />
        <source>member %1</source>
        <translation>会员 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="828" />
        <source>Age approved</source>
        <translation>年龄已确认</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="838" />
        <source>Item removed</source>
        <translation>商品已移除</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="844" />
        <source>No suspended baskets</source>
        <translation>没有挂起的购物篮</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="849" />
        <source>Basket resumed: back to the customer</source>
        <translation>购物篮已恢复：请交还顾客</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="864" />
        <source>Finish or suspend the basket first</source>
        <translation>请先完成或挂起购物篮</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="899" />
        <source>To pay %1</source>
        <translation>应付 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="900" />
        <source>Choose how to pay</source>
        <translation>请选择付款方式</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="918" />
        <source>Card declined: please wait for staff</source>
        <translation>银行卡被拒：请稍候，工作人员马上就到</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="920" />
        <source>Card declined: %1</source>
        <translation>银行卡被拒：%1</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="924" />
        <source>Show your payment code to the scanner</source>
        <translation>请将付款码对准扫描器</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="927" />
        <source>Insert notes and coins</source>
        <translation>请投入纸币和硬币</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="947" />
        <location filename="../kiosk/kiosk_app.py" line="993" />
        <source>Confirm the payment on your phone</source>
        <translation>请在手机上确认付款</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="972" />
        <source>Cancelling the payment…</source>
        <translation>正在取消付款…</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="1006" />
        <source>Payment cancelled: you were not charged. Choose how to pay</source>
        <translation>付款已取消，未扣款。请选择付款方式</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="1045" />
        <source>Take your e-receipt with the QR code</source>
        <translation>请扫码获取电子小票</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="1052" />
        <source>Take your receipt, or scan the QR code for an e-receipt</source>
        <translation>请取走小票，或扫码获取电子小票</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="76" />
        <source>Customer left during payment</source>
        <translation>顾客付款中途离开</translation>
    </message>
</context>
<context>
    <name>LoginView</name>
    <message>
        <location filename="../till/till_app.py" line="93" />
        <source>Log in with your staff number and PIN</source>
        <translation>请输入工号和密码登录</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="100" />
        <source>Training mode: practice sales, nothing is recorded</source>
        <translation>培训模式：练习销售，不记录任何交易</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="113" />
        <source>cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="113" />
        <source>supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="114" />
        <source>manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="115" />
        <source>Demo store: log in as</source>
        <translation>示范门店：可登录为</translation>
    </message>
</context>
<context>
    <name>ManagerWindow</name>
    <message>
        <location filename="../manager/manager_app.py" line="106" />
        <source>Manager · %1</source>
        <translation>店长 · %1</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="124" />
        <source>Manager mode</source>
        <translation>店长模式</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="137" />
        <source>Stock count</source>
        <translation>盘点</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="138" />
        <source>Goods receiving</source>
        <translation>收货</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="139" />
        <source>Price check</source>
        <translation>查价</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="140" />
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="141" />
        <source>Shelf labels</source>
        <translation>电子价签</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="145" />
        <source>Online orders</source>
        <translation>线上订单</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="172" />
        <source>Manager mode needs a manager's PIN</source>
        <translation>店长模式需要店长密码</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="184" />
        <source>Start count</source>
        <translation>开始盘点</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="185" />
        <source>Read RFID</source>
        <translation>读取 RFID</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="186" />
        <source>Recount selected</source>
        <translation>复盘所选</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="187" />
        <source>Approve</source>
        <translation>审批</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="193" />
        <source>Start a count, then scan items or read the RFID tags</source>
        <translation>开始盘点，然后扫描商品或读取 RFID 标签</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="239" />
        <source>%1 of %2 items counted · variance value %3</source>
        <translation>已盘 %1 / %2 项 · 差异金额 %3</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="261" />
        <source>Reading RFID tags…</source>
        <translation>正在读取 RFID 标签…</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="283" />
        <source>%1 tags of unknown products</source>
        <translation>%1 个未知商品标签</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="298" />
        <source>Recount</source>
        <translation>复盘</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="298" />
        <source>Counted quantity of %1</source>
        <translation>%1 的实盘数量</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="334" />
        <source>Count approved: %1 variance(s) posted</source>
        <translation>盘点已审批：过账 %1 条差异</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="337" />
        <source>uncounted items set to zero</source>
        <translation>未盘商品已清零</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="346" />
        <source>Supplier delivery note</source>
        <translation>供应商送货单号</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="349" />
        <source>Scan each item received</source>
        <translation>请逐件扫描收到的商品</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="353" />
        <source>SKU</source>
        <translation>货号</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="353" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="353" />
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="357" />
        <source>Post goods receipt</source>
        <translation>收货过账</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="386" />
        <source>Goods receipt posted (%1 items)</source>
        <translation>收货已过账（%1 项）</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="397" />
        <source>Scan or type a barcode or PLU</source>
        <translation>扫描或输入条码/PLU</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="420" />
        <source> / kg</source>
        <translation> / 公斤</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="425" />
        <source>SKU %1 · on hand %2</source>
        <translation>货号 %1 · 库存 %2</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="438" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="452" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="452" />
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="452" />
        <source>Mobile pay</source>
        <translation>移动支付</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="453" />
        <source>Stored value</source>
        <translation>储值卡</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="453" />
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="455" />
        <source>Last 24 hours: takings %1</source>
        <translation>最近 24 小时：营业额 %1</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="467" />
        <source>Label</source>
        <translation>价签</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="467" />
        <source>Wanted version</source>
        <translation>目标版本</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="468" />
        <source>Shown version</source>
        <translation>显示版本</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="468" />
        <source>Waiting</source>
        <translation>等待</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="472" />
        <source>Retry stale labels</source>
        <translation>重试未更新价签</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="480" />
        <source>No shelf-label system configured</source>
        <translation>未配置电子价签系统</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="484" />
        <source>%1 stale label(s)</source>
        <translation>%1 个价签未更新</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="489" />
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="528" />
        <source>No product for %1</source>
        <translation>找不到商品 %1</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message numerus="yes">
        <location filename="../widgets/status_bar.py" line="91" />
        <source>Offline: selling continues; %n sale event(s) will be sent when the link returns</source>
        <translation><numerusform>离线：可继续销售；%n 条交易将在网络恢复后上传</numerusform></translation>
    </message>
</context>
<context>
    <name>OpenPriceDialog</name>
    <message>
        <location filename="../till/open_price_dialog.py" line="20" />
        <source>Open price</source>
        <translation>手输价格</translation>
    </message>
    <message>
        <location filename="../till/open_price_dialog.py" line="22" />
        <source>Price of %1</source>
        <translation>%1 的价格</translation>
    </message>
    <message>
        <location filename="../till/open_price_dialog.py" line="25" />
        <source>Category: %1</source>
        <translation>类别：%1</translation>
    </message>
    <message>
        <location filename="../till/open_price_dialog.py" line="28" />
        <source>Price, e.g. 12.50</source>
        <translation>价格，例如 12.50</translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <location filename="../widgets/pin_pad.py" line="83" />
        <source>Supervisor approval</source>
        <translation>主管授权</translation>
    </message>
</context>
<context>
    <name>PickingPanel</name>
    <message>
        <location filename="../manager/picking.py" line="68" />
        <source>Slot</source>
        <translation>时段</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="68" />
        <source>Pickup code</source>
        <translation>提货码</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="69" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="69" />
        <source>Payment</source>
        <translation>支付</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="72" />
        <source>Line</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="72" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="72" />
        <source>Ordered</source>
        <translation>订购</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="73" />
        <source>Picked</source>
        <translation>已拣</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="75" />
        <source>Choose an order, then scan each item</source>
        <translation>选择订单，然后逐件扫描商品</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="80" />
        <source>Refresh orders</source>
        <translation>刷新订单</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="81" />
        <source>Short</source>
        <translation>缺货</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="82" />
        <source>Finish and print</source>
        <translation>完成并打印</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="111" />
        <source>Paid online</source>
        <translation>已在线支付</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="111" />
        <source>Pay at pickup</source>
        <translation>到店付款</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="143" />
        <source>substitutes allowed</source>
        <translation>接受替代</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="144" />
        <source>no substitutes</source>
        <translation>不接受替代</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="145" />
        <source>Order %1 (%2): scan each item</source>
        <translation>订单 %1（%2）：请逐件扫描</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="155" />
        <location filename="../manager/picking.py" line="232" />
        <source>Choose an order first</source>
        <translation>请先选择订单</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="159" />
        <source>No product for %1</source>
        <translation>找不到商品 %1</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="190" />
        <source>Line %1: %2 picked</source>
        <translation>第 %1 行：已拣 %2</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="195" />
        <source>Wrong item: the customer allowed no substitutes</source>
        <translation>商品不对：顾客不接受替代品</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="197" />
        <source>Too many: %1</source>
        <translation>数量过多：%1</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="203" />
        <source>Weight</source>
        <translation>重量</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="203" />
        <source>Weight in kg (e.g. 0.532)</source>
        <translation>重量（公斤，例如 0.532）</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="210" />
        <source>Weighing…</source>
        <translation>正在称重…</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="214" />
        <source>Scale: %1</source>
        <translation>电子秤：%1</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="224" />
        <source>Choose the line that is short</source>
        <translation>请选择缺货的行</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="242" />
        <source>Order %1 picked. %2</source>
        <translation>订单 %1 已拣货。%2</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="248" />
        <source>No printer: write the pickup code on the bag</source>
        <translation>没有打印机：请在袋子上写上提货码</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="253" />
        <source>Label not printed: %1</source>
        <translation>标签未打印：%1</translation>
    </message>
    <message>
        <location filename="../manager/picking.py" line="254" />
        <source>Label printed</source>
        <translation>标签已打印</translation>
    </message>
</context>
<context>
    <name>PickupDesk</name>
    <message>
        <location filename="../till/pickup_dialog.py" line="34" />
        <source>Finish or suspend the sale first</source>
        <translation>请先完成或挂起当前销售</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="36" />
        <location filename="../till/pickup_dialog.py" line="46" />
        <source>Pickup</source>
        <translation>自提</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="37" />
        <source>Pickup code (6 digits), or scan the customer's QR</source>
        <translation>提货码（6 位数字），或扫描顾客的二维码</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="49" />
        <source>Order %1 is not picked yet</source>
        <translation>订单 %1 尚未拣货</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="65" />
        <source>Paid online</source>
        <translation>已在线支付</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="65" />
        <source>To pay now: %1</source>
        <translation>现在应付：%1</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="67" />
        <source>Order %1</source>
        <translation>订单 %1</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="68" />
        <source>Hand it over?</source>
        <translation>确认交付？</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="81" />
        <source>Order %1: take payment (Pay, F12)</source>
        <translation>订单 %1：请收款（结账 F12）</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="100" />
        <source>Order %1 handed over</source>
        <translation>订单 %1 已核销</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="105" />
        <source>No open order with this code</source>
        <translation>没有此提货码的待提订单</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="106" />
        <source>This order was handed over already</source>
        <translation>此订单已核销过</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="107" />
        <source>This order is closed (expired or cancelled)</source>
        <translation>此订单已关闭（已过期或已取消）</translation>
    </message>
    <message>
        <location filename="../till/pickup_dialog.py" line="108" />
        <source>This order is not picked yet</source>
        <translation>此订单尚未拣货</translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <location filename="../widgets/pin_pad.py" line="31" />
        <source>Staff number</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../widgets/pin_pad.py" line="33" />
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../widgets/pin_pad.py" line="43" />
        <source>OK</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>ProductSearchDialog</name>
    <message>
        <location filename="../till/product_search.py" line="27" />
        <source>Find a product</source>
        <translation>查找商品</translation>
    </message>
    <message>
        <location filename="../till/product_search.py" line="30" />
        <source>Pinyin initials (e.g. nfsq), SKU or part of the name</source>
        <translation>拼音首字母（如 nfsq）、货号或部分名称</translation>
    </message>
    <message>
        <location filename="../till/product_search.py" line="48" />
        <source> / kg</source>
        <translation> / 公斤</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <location filename="../till/report_dialog.py" line="88" />
        <source>Print (Ctrl+P)</source>
        <translation>打印（Ctrl+P）</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="105" />
        <source>Z number</source>
        <translation>Z 报表号</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="107" />
        <source>Sales</source>
        <translation>销售</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="108" />
        <source>Completed sales</source>
        <translation>已完成销售</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="109" />
        <source>Gross sales</source>
        <translation>销售总额</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="110" />
        <source>Discounts</source>
        <translation>折扣</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="111" />
        <source>Sales total</source>
        <translation>销售合计</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="112" />
        <source>VAT included</source>
        <translation>含增值税</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="113" />
        <source>Cash rounding</source>
        <translation>抹零</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="114" />
        <source>Returns</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="115" />
        <source>Returns total</source>
        <translation>退货合计</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="116" />
        <source>Net sales</source>
        <translation>净销售额</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="117" />
        <source>Voids</source>
        <translation>作废</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="118" />
        <source>Voided lines</source>
        <translation>作废行</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="119" />
        <source>Cancelled sales</source>
        <translation>已取消交易</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="121" />
        <source>Tenders (net)</source>
        <translation>支付方式（净额）</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="126" />
        <source>Cash drawer</source>
        <translation>钱箱</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="127" />
        <source>Floats</source>
        <translation>备用金</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="128" />
        <source>Cash in</source>
        <translation>存入现金</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="129" />
        <source>Cash out</source>
        <translation>取出现金</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="130" />
        <source>Pickups</source>
        <translation>现金上缴</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="131" />
        <source>No-sale drawer openings</source>
        <translation>无销售开钱箱</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="134" />
        <source>Expected in the till</source>
        <translation>应有金额</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="135" />
        <source>Expected %1</source>
        <translation>应有%1</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="139" />
        <source>Over/short</source>
        <translation>长短款</translation>
    </message>
</context>
<context>
    <name>SaleLinesModel</name>
    <message>
        <location filename="../till/sale_lines_model.py" line="28" />
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../till/sale_lines_model.py" line="28" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../till/sale_lines_model.py" line="28" />
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../till/sale_lines_model.py" line="28" />
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../till/sale_lines_model.py" line="29" />
        <source>Promotion</source>
        <translation>促销</translation>
    </message>
    <message>
        <location filename="../till/sale_lines_model.py" line="29" />
        <source>Total</source>
        <translation>小计</translation>
    </message>
    <message>
        <location filename="../till/sale_lines_model.py" line="79" />
        <source>%1 kg</source>
        <translation>%1 公斤</translation>
    </message>
    <message>
        <location filename="../till/sale_lines_model.py" line="84" />
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <location filename="../till/sale_lines_model.py" line="95" />
        <source>Discount</source>
        <translation>折扣</translation>
    </message>
    <message>
        <location filename="../till/sale_lines_model.py" line="95" />
        <source>Order discount</source>
        <translation>整单折扣</translation>
    </message>
</context>
<context>
    <name>SaleScreen</name>
    <message>
        <location filename="../till/sale_screen.py" line="156" />
        <source>Scan or type a barcode or PLU, then Enter</source>
        <translation>扫描或输入条码/PLU，按回车</translation>
    </message>
    <message>
        <location filename="../till/sale_screen.py" line="183" />
        <source>TOTAL</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../till/sale_screen.py" line="189" />
        <source>Items</source>
        <translation>件数</translation>
    </message>
    <message>
        <location filename="../till/sale_screen.py" line="190" />
        <source>Savings</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../till/sale_screen.py" line="191" />
        <source>incl. VAT</source>
        <translation>含税</translation>
    </message>
    <message>
        <location filename="../till/sale_screen.py" line="295" />
        <source>Member %1</source>
        <translation>会员 %1</translation>
    </message>
</context>
<context>
    <name>SalesCharts</name>
    <message>
        <location filename="../manager/sales_charts.py" line="96" />
        <source>Takings (yuan)</source>
        <translation>营业额（元）</translation>
    </message>
    <message>
        <location filename="../manager/sales_charts.py" line="105" />
        <source>Sales by hour</source>
        <translation>分时销售</translation>
    </message>
    <message>
        <location filename="../manager/sales_charts.py" line="117" />
        <source>Sales by category</source>
        <translation>分类销售</translation>
    </message>
    <message>
        <location filename="../manager/sales_charts.py" line="118" />
        <source>Tender mix</source>
        <translation>支付方式占比</translation>
    </message>
</context>
<context>
    <name>StartupRefusal</name>
    <message>
        <location filename="../till/startup_refusal.py" line="16" />
        <source>The store database is damaged</source>
        <translation>门店数据库已损坏</translation>
    </message>
    <message>
        <location filename="../till/startup_refusal.py" line="17" />
        <source>Do not sell on this till. Restore the latest backup (pos restore) or call support.</source>
        <translation>请勿在此收银机上销售。请恢复最近的备份（pos restore）或联系技术支持。</translation>
    </message>
    <message>
        <location filename="../till/startup_refusal.py" line="21" />
        <source>This till is already running</source>
        <translation>此收银机已在运行</translation>
    </message>
    <message>
        <location filename="../till/startup_refusal.py" line="22" />
        <source>Close the other window for this terminal, then start again.</source>
        <translation>请先关闭此终端的另一个窗口，然后重新启动。</translation>
    </message>
</context>
<context>
    <name>StatusStrip</name>
    <message>
        <location filename="../widgets/status_bar.py" line="141" />
        <source>Disk full: no new sale can start, call support</source>
        <translation>磁盘已满：无法开始新交易，请联系技术支持</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="143" />
        <source>Disk almost full: call support</source>
        <translation>磁盘空间不足：请联系技术支持</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="151" />
        <source>Clock %1 ahead of HQ: set the time, payments fail beyond 5 min</source>
        <translation>时钟比总部快 %1：请校准时间，偏差超过 5 分钟将无法收款</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="153" />
        <source>Clock %1 behind HQ: set the time, payments fail beyond 5 min</source>
        <translation>时钟比总部慢 %1：请校准时间，偏差超过 5 分钟将无法收款</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="158" />
        <source>HQ link: not set up</source>
        <translation>总部连接：未配置</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="159" />
        <source>● Online</source>
        <translation>● 在线</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="159" />
        <source>○ Offline</source>
        <translation>○ 离线</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/status_bar.py" line="160" />
        <source>%n event(s) waiting</source>
        <translation><numerusform>%n 条待上传</numerusform></translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="162" />
        <source>oldest %1</source>
        <translation>最早 %1 前</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="165" />
        <source>last contact %1</source>
        <translation>最近联系 %1</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="167" />
        <source>no contact yet</source>
        <translation>尚未联系</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/status_bar.py" line="172" />
        <source>%n s</source>
        <translation><numerusform>%n 秒</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/status_bar.py" line="174" />
        <source>%n min</source>
        <translation><numerusform>%n 分钟</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/status_bar.py" line="175" />
        <source>%n h</source>
        <translation><numerusform>%n 小时</numerusform></translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="180" />
        <source>Scanner</source>
        <translation>扫描枪</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="180" />
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="180" />
        <source>Scale</source>
        <translation>电子秤</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="181" />
        <source>RFID</source>
        <translation>RFID</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="181" />
        <source>Shelf labels</source>
        <translation>电子价签</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="182" />
        <source>Customer display</source>
        <translation>顾客显示屏</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="215" />
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="216" />
        <source>paper out</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="217" />
        <source>paper low</source>
        <translation>纸将尽</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="218" />
        <source>cover open</source>
        <translation>盖子未关</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="219" />
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="220" />
        <source>error</source>
        <translation>故障</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="221" />
        <source>disconnected</source>
        <translation>已断开</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="222" />
        <source>not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="223" />
        <source>weight moving</source>
        <translation>重量不稳</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="224" />
        <source>overloaded</source>
        <translation>超载</translation>
    </message>
</context>
<context>
    <name>StockCountModel</name>
    <message>
        <location filename="../manager/stock_count_model.py" line="30" />
        <source>SKU</source>
        <translation>货号</translation>
    </message>
    <message>
        <location filename="../manager/stock_count_model.py" line="30" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../manager/stock_count_model.py" line="30" />
        <source>Expected</source>
        <translation>账面</translation>
    </message>
    <message>
        <location filename="../manager/stock_count_model.py" line="30" />
        <source>Counted</source>
        <translation>实盘</translation>
    </message>
    <message>
        <location filename="../manager/stock_count_model.py" line="31" />
        <source>Variance</source>
        <translation>差异</translation>
    </message>
    <message>
        <location filename="../manager/stock_count_model.py" line="31" />
        <source>Value</source>
        <translation>金额</translation>
    </message>
</context>
<context>
    <name>TenderView</name>
    <message>
        <location filename="../till/tender_view.py" line="86" />
        <source>Payments</source>
        <translation>付款记录</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="96" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="107" />
        <location filename="../till/tender_view.py" line="177" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="108" />
        <location filename="../till/tender_view.py" line="177" />
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="109" />
        <location filename="../till/tender_view.py" line="177" />
        <source>Mobile pay</source>
        <translation>移动支付</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="110" />
        <location filename="../till/tender_view.py" line="178" />
        <source>Stored value</source>
        <translation>储值卡</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="112" />
        <location filename="../till/tender_view.py" line="178" />
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="114" />
        <source>Void line</source>
        <translation>删除行</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="115" />
        <source>Back to sale</source>
        <translation>返回销售</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="129" />
        <source>Not an amount: %1</source>
        <translation>金额无效：%1</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="160" />
        <source>Total %1</source>
        <translation>合计 %1</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="161" />
        <source>Due %1</source>
        <translation>应付 %1</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="179" />
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="198" />
        <source>Next customer</source>
        <translation>下一位顾客</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="202" />
        <source>Scan for your e-receipt</source>
        <translation>扫码获取电子小票</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="213" />
        <source>Change %1</source>
        <translation>找零 %1</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="215" />
        <source>Receipt No. %1 · total %2</source>
        <translation>小票号 %1 · 合计 %2</translation>
    </message>
</context>
<context>
    <name>TillWindow</name>
    <message>
        <location filename="../till/till_app.py" line="135" />
        <source>Till %1 · %2</source>
        <translation>收银台 %1 · %2</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="201" />
        <source>Age OK</source>
        <translation>年龄确认</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="202" />
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="203" />
        <location filename="../till/till_app.py" line="630" />
        <location filename="../till/till_app.py" line="644" />
        <location filename="../till/till_app.py" line="646" />
        <source>Void line</source>
        <translation>删除行</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="204" />
        <location filename="../till/till_app.py" line="657" />
        <location filename="../till/till_app.py" line="660" />
        <source>Price override</source>
        <translation>改价</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="205" />
        <location filename="../till/till_app.py" line="699" />
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="206" />
        <source>Suspend</source>
        <translation>挂单</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="207" />
        <location filename="../till/till_app.py" line="719" />
        <source>Resume</source>
        <translation>取单</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="208" />
        <location filename="../till/till_app.py" line="725" />
        <location filename="../till/till_app.py" line="737" />
        <location filename="../till/till_app.py" line="740" />
        <location filename="../till/till_app.py" line="742" />
        <source>Return</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="209" />
        <location filename="../till/till_app.py" line="856" />
        <source>No sale</source>
        <translation>开钱箱</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="210" />
        <source>Shift / X / Z</source>
        <translation>班次 / X / Z</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="211" />
        <location filename="../till/till_app.py" line="872" />
        <source>Cancel sale</source>
        <translation>取消交易</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="212" />
        <source>Pay</source>
        <translation>结账</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="213" />
        <source>Line discount</source>
        <translation>单品折扣</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="214" />
        <source>Order discount</source>
        <translation>整单折扣</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="215" />
        <source>Reprint</source>
        <translation>重印小票</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="216" />
        <source>Find product</source>
        <translation>查找商品</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="217" />
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="218" />
        <source>Code entry</source>
        <translation>条码输入</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="219" />
        <source>Price check</source>
        <translation>查价</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="220" />
        <location filename="../till/till_app.py" line="563" />
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="221" />
        <location filename="../till/till_app.py" line="511" />
        <location filename="../till/till_app.py" line="520" />
        <source>Tare</source>
        <translation>去皮</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="225" />
        <source>Pickup</source>
        <translation>自提</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="241" />
        <source>Cashier %1</source>
        <translation>收银员 %1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="243" />
        <source>TRAINING · %1</source>
        <translation>培训 · %1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="256" />
        <source>%1 · %2 · %3 points</source>
        <translation>%1 · %2 · %3 积分</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="256" />
        <location filename="../till/till_app.py" line="257" />
        <source>(unnamed)</source>
        <translation>（未登记姓名）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="263" />
        <source>silver</source>
        <translation>银卡</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="263" />
        <source>gold</source>
        <translation>金卡</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="264" />
        <source>diamond</source>
        <translation>钻石卡</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="295" />
        <source>Cancelled: no supervisor approval</source>
        <translation>已取消：无主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="317" />
        <source>Welcome, %1</source>
        <translation>欢迎，%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="360" />
        <source>That is a barcode, not an amount: finish paying first (Esc: back to the sale)</source>
        <translation>这是条码，不是金额：请先完成付款（Esc：返回销售）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="380" />
        <source>Quantity %1 ×: scan or type the item</source>
        <translation>数量 %1 ×：请扫描或输入商品</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="437" />
        <source>This price needs a supervisor's approval</source>
        <translation>此价格需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="470" />
        <source>Weight</source>
        <translation>重量</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="470" />
        <source>Weight in kg (e.g. 0.532)</source>
        <translation>重量（公斤，例如 0.532）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="476" />
        <source>Weighing…</source>
        <translation>正在称重…</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="497" />
        <source>The same weight is still on the scale: lift the item off and place it again, then scan it again</source>
        <translation>秤上仍是同样的重量：请拿起商品再重新放上，然后重新扫码</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="500" />
        <source>Scale: %1</source>
        <translation>电子秤：%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="503" />
        <source>Lift the item off the scale and place it again</source>
        <translation>请把商品从秤上拿起，再重新放上</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="509" />
        <source>%1 g</source>
        <translation>%1 克</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="510" />
        <source>Type a tare…</source>
        <translation>输入皮重…</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="510" />
        <location filename="../till/till_app.py" line="517" />
        <source>No tare</source>
        <translation>不去皮</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="511" />
        <source>Container weight for the next weighed item</source>
        <translation>下一件称重商品的容器重量</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="520" />
        <source>Tare in kg (e.g. 0.015)</source>
        <translation>皮重（公斤，例如 0.015）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="531" />
        <source>Tare %1 g: weigh the item</source>
        <translation>去皮 %1 克：请称重商品</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="542" />
        <source>Price check: scan the item (nothing is added)</source>
        <translation>查价：请扫描商品（不会加入销售）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="551" />
        <source> / kg</source>
        <translation> / 公斤</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="553" />
        <source>Price check: %1 · %2</source>
        <translation>查价：%1 · %2</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="554" />
        <source>Promotion: %1</source>
        <translation>促销：%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="556" />
        <source>On hand %1</source>
        <translation>库存 %1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="563" />
        <source>Scan or type the coupon code</source>
        <translation>扫描或输入优惠券码</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="565" />
        <source>Coupon %1 added</source>
        <translation>已添加优惠券 %1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="584" />
        <source>Age check</source>
        <translation>年龄核验</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="585" />
        <source>Has the customer shown they are 18 or older?</source>
        <translation>顾客是否已出示证件证明年满 18 岁？</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="586" />
        <source>Age confirmed</source>
        <translation>已确认年龄</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="591" />
        <source>New quantity, then Enter (Esc: cancel)</source>
        <translation>输入新数量后按回车（Esc：取消）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="597" />
        <source>Changing a paid sale needs a supervisor</source>
        <translation>修改已付款交易需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="611" />
        <source>To remove the line, void it (F3)</source>
        <translation>要删除此行，请按删除行（F3）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="651" />
        <source>Line %1 voided</source>
        <translation>第 %1 行已删除</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="657" />
        <source>New unit price</source>
        <translation>新单价</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="572" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="669" />
        <source>A price override needs a supervisor</source>
        <translation>改价需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="670" />
        <source>Price changed</source>
        <translation>价格已修改</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="676" />
        <source>Discount on line %1</source>
        <translation>第 %1 行折扣</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="681" />
        <location filename="../till/till_app.py" line="692" />
        <source>This discount is above your limit: a supervisor approves</source>
        <translation>折扣超出您的权限：需主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="682" />
        <location filename="../till/till_app.py" line="693" />
        <source>Discount given</source>
        <translation>已打折</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="687" />
        <source>Discount on the whole order</source>
        <translation>整单折扣</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="699" />
        <source>Member card, phone or QR code</source>
        <translation>会员卡号、手机号或会员码</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="403" />
        <location filename="../till/till_app.py" line="701" />
        <source>Member identified</source>
        <translation>已识别会员</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="630" />
        <source>Which line?</source>
        <translation>哪一行？</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="633" />
        <source>Line voided: %1 due</source>
        <translation>已删除该行：应付 %1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="642" />
        <source>Void line %1: %2 (%3)?</source>
        <translation>删除第 %1 行：%2（%3）？</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="650" />
        <source>Voiding this line needs a supervisor</source>
        <translation>删除此行需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="704" />
        <source>Sale suspended</source>
        <translation>交易已挂起</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="709" />
        <source>No suspended sales</source>
        <translation>没有挂单</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="714" />
        <source>%1 · cashier %2 · %3 items · %4</source>
        <translation>%1 · 收银员 %2 · %3 件 · %4</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="719" />
        <source>Suspended sales</source>
        <translation>挂单列表</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="721" />
        <source>Sale resumed</source>
        <translation>已取回挂单</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="725" />
        <source>Scan the receipt's QR code or type the sale id</source>
        <translation>扫描小票二维码或输入交易号</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="734" />
        <source>left</source>
        <translation>可退</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="737" />
        <source>Which item?</source>
        <translation>哪件商品？</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="740" />
        <source>Quantity to return</source>
        <translation>退货数量</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="752" />
        <location filename="../till/till_app.py" line="774" />
        <source>Returned: refund %1</source>
        <translation>已退货：退款 %1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="756" />
        <source>Returned: refund %1 · asking WeChat Pay/Alipay for the refund…</source>
        <translation>已退货：退款 %1 · 正在向微信支付/支付宝申请退款…</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="764" />
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="779" />
        <source>Refunded %1 to WeChat Pay/Alipay: the money goes back to the account the customer paid with</source>
        <translation>已退款 %1 至微信支付/支付宝：款项将退回顾客付款的账户</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="781" />
        <source>Refund %1 to WeChat Pay/Alipay not confirmed yet: it is retried automatically (X report)</source>
        <translation>退款 %1 至微信支付/支付宝尚未确认：系统会自动重试（见 X 报表）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="783" />
        <source>Refund %1 to WeChat Pay/Alipay refused: pay the customer another way, with a supervisor</source>
        <translation>退款 %1 至微信支付/支付宝被拒绝：请由主管以其他方式退款给顾客</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="789" />
        <source>Refund to WeChat Pay/Alipay not confirmed yet: it is retried automatically (X report)</source>
        <translation>退款至微信支付/支付宝尚未确认：系统会自动重试（见 X 报表）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="794" />
        <location filename="../till/till_app.py" line="799" />
        <source>Open shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="794" />
        <location filename="../till/till_app.py" line="804" />
        <source>X report</source>
        <translation>X 报表</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="794" />
        <source>Close shift (blind count)</source>
        <translation>交班（盲点现金）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="795" />
        <location filename="../till/till_app.py" line="825" />
        <source>Z report</source>
        <translation>Z 报表</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="796" />
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="796" />
        <source>What do you want to do?</source>
        <translation>请选择操作</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="799" />
        <source>Float in the drawer</source>
        <translation>钱箱备用金</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="802" />
        <source>Shift opened</source>
        <translation>已开班</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="806" />
        <source>Close shift</source>
        <translation>交班</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="807" />
        <source>Counted cash as denomination x pieces, e.g. 100x3 50x1 0.5x4</source>
        <translation>按面额x张数输入现金，例如 100x3 50x1 0.5x4</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="810" />
        <source>Shift closed</source>
        <translation>已交班</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="811" />
        <source>Counted %1, expected %2, over/short %3</source>
        <translation>实点 %1，应有 %2，长短款 %3</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="821" />
        <source>A Z report needs a supervisor</source>
        <translation>Z 报表需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="848" />
        <source>No receipt printer</source>
        <translation>没有小票打印机</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="852" />
        <source>Not printed: %1</source>
        <translation>未打印：%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="853" />
        <source>Printing</source>
        <translation>正在打印</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="858" />
        <source>Opening the drawer needs a supervisor</source>
        <translation>开钱箱需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="859" />
        <source>Drawer opened</source>
        <translation>钱箱已打开</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="872" />
        <source>Cancel the whole sale?</source>
        <translation>取消整笔交易？</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="874" />
        <source>Cancelling a sale needs a supervisor</source>
        <translation>取消交易需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="875" />
        <source>Sale cancelled</source>
        <translation>交易已取消</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="882" />
        <source>Nothing to pay for</source>
        <translation>没有待付款商品</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="898" />
        <source>A payment code: scan the items first</source>
        <translation>这是付款码：请先扫描商品</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="917" />
        <source>Payments were taken: finish paying first</source>
        <translation>已有付款：请先完成付款</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="926" />
        <source>Present the card on the terminal…</source>
        <translation>请在刷卡终端上刷卡…</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="929" />
        <source>Card declined: %1</source>
        <translation>银行卡被拒：%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="934" />
        <source>Card or member number</source>
        <translation>卡号或会员号</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="938" />
        <source>Scan the customer's payment code</source>
        <translation>请扫描顾客付款码</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="950" />
        <source>Paid %1 by %2</source>
        <translation>已用%2支付 %1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="972" />
        <source>A payment is in progress: wait for it or press Esc</source>
        <translation>正在付款：请等待，或按 Esc 取消</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="997" />
        <source>Cancelling: waiting for the provider to answer…</source>
        <translation>正在取消：等待支付平台应答…</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="1000" />
        <source>Cancelling the payment…</source>
        <translation>正在取消付款…</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="1014" />
        <source>Waiting for the customer to confirm on the phone (Esc: cancel)</source>
        <translation>等待顾客在手机上确认付款（Esc：取消）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="1032" />
        <source>Paid by payment code</source>
        <translation>已通过付款码收款</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="1052" />
        <source>No receipt printer: offer the e-receipt</source>
        <translation>无小票打印机：请提供电子小票</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="1059" />
        <source>Receipt not printed: %1</source>
        <translation>小票未打印：%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="1062" />
        <source>Receipt queued: printer %1</source>
        <translation>小票已排队：打印机%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="1064" />
        <source>Receipt printing</source>
        <translation>正在打印小票</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="1095" />
        <source>Bad read: scan again</source>
        <translation>读码错误：请重新扫描</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../demo/screenshots.py" line="179" />
        <source>Member identified</source>
        <translation>已识别会员</translation>
    </message>
    <message>
        <location filename="../demo/screenshots.py" line="215" />
        <source>X report</source>
        <translation>X 报表</translation>
    </message>
    <message>
        <location filename="../demo/screenshots.py" line="217" />
        <source>Discount on line %1</source>
        <translation>第 %1 行折扣</translation>
    </message>
    <message>
        <location filename="../demo/screenshots.py" line="223" />
        <source>A Z report needs a supervisor</source>
        <translation>Z 报表需要主管授权</translation>
    </message>
</context>
</TS>