"""Store tests of the marketer tools: campaigns, rewards, coupons, referrals."""
