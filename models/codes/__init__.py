"""What people scan or type: random tokens, human voucher codes, deep-link payloads
(:mod:`.tokens`), QR codes read from pictures (:mod:`.qr_reading`), and the font that
prints them with Chinese letters (:mod:`.fonts`).

Imports no other room.
"""
