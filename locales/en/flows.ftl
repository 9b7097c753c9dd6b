# Flows and confirm steps (handlers/flows.py): presses that lost, typed text at a button step.
flow-use-buttons = Please use the buttons below to go on (or Cancel).
flow-action-cancelled = This was cancelled. Nothing was changed.
flow-action-expired = This confirmation has expired. Nothing was changed; please start again.
flow-action-stale = This button belongs to an older message. Please use the newest one.
flow-action-in-progress = Already on it, one moment…
flow-confirmed = ✅ Confirmed.
