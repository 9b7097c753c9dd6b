"""Files people open in a spreadsheet: one safe way to write them, bounded ways to read them.

Every CSV and XLSX jifen writes (exports, rejected import rows, coupon lists) goes through
:mod:`.writing`: CSV is UTF-8 with a BOM (Excel shows Chinese correctly), XLSX cells that
hold text are written as text, and a text cell that a spreadsheet would run as a formula
(it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: OWASP's rule) is
neutralised with a leading apostrophe. Characters XLSX cannot hold are replaced, and a
cell is cut at the 32,767 characters a spreadsheet cell holds. Reading imports is bounded
by :mod:`.reading` (file size, unpacked size, rows, columns, cell length).

Imports no other room: every room that writes a file may use it.
"""
