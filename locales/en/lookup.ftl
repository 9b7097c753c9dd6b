# The till's member lookup (/checkout, /member) when a phone number matches several members.
till-find-ambiguous = Several members have a phone number ending in these digits. Choose one, or send the full number or the member code.
till-find-candidate = { $name } · { $phone }
