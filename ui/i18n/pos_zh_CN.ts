<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>CountApprovalDialog</name>
    <message>
        <location filename="../manager/count_approval.py" line="28" />
        <source>Approve count</source>
        <translation>审批盘点</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="31" />
        <source>%1 items counted · variance value %2</source>
        <translation>已盘 %1 项 · 差异金额 %2</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="43" />
        <source>on hand %1</source>
        <translation>账面 %1</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="46" />
        <source>Leave them as they are</source>
        <translation>保持原样</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="47" />
        <source>Set them to zero (a count movement each, journaled)</source>
        <translation>清零（每项记一笔盘点变动，写入日志）</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="55" />
        <source>%1 items in scope were not counted (stock value %2). What happens to them?</source>
        <translation>范围内有 %1 项未盘点（库存金额 %2）。如何处理？</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="59" />
        <source>Every item in scope was counted.</source>
        <translation>范围内所有商品均已盘点。</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="63" />
        <source>Approve</source>
        <translation>审批</translation>
    </message>
    <message>
        <location filename="../manager/count_approval.py" line="65" />
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
        <location filename="../demo/device_panel.py" line="20" />
        <source>Simulated devices</source>
        <translation>模拟设备</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="24" />
        <source>Scan a product</source>
        <translation>扫描一件商品</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="25" />
        <source>Put 0.856 kg on the scale</source>
        <translation>在秤上放 0.856 公斤</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="26" />
        <source>Scale: moving / steady</source>
        <translation>电子秤：晃动 / 稳定</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="27" />
        <source>Empty the scale</source>
        <translation>清空秤盘</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="28" />
        <source>Printer: paper out</source>
        <translation>打印机：缺纸</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="29" />
        <source>Printer: load paper</source>
        <translation>打印机：装纸</translation>
    </message>
    <message>
        <location filename="../demo/device_panel.py" line="33" />
        <source>Customer display</source>
        <translation>顾客显示屏</translation>
    </message>
