"""Consent: every message the bot starts has a class, and each class one audience rule
(DESIGN.md, "Messages the bot starts"): transactional always, service unless
notifications are off, marketing only with marketing consent and with a way to stop it."""
