# 收银台查找会员（/checkout、/member）时手机号匹配到多位会员。
till-find-ambiguous = 有多位会员的手机号以这些数字结尾。请选择一位，或发送完整手机号或会员码。
till-find-candidate = { $name } · { $phone }