</context>
<context>
    <name>DiscountDialog</name>
    <message>
        <location filename="../till/discount_dialog.py" line="33" />
        <source>Discount: a percentage (10%) or an amount (5.00)</source>
        <translation>折扣：百分比（10%）或金额（5.00）</translation>
    </message>
    <message>
        <location filename="../till/discount_dialog.py" line="35" />
        <source>10% or 5.00</source>
        <translation>10% 或 5.00</translation>
    </message>
    <message>
        <location filename="../till/discount_dialog.py" line="39" />
        <source>Reason (optional)</source>
        <translation>原因（可选）</translation>
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
        <source>This product is not in the catalog: call a supervisor</source>
        <translation>商品不在目录中：请呼叫主管</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="32" />
        <source>This product is not for sale</source>
        <translation>此商品不可销售</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="33" />
        <source>This product's data is incomplete: call a supervisor</source>
        <translation>商品资料不完整：请呼叫主管</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="34" />
        <source>That is a payment code: press Pay first</source>
        <translation>这是付款码：请先按结账</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="35" />
        <source>Put the item on the scale</source>
        <translation>请将商品放在秤上</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="36" />
        <source>That quantity is not possible</source>
        <translation>数量无效</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="37" />
        <source>There is no such line</source>
        <translation>没有这一行</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="38" />
        <source>Payment has started: items and prices can no longer change</source>
        <translation>已开始付款：不能再修改商品或价格</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="40" />
        <source>The sale would cost less than already paid</source>
        <translation>交易金额将低于已付金额</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="41" />
        <source>Type the price of this item</source>
        <translation>请输入该商品的价格</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="42" />
        <source>That discount is too large: something must be left to pay</source>
        <translation>折扣过大：须留有应付金额</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="44" />
        <source>Check the customer's age first (F1)</source>
        <translation>请先核验顾客年龄（F1）</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="45" />
        <source>There is no sale open</source>
        <translation>当前没有交易</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="46" />
        <source>Finish, suspend or cancel the current sale first</source>
        <translation>请先完成、挂单或取消当前交易</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="47" />
        <source>The sale is empty</source>
        <translation>交易中没有商品</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="48" />
        <source>Payments were taken: finish the sale</source>
        <translation>已收款：请完成交易</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="49" />
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="51" />
        <source>That amount is not valid</source>
        <translation>金额无效</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="52" />
        <source>More than is due: only cash gives change</source>
        <translation>超过应付金额：只有现金可以找零</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="53" />
        <source>Nothing is due</source>
        <translation>无需付款</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="54" />
        <source>Never type a card number into the till</source>
        <translation>请勿在收银机中输入银行卡号</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="55" />
        <source>Not enough points</source>
        <translation>积分不足</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="56" />
        <source>Not enough balance on the card</source>
        <translation>卡内余额不足</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="57" />
        <source>This card is in use at another till: try again shortly</source>
        <translation>此卡正在其他收银台使用：请稍后再试</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="59" />
        <source>Card not found</source>
        <translation>未找到此卡</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="60" />
        <source>Offline: this card cannot spend more until the link to HQ is back</source>
        <translation>离线：与总部恢复连接前此卡不能继续消费</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="62" />
        <source>Offline: stored-value cards cannot spend more until HQ is back</source>
        <translation>离线：与总部恢复连接前储值卡不能继续消费</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="65" />
        <source>A payment code payment is still waiting: wait, or cancel it first</source>
        <translation>付款码支付仍在等待：请稍候，或先取消</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="67" />
        <source>This is not a WeChat Pay or Alipay payment code</source>
        <translation>这不是微信或支付宝付款码</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="69" />
        <source>This till takes no payment codes: choose another way to pay</source>
        <translation>此收银机不支持付款码：请选择其他付款方式</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="71" />
        <source>No payment is waiting</source>
        <translation>没有等待中的付款</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="72" />
        <source>Scan the customer's payment code instead of typing a mobile payment</source>
        <translation>请扫描顾客的付款码，不要手工录入移动支付</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="74" />
        <source>The payment service cannot be reached: the customer was not charged. Take another payment</source>
        <translation>无法连接支付服务：顾客未被扣款。请换用其他付款方式</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="77" />
        <source>The last payment is not settled yet: take another payment; new codes wait until it is</source>
        <translation>上一笔付款尚未了结：请换用其他付款方式；新的付款码需等其了结</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="80" />
        <source>No payment in time: the payment was cancelled. Scan a new code</source>
        <translation>付款超时：已撤销本次支付。请重新扫码</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="82" />
        <source>The payment was declined: ask for another payment</source>
        <translation>付款被拒绝：请换用其他付款方式</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="85" />
        <source>Member not found</source>
        <translation>未找到会员</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="86" />
        <source>No member on this sale</source>
        <translation>此交易没有会员</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="87" />
        <source>This member already exists</source>
        <translation>会员已存在</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="88" />
        <source>This card number already exists</source>
        <translation>卡号已存在</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="89" />
        <source>Already returned</source>
        <translation>已退货</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="90" />
        <source>This cannot be returned</source>
        <translation>不可退货</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="91" />
        <source>Only the last sale can be voided</source>
        <translation>只能撤销最后一笔交易</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="92" />
        <source>Above the limit for a return without receipt</source>
        <translation>超过无小票退货限额</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="94" />
        <source>This item is not part of this count</source>
        <translation>此商品不在本次盘点范围内</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="95" />
        <source>This count is already closed</source>
        <translation>本次盘点已结束</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="96" />
        <source>Nothing counted yet</source>
        <translation>尚未盘点任何商品</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="97" />
        <source>Open a shift first</source>
        <translation>请先开班</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="98" />
        <source>A shift is already open</source>
        <translation>已经开班</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="99" />
        <source>That is not a note or coin of this currency</source>
        <translation>不是本币种的纸币或硬币</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="101" />
        <source>The disk is full: nothing was recorded. Call support, then try again</source>
        <translation>磁盘已满：未记录任何内容。请联系技术支持后重试</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="103" />
        <source>The database refused the write: nothing was recorded. Try again</source>
        <translation>数据库写入失败：未记录任何内容。请重试</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="105" />
        <source>The disk is almost full: no new sale can start. Call support</source>
        <translation>磁盘空间不足：无法开始新交易。请联系技术支持</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="108" />
        <source>The device does not answer</source>
        <translation>设备无响应</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="109" />
        <source>Nothing is on the scale</source>
        <translation>秤上没有商品</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="110" />
        <source>The device did not answer in time</source>
        <translation>设备响应超时</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="111" />
        <source>The connection to the device was lost</source>
        <translation>与设备的连接已断开</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="112" />
        <source>The device cannot be reached</source>
        <translation>无法连接设备</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="113" />
        <source>The device is busy</source>
        <translation>设备忙</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="114" />
        <source>The device is closed</source>
        <translation>设备已关闭</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="115" />
        <source>The device is not open</source>
        <translation>设备未打开</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="116" />
        <location filename="../widgets/error_messages.py" line="117" />
        <source>The device is not ready</source>
        <translation>设备未就绪</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="118" />
        <source>The device cannot be opened</source>
        <translation>无法打开设备</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="119" />
        <source>No driver for this device</source>
        <translation>此设备没有驱动</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="120" />
        <source>The device does not support this</source>
        <translation>设备不支持此操作</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="121" />
        <source>The device is not set up correctly</source>
        <translation>设备配置不正确</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="122" />
        <source>A program part for this device is missing</source>
        <translation>缺少此设备所需的程序组件</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="123" />
        <source>The printer is still printing</source>
        <translation>打印机仍在打印</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="124" />
        <source>No such print job</source>
        <translation>没有此打印任务</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="125" />
        <source>Nothing to print</source>
        <translation>没有可打印的内容</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="126" />
        <source>Not possible in training mode: log in normally for real work</source>
        <translation>培训模式下不能进行此操作：请正常登录后再处理</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="129" />
        <source>That is not possible here</source>
        <translation>此处不能进行该操作</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="137" />
        <source>Refused (%1): call a supervisor</source>
        <translation>操作被拒绝（%1）：请呼叫主管</translation>
    </message>
    <message>
        <location filename="../widgets/error_messages.py" line="146" />
        <source>Please wait: a member of staff is coming to help</source>
        <translation>请稍候：工作人员马上来帮助您</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="128" />
        <location filename="../kiosk/kiosk_app.py" line="487" />
        <source>Self-checkout</source>
        <translation>自助收银</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="191" />
        <source>This lane is closed</source>
        <translation>本通道暂停服务</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="192" />
        <source>Staff: open the lane with your PIN</source>
        <translation>员工：请输入密码开启通道</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="204" />
        <source>Welcome! Scan your first item to start</source>
        <translation>欢迎光临！扫描第一件商品即可开始</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="205" />
        <source>Weighed fruit and vegetables: touch Start</source>
        <translation>称重果蔬：请点击开始</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="206" />
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="225" />
        <source>Scan your items</source>
        <translation>请扫描商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="241" />
        <source>To pay</source>
        <translation>应付</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="251" />
        <source>Fruit &amp; veg</source>
        <translation>果蔬称重</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="252" />
        <source>Member QR</source>
        <translation>会员码</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="253" />
        <source>Remove item</source>
        <translation>移除商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="62" />
        <location filename="../kiosk/kiosk_app.py" line="254" />
        <source>Help</source>
        <translation>求助</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="255" />
        <source>Pay</source>
        <translation>结账</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="267" />
        <source>Put the item on the scale, then touch it</source>
        <translation>请把商品放在秤上，然后点选商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="289" />
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="303" />
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="303" />
        <source>WeChat Pay / Alipay</source>
        <translation>微信 / 支付宝</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="304" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="312" />
        <source>Cancel payment</source>
        <translation>取消付款</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="316" />
        <source>Back to basket</source>
        <translation>返回购物篮</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="326" />
        <source>Thank you!</source>
        <translation>谢谢惠顾！</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="329" />
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="335" />
        <source>Scan for your e-receipt</source>
        <translation>扫码获取电子小票</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="346" />
        <source>Attendant mode</source>
        <translation>值守模式</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="371" />
        <source>Approve age</source>
        <translation>确认年龄</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="372" />
        <source>Remove selected item</source>
        <translation>移除所选商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="373" />
        <source>Resume basket</source>
        <translation>恢复购物篮</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="374" />
        <source>Clear alert</source>
        <translation>清除提醒</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="375" />
        <source>Close lane</source>
        <translation>关闭通道</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="376" />
        <source>Back to customer</source>
        <translation>返回顾客界面</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="386" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="63" />
        <source>Staff help needed</source>
        <translation>需要工作人员协助</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="64" />
        <source>A basket left before the restart was suspended: resume it in attendant mode</source>
        <translation>重启前未结账的购物篮已挂单：请在值守模式中恢复</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="542" />
        <source>Please use Fruit &amp; veg for this item</source>
        <translation>此商品请使用果蔬称重</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="66" />
        <source>Age check for an age-restricted item</source>
        <translation>限龄商品需核验年龄</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="67" />
        <source>No scale: weigh %1 at a till</source>
        <translation>无电子秤：请到收银台称重 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="568" />
        <location filename="../kiosk/kiosk_app.py" line="591" />
        <source>Put %1 on the scale</source>
        <translation>请把%1放到秤上</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="584" />
        <source>Weighing %1…</source>
        <translation>正在称重 %1…</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="586" />
        <source>Weighing %1: hold still…</source>
        <translation>正在称重%1：请勿晃动…</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="588" />
        <location filename="../kiosk/kiosk_app.py" line="594" />
        <source>%1 kg</source>
        <translation>%1 公斤</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="68" />
        <source>The scale is not answering</source>
        <translation>电子秤无响应</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="69" />
        <source>Unexpected weight on the scale</source>
        <translation>秤上重量异常</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="615" />
        <source>Scan your member QR code</source>
        <translation>请扫描会员码</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="619" />
        <source>Scan an item first, then your member QR code</source>
        <translation>请先扫描商品，再扫会员码</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="630" />
        <source>Welcome, member! Member prices applied</source>
        <translation>欢迎会员！已享会员价</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="70" />
        <source>Remove an item</source>
        <translation>移除商品</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="632" />
        <source>Welcome, member!</source>
        <translation>欢迎会员！</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="665" />
        <source>Please wait: an attendant is coming (%1)</source>
        <translation>请稍候，值守员马上就到（%1）</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="666" />
        <location filename="../kiosk/kiosk_app.py" line="673" />
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="699" />
        <source>Attendant %1</source>
        <translation>值守员 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="704" />
        <source>No basket open</source>
        <translation>没有进行中的购物篮</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="707" />
        <source>%1 items · total %2 · tax %3 · paid %4</source>
        <translation>%1 件 · 合计 %2 · 税额 %3 · 已付 %4</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="717" />
        <source>member %1</source>
        <translation>会员 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="717" />
        <source>(unnamed)</source>
        <translation>（未登记姓名）</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="731" />
        <source>Age approved</source>
        <translation>年龄已确认</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="741" />
        <source>Item removed</source>
        <translation>商品已移除</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="747" />
        <source>No suspended baskets</source>
        <translation>没有挂起的购物篮</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="752" />
        <source>Basket resumed: back to the customer</source>
        <translation>购物篮已恢复：请交还顾客</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="767" />
        <source>Finish or suspend the basket first</source>
        <translation>请先完成或挂起购物篮</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="802" />
        <source>To pay %1</source>
        <translation>应付 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="803" />
        <source>Choose how to pay</source>
        <translation>请选择付款方式</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="821" />
        <source>Card declined: %1</source>
        <translation>银行卡被拒：%1</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="825" />
        <source>Show your payment code to the scanner</source>
        <translation>请将付款码对准扫描器</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="828" />
        <source>Insert notes and coins</source>
        <translation>请投入纸币和硬币</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="847" />
        <location filename="../kiosk/kiosk_app.py" line="890" />
        <source>Confirm the payment on your phone</source>
        <translation>请在手机上确认付款</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="872" />
        <source>Cancelling the payment…</source>
        <translation>正在取消付款…</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="903" />
        <source>Payment cancelled: you were not charged. Choose how to pay</source>
        <translation>付款已取消，未扣款。请选择付款方式</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="904" />
        <source>No payment in time: you were not charged. Show a new code or choose another way to pay</source>
        <translation>未在规定时间内完成付款，未扣款。请出示新的付款码，或选择其他付款方式</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="907" />
        <source>The payment was declined: you were not charged. Choose another way to pay</source>
        <translation>付款未成功，未扣款。请选择其他付款方式</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="910" />
        <source>Payment codes cannot be taken right now: you were not charged. Choose another way to pay</source>
        <translation>暂时无法使用付款码，未扣款。请选择其他付款方式</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="927" />
        <source>Take your e-receipt with the QR code</source>
        <translation>请扫码获取电子小票</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="934" />
        <source>Take your receipt, or scan the QR code for an e-receipt</source>
        <translation>请取走小票，或扫码获取电子小票</translation>
    </message>
    <message>
        <location filename="../kiosk/kiosk_app.py" line="71" />
        <source>Customer left during payment</source>
        <translation>顾客付款中途离开</translation>
    </message>
