# 营销工具：活动、奖励目录、优惠券批次、推荐。
# 以 parse_mode=HTML 发送：& < > 需写作 &amp; &lt; &gt;。

marketing-referral-rewarded = 🤝 你的好友 { $friend } 完成了首次消费：你获得 <b>{ $points } 奖励积分</b>。余额：{ $balance }。
