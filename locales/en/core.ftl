core-cmd-start = Start or restart
core-cmd-help = What I can do
core-help = Here is what you can do:
    { $commands }
core-link-invalid = This link or QR code is not valid (it may have been replaced or used up).
core-help-routine =
    🧾 <b>At the till</b>
    1. Scan the member's card QR with your phone camera (or /checkout with their phone or code).
    2. Type the amount, choose a category, press Confirm: the member gets a receipt.
    3. To redeem a voucher, scan its QR, send a photo of it, or type /redeem CODE, then Confirm.
core-help-section-staff = Till
core-help-section-marketer = Marketing
core-help-section-admin = Administration
core-help-section-member = As a member