</context>
<context>
    <name>LoginView</name>
    <message>
        <location filename="../till/till_app.py" line="80" />
        <source>Log in with your staff number and PIN</source>
        <translation>请输入工号和密码登录</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="87" />
        <source>Training mode: practice sales, nothing is recorded</source>
        <translation>培训模式：练习销售，不记录任何交易</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="100" />
        <source>cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="100" />
        <source>supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="101" />
        <source>manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="102" />
        <source>Demo store: log in as</source>
        <translation>示范门店：可登录为</translation>
    </message>
</context>
<context>
    <name>ManagerWindow</name>
    <message>
        <location filename="../manager/manager_app.py" line="104" />
        <source>Manager · %1</source>
        <translation>店长 · %1</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="122" />
        <source>Manager mode</source>
        <translation>店长模式</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="135" />
        <source>Stock count</source>
        <translation>盘点</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="136" />
        <source>Goods receiving</source>
        <translation>收货</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="137" />
        <source>Price check</source>
        <translation>查价</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="138" />
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="139" />
        <source>Shelf labels</source>
        <translation>电子价签</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="166" />
        <source>Manager mode needs a manager's PIN</source>
        <translation>店长模式需要店长密码</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="178" />
        <source>Start count</source>
        <translation>开始盘点</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="179" />
        <source>Read RFID</source>
        <translation>读取 RFID</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="180" />
        <source>Recount selected</source>
        <translation>复盘所选</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="181" />
        <source>Approve</source>
        <translation>审批</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="187" />
        <source>Start a count, then scan items or read the RFID tags</source>
        <translation>开始盘点，然后扫描商品或读取 RFID 标签</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="233" />
        <source>%1 of %2 items counted · variance value %3</source>
        <translation>已盘 %1 / %2 项 · 差异金额 %3</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="255" />
        <source>Reading RFID tags…</source>
        <translation>正在读取 RFID 标签…</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="277" />
        <source>%1 tags of unknown products</source>
        <translation>%1 个未知商品标签</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="292" />
        <source>Recount</source>
        <translation>复盘</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="292" />
        <source>Counted quantity of %1</source>
        <translation>%1 的实盘数量</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="328" />
        <source>Count approved: %1 variance(s) posted</source>
        <translation>盘点已审批：过账 %1 条差异</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="331" />
        <source>uncounted items set to zero</source>
        <translation>未盘商品已清零</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="340" />
        <source>Supplier delivery note</source>
        <translation>供应商送货单号</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="343" />
        <source>Scan each item received</source>
        <translation>请逐件扫描收到的商品</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="347" />
        <source>SKU</source>
        <translation>货号</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="347" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="347" />
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="351" />
        <source>Post goods receipt</source>
        <translation>收货过账</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="380" />
        <source>Goods receipt posted (%1 items)</source>
        <translation>收货已过账（%1 项）</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="391" />
        <source>Scan or type a barcode or PLU</source>
        <translation>扫描或输入条码/PLU</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="414" />
        <source> / kg</source>
        <translation> / 公斤</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="419" />
        <source>SKU %1 · on hand %2</source>
        <translation>货号 %1 · 库存 %2</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="432" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="446" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="446" />
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="446" />
        <source>Mobile pay</source>
        <translation>移动支付</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="447" />
        <source>Stored value</source>
        <translation>储值卡</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="447" />
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="449" />
        <source>Last 24 hours: takings %1</source>
        <translation>最近 24 小时：营业额 %1</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="461" />
        <source>Label</source>
        <translation>价签</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="461" />
        <source>Wanted version</source>
        <translation>目标版本</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="462" />
        <source>Shown version</source>
        <translation>显示版本</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="462" />
        <source>Waiting</source>
        <translation>等待</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="466" />
        <source>Retry stale labels</source>
        <translation>重试未更新价签</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="474" />
        <source>No shelf-label system configured</source>
        <translation>未配置电子价签系统</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="478" />
        <source>%1 stale label(s)</source>
        <translation>%1 个价签未更新</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="483" />
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../manager/manager_app.py" line="520" />
        <source>No product for %1</source>
        <translation>找不到商品 %1</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message numerus="yes">
        <location filename="../widgets/status_bar.py" line="90" />
        <source>Offline: selling continues; %n sale event(s) will be sent when the link returns</source>
        <translation><numerusform>离线：可继续销售；%n 条交易将在网络恢复后上传</numerusform></translation>
    </message>
