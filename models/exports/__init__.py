"""Files for owners: the ledger, purchases, members, vouchers and segments as CSV or XLSX
(:mod:`.datasets`).

It sits above marketing because a segment export reads marketing's segments, while
marketing reads report periods: one direction. Imports every room below it.
"""
