"""What people scan or type: random tokens, human voucher codes, deep-link payloads
(:mod:`.tokens`) and QR codes read from pictures (:mod:`.qr_reading`).

Imports no other room.
"""