</context>
<context>
    <name>OpenPriceDialog</name>
    <message>
        <location filename="../till/open_price_dialog.py" line="19" />
        <source>Open price</source>
        <translation>手输价格</translation>
    </message>
    <message>
        <location filename="../till/open_price_dialog.py" line="21" />
        <source>Price of %1</source>
        <translation>%1 的价格</translation>
    </message>
    <message>
        <location filename="../till/open_price_dialog.py" line="24" />
        <source>Category: %1</source>
        <translation>类别：%1</translation>
    </message>
    <message>
        <location filename="../till/open_price_dialog.py" line="27" />
        <source>Price, e.g. 12.50</source>
        <translation>价格，例如 12.50</translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <location filename="../widgets/pin_pad.py" line="82" />
        <source>Supervisor approval</source>
        <translation>主管授权</translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <location filename="../widgets/pin_pad.py" line="29" />
        <source>Staff number</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../widgets/pin_pad.py" line="31" />
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../widgets/pin_pad.py" line="42" />
        <source>OK</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>ProductSearchDialog</name>
    <message>
        <location filename="../till/product_search.py" line="26" />
        <source>Find a product</source>
        <translation>查找商品</translation>
    </message>
    <message>
        <location filename="../till/product_search.py" line="29" />
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
        <location filename="../till/report_dialog.py" line="80" />
        <source>Print (Ctrl+P)</source>
        <translation>打印（Ctrl+P）</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="97" />
        <source>Z number</source>
        <translation>Z 报表号</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="99" />
        <source>Sales</source>
        <translation>销售</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="100" />
        <source>Completed sales</source>
        <translation>已完成销售</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="101" />
        <source>Gross sales</source>
        <translation>销售总额</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="102" />
        <source>Discounts</source>
        <translation>折扣</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="103" />
        <source>Sales total</source>
        <translation>销售合计</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="104" />
        <source>VAT included</source>
        <translation>含增值税</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="105" />
        <source>Cash rounding</source>
        <translation>抹零</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="106" />
        <source>Returns</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="107" />
        <source>Returns total</source>
        <translation>退货合计</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="108" />
        <source>Net sales</source>
        <translation>净销售额</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="109" />
        <source>Voids</source>
        <translation>作废</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="110" />
        <source>Voided lines</source>
        <translation>作废行</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="111" />
        <source>Cancelled sales</source>
        <translation>已取消交易</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="113" />
        <source>Tenders (net)</source>
        <translation>支付方式（净额）</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="118" />
        <source>Cash drawer</source>
        <translation>钱箱</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="119" />
        <source>Floats</source>
        <translation>备用金</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="120" />
        <source>Cash in</source>
        <translation>存入现金</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="121" />
        <source>Cash out</source>
        <translation>取出现金</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="122" />
        <source>Pickups</source>
        <translation>现金上缴</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="123" />
        <source>No-sale drawer openings</source>
        <translation>无销售开钱箱</translation>
    </message>
    <message>
        <location filename="../till/report_dialog.py" line="127" />
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
        <location filename="../till/sale_screen.py" line="147" />
        <source>Scan or type a barcode or PLU, then Enter</source>
        <translation>扫描或输入条码/PLU，按回车</translation>
    </message>
    <message>
        <location filename="../till/sale_screen.py" line="174" />
        <source>TOTAL</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../till/sale_screen.py" line="180" />
        <source>Items</source>
        <translation>件数</translation>
    </message>
    <message>
        <location filename="../till/sale_screen.py" line="181" />
        <source>Savings</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../till/sale_screen.py" line="182" />
        <source>incl. VAT</source>
        <translation>含税</translation>
    </message>
    <message>
        <location filename="../till/sale_screen.py" line="285" />
        <source>Member %1</source>
        <translation>会员 %1</translation>
    </message>
