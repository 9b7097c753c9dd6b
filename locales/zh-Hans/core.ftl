core-cmd-start = 开始或重新开始
core-cmd-help = 我能做什么
core-help = 您可以使用以下功能：
    { $commands }
core-link-invalid = 此链接或二维码无效（可能已被更换或已使用）。
core-help-routine =
    🧾 <b>收银流程</b>
    1. 用手机相机扫描会员卡二维码（或发送 /checkout 加会员手机号或会员码）。
    2. 输入金额，选择品类，点“确认”：会员会收到小票。
    3. 核销兑换券：扫描兑换券二维码、发送它的照片或输入 /redeem 券码，然后确认。
core-help-section-staff = 收银
core-help-section-marketer = 营销
core-help-section-admin = 管理
core-help-section-member = 会员功能