</context>
<context>
    <name>SalesCharts</name>
    <message>
        <location filename="../manager/sales_charts.py" line="69" />
        <source>Takings (yuan)</source>
        <translation>营业额（元）</translation>
    </message>
    <message>
        <location filename="../manager/sales_charts.py" line="78" />
        <source>Sales by hour</source>
        <translation>分时销售</translation>
    </message>
    <message>
        <location filename="../manager/sales_charts.py" line="90" />
        <source>Sales by category</source>
        <translation>分类销售</translation>
    </message>
    <message>
        <location filename="../manager/sales_charts.py" line="91" />
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
        <location filename="../widgets/status_bar.py" line="140" />
        <source>Disk full: no new sale can start, call support</source>
        <translation>磁盘已满：无法开始新交易，请联系技术支持</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="142" />
        <source>Disk almost full: call support</source>
        <translation>磁盘空间不足：请联系技术支持</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="150" />
        <source>Clock %1 ahead of HQ: set the time, payments fail beyond 5 min</source>
        <translation>时钟比总部快 %1：请校准时间，偏差超过 5 分钟将无法收款</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="152" />
        <source>Clock %1 behind HQ: set the time, payments fail beyond 5 min</source>
        <translation>时钟比总部慢 %1：请校准时间，偏差超过 5 分钟将无法收款</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="157" />
        <source>HQ link: not set up</source>
        <translation>总部连接：未配置</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="158" />
        <source>● Online</source>
        <translation>● 在线</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="158" />
        <source>○ Offline</source>
        <translation>○ 离线</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/status_bar.py" line="159" />
        <source>%n event(s) waiting</source>
        <translation><numerusform>%n 条待上传</numerusform></translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="161" />
        <source>oldest %1</source>
        <translation>最早 %1 前</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="164" />
        <source>last contact %1</source>
        <translation>最近联系 %1</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="166" />
        <source>no contact yet</source>
        <translation>尚未联系</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/status_bar.py" line="171" />
        <source>%n s</source>
        <translation><numerusform>%n 秒</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/status_bar.py" line="173" />
        <source>%n min</source>
        <translation><numerusform>%n 分钟</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/status_bar.py" line="174" />
        <source>%n h</source>
        <translation><numerusform>%n 小时</numerusform></translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="179" />
        <source>Scanner</source>
        <translation>扫描枪</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="179" />
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="179" />
        <source>Scale</source>
        <translation>电子秤</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="180" />
        <source>RFID</source>
        <translation>RFID</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="180" />
        <source>Shelf labels</source>
        <translation>电子价签</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="181" />
        <source>Customer display</source>
        <translation>顾客显示屏</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="214" />
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="215" />
        <source>paper out</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="216" />
        <source>paper low</source>
        <translation>纸将尽</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="217" />
        <source>cover open</source>
        <translation>盖子未关</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="218" />
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="219" />
        <source>error</source>
        <translation>故障</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="220" />
        <source>disconnected</source>
        <translation>已断开</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="221" />
        <source>not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="222" />
        <source>weight moving</source>
        <translation>重量不稳</translation>
    </message>
    <message>
        <location filename="../widgets/status_bar.py" line="223" />
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
        <location filename="../till/tender_view.py" line="80" />
        <source>Payments</source>
        <translation>付款记录</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="90" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="107" />
        <location filename="../till/tender_view.py" line="165" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="108" />
        <location filename="../till/tender_view.py" line="165" />
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="109" />
        <location filename="../till/tender_view.py" line="165" />
        <source>Mobile pay</source>
        <translation>移动支付</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="110" />
        <location filename="../till/tender_view.py" line="166" />
        <source>Stored value</source>
        <translation>储值卡</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="112" />
        <location filename="../till/tender_view.py" line="166" />
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="114" />
        <source>Back to sale</source>
        <translation>返回销售</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="128" />
        <source>Not an amount: %1</source>
        <translation>金额无效：%1</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="149" />
        <source>Total %1</source>
        <translation>合计 %1</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="150" />
        <source>Due %1</source>
        <translation>应付 %1</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="167" />
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="186" />
        <source>Next customer</source>
        <translation>下一位顾客</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="190" />
        <source>Scan for your e-receipt</source>
        <translation>扫码获取电子小票</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="201" />
        <source>Change %1</source>
        <translation>找零 %1</translation>
    </message>
    <message>
        <location filename="../till/tender_view.py" line="203" />
        <source>Receipt No. %1 · total %2</source>
        <translation>小票号 %1 · 合计 %2</translation>
    </message>
</context>
<context>
    <name>TillWindow</name>
    <message>
        <location filename="../till/till_app.py" line="121" />
        <source>Till %1 · %2</source>
        <translation>收银台 %1 · %2</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="178" />
        <source>Age OK</source>
        <translation>年龄确认</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="179" />
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="180" />
        <source>Void line</source>
        <translation>删除行</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="181" />
        <location filename="../till/till_app.py" line="457" />
        <location filename="../till/till_app.py" line="460" />
        <source>Price override</source>
        <translation>改价</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="182" />
        <location filename="../till/till_app.py" line="496" />
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="183" />
        <source>Suspend</source>
        <translation>挂单</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="184" />
        <location filename="../till/till_app.py" line="516" />
        <source>Resume</source>
        <translation>取单</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="185" />
        <location filename="../till/till_app.py" line="522" />
        <location filename="../till/till_app.py" line="534" />
        <location filename="../till/till_app.py" line="537" />
        <location filename="../till/till_app.py" line="539" />
        <source>Return</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="186" />
        <location filename="../till/till_app.py" line="653" />
        <source>No sale</source>
        <translation>开钱箱</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="187" />
        <source>Shift / X / Z</source>
        <translation>班次 / X / Z</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="188" />
        <location filename="../till/till_app.py" line="669" />
        <source>Cancel sale</source>
        <translation>取消交易</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="189" />
        <source>Pay</source>
        <translation>结账</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="190" />
        <source>Line discount</source>
        <translation>单品折扣</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="191" />
        <source>Order discount</source>
        <translation>整单折扣</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="192" />
        <source>Reprint</source>
        <translation>重印小票</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="193" />
        <source>Find product</source>
        <translation>查找商品</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="194" />
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="195" />
        <source>Code entry</source>
        <translation>条码输入</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="211" />
        <source>Cashier %1</source>
        <translation>收银员 %1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="213" />
        <source>TRAINING · %1</source>
        <translation>培训 · %1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="226" />
        <source>%1 · %2 · %3 points</source>
        <translation>%1 · %2 · %3 积分</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="226" />
        <location filename="../till/till_app.py" line="227" />
        <source>(unnamed)</source>
        <translation>（未登记姓名）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="233" />
        <source>silver</source>
        <translation>银卡</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="233" />
        <source>gold</source>
        <translation>金卡</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="234" />
        <source>diamond</source>
        <translation>钻石卡</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="265" />
        <source>Cancelled: no supervisor approval</source>
        <translation>已取消：无主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="287" />
        <source>Welcome, %1</source>
        <translation>欢迎，%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="311" />
        <source>Quantity %1 ×: scan or type the item</source>
        <translation>数量 %1 ×：请扫描或输入商品</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="364" />
        <source>This price needs a supervisor's approval</source>
        <translation>此价格需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="393" />
        <source>Weight</source>
        <translation>重量</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="393" />
        <source>Weight in kg (e.g. 0.532)</source>
        <translation>重量（公斤，例如 0.532）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="397" />
        <source>Weighing…</source>
        <translation>正在称重…</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="401" />
        <source>Scale: %1</source>
        <translation>电子秤：%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="415" />
        <source>Age check</source>
        <translation>年龄核验</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="416" />
        <source>Has the customer shown they are 18 or older?</source>
        <translation>顾客是否已出示证件证明年满 18 岁？</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="417" />
        <source>Age confirmed</source>
        <translation>已确认年龄</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="422" />
        <source>New quantity, then Enter (Esc: cancel)</source>
        <translation>输入新数量后按回车（Esc：取消）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="428" />
        <source>Changing a paid sale needs a supervisor</source>
        <translation>修改已付款交易需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="442" />
        <source>To remove the line, void it (F3)</source>
        <translation>要删除此行，请按删除行（F3）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="450" />
        <source>Voiding after payment started needs a supervisor</source>
        <translation>付款开始后删除商品需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="451" />
        <source>Line %1 voided</source>
        <translation>第 %1 行已删除</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="457" />
        <source>New unit price</source>
        <translation>新单价</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="460" />
        <location filename="../till/till_app.py" line="539" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="469" />
        <source>A price override needs a supervisor</source>
        <translation>改价需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="470" />
        <source>Price changed</source>
        <translation>价格已修改</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="476" />
        <source>Discount on line %1</source>
        <translation>第 %1 行折扣</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="481" />
        <location filename="../till/till_app.py" line="492" />
        <source>This discount is above your limit: a supervisor approves</source>
        <translation>折扣超出您的权限：需主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="482" />
        <location filename="../till/till_app.py" line="493" />
        <source>Discount given</source>
        <translation>已打折</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="487" />
        <source>Discount on the whole order</source>
        <translation>整单折扣</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="496" />
        <source>Member card, phone or QR code</source>
        <translation>会员卡号、手机号或会员码</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="498" />
        <source>Member identified</source>
        <translation>已识别会员</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="501" />
        <source>Sale suspended</source>
        <translation>交易已挂起</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="506" />
        <source>No suspended sales</source>
        <translation>没有挂单</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="511" />
        <source>%1 · cashier %2 · %3 items · %4</source>
        <translation>%1 · 收银员 %2 · %3 件 · %4</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="516" />
        <source>Suspended sales</source>
        <translation>挂单列表</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="518" />
        <source>Sale resumed</source>
        <translation>已取回挂单</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="522" />
        <source>Scan the receipt's QR code or type the sale id</source>
        <translation>扫描小票二维码或输入交易号</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="531" />
        <source>left</source>
        <translation>可退</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="534" />
        <source>Which item?</source>
        <translation>哪件商品？</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="537" />
        <source>Quantity to return</source>
        <translation>退货数量</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="549" />
        <location filename="../till/till_app.py" line="571" />
        <source>Returned: refund %1</source>
        <translation>已退货：退款 %1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="553" />
        <source>Returned: refund %1 · asking WeChat Pay/Alipay for the refund…</source>
        <translation>已退货：退款 %1 · 正在向微信支付/支付宝申请退款…</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="561" />
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="576" />
        <source>Refunded %1 to WeChat Pay/Alipay: the money goes back to the account the customer paid with</source>
        <translation>已退款 %1 至微信支付/支付宝：款项将退回顾客付款的账户</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="578" />
        <source>Refund %1 to WeChat Pay/Alipay not confirmed yet: it is retried automatically (X report)</source>
        <translation>退款 %1 至微信支付/支付宝尚未确认：系统会自动重试（见 X 报表）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="580" />
        <source>Refund %1 to WeChat Pay/Alipay refused: pay the customer another way, with a supervisor</source>
        <translation>退款 %1 至微信支付/支付宝被拒绝：请由主管以其他方式退款给顾客</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="586" />
        <source>Refund to WeChat Pay/Alipay not confirmed yet: it is retried automatically (X report)</source>
        <translation>退款至微信支付/支付宝尚未确认：系统会自动重试（见 X 报表）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="591" />
        <location filename="../till/till_app.py" line="596" />
        <source>Open shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="591" />
        <location filename="../till/till_app.py" line="601" />
        <source>X report</source>
        <translation>X 报表</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="591" />
        <source>Close shift (blind count)</source>
        <translation>交班（盲点现金）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="592" />
        <location filename="../till/till_app.py" line="622" />
        <source>Z report</source>
        <translation>Z 报表</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="593" />
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="593" />
        <source>What do you want to do?</source>
        <translation>请选择操作</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="596" />
        <source>Float in the drawer</source>
        <translation>钱箱备用金</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="599" />
        <source>Shift opened</source>
        <translation>已开班</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="603" />
        <source>Close shift</source>
        <translation>交班</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="604" />
        <source>Counted cash as denomination x pieces, e.g. 100x3 50x1 0.5x4</source>
        <translation>按面额x张数输入现金，例如 100x3 50x1 0.5x4</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="607" />
        <source>Shift closed</source>
        <translation>已交班</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="608" />
        <source>Counted %1, expected %2, over/short %3</source>
        <translation>实点 %1，应有 %2，长短款 %3</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="618" />
        <source>A Z report needs a supervisor</source>
        <translation>Z 报表需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="645" />
        <source>No receipt printer</source>
        <translation>没有小票打印机</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="649" />
        <source>Not printed: %1</source>
        <translation>未打印：%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="650" />
        <source>Printing</source>
        <translation>正在打印</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="653" />
        <source>Why open the drawer?</source>
        <translation>开钱箱原因？</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="655" />
        <source>Opening the drawer needs a supervisor</source>
        <translation>开钱箱需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="656" />
        <source>Drawer opened</source>
        <translation>钱箱已打开</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="669" />
        <source>Cancel the whole sale?</source>
        <translation>取消整笔交易？</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="671" />
        <source>Cancelling a sale needs a supervisor</source>
        <translation>取消交易需要主管授权</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="672" />
        <source>Sale cancelled</source>
        <translation>交易已取消</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="679" />
        <source>Nothing to pay for</source>
        <translation>没有待付款商品</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="701" />
        <source>Payments were taken: finish paying first</source>
        <translation>已有付款：请先完成付款</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="710" />
        <source>Present the card on the terminal…</source>
        <translation>请在刷卡终端上刷卡…</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="713" />
        <source>Card declined: %1</source>
        <translation>银行卡被拒：%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="718" />
        <source>Card or member number</source>
        <translation>卡号或会员号</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="722" />
        <source>Scan the customer's payment code</source>
        <translation>请扫描顾客付款码</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="734" />
        <source>Paid %1 by %2</source>
        <translation>已用%2支付 %1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="756" />
        <source>A payment is in progress: wait for it or press Esc</source>
        <translation>正在付款：请等待，或按 Esc 取消</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="773" />
        <source>Cancelling: waiting for the provider to answer…</source>
        <translation>正在取消：等待支付平台应答…</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="776" />
        <source>Cancelling the payment…</source>
        <translation>正在取消付款…</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="790" />
        <source>Waiting for the customer to confirm on the phone (Esc: cancel)</source>
        <translation>等待顾客在手机上确认付款（Esc：取消）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="808" />
        <source>Paid by payment code</source>
        <translation>已通过付款码收款</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="827" />
        <source>No receipt printer: offer the e-receipt</source>
        <translation>无小票打印机：请提供电子小票</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="834" />
        <source>Receipt not printed: %1</source>
        <translation>小票未打印：%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="837" />
        <source>Receipt queued: printer %1</source>
        <translation>小票已排队：打印机%1</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="839" />
        <source>Receipt printing</source>
        <translation>正在打印小票</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="870" />
        <source>A payment code: press Pay (F12) first</source>
        <translation>这是付款码：请先按结账（F12）</translation>
    </message>
    <message>
        <location filename="../till/till_app.py" line="873" />
        <source>Bad read: scan again</source>
        <translation>读码错误：请重新扫描</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../demo/screenshots.py" line="172" />
        <source>Member identified</source>
        <translation>已识别会员</translation>
    </message>
    <message>
        <location filename="../demo/screenshots.py" line="208" />
        <source>X report</source>
        <translation>X 报表</translation>
    </message>
    <message>
        <location filename="../demo/screenshots.py" line="213" />
        <source>Discount on line %1</source>
        <translation>第 %1 行折扣</translation>
    </message>
</context>
</TS>