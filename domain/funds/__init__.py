"""Funds (资金管理) rules, plain Python; the storage layer (`data/funds/`) applies them inside one
transaction per write.

Workflow (吉林 platform practice, SPEC §1): the village cashier (报账员) enters a payment or
receipt request; the village secretary (理事长) and then the supervisory-board chair (监事长)
approve it; the township agent accountant (代理会计) posts it as a voucher. A payment at or above
the organisation's decision threshold cites a passed meeting resolution (四议两公开). Nobody
approves or posts their own request.

- `parsing`: amounts typed in yuan (exact, to the fen) and months.
- `requests`: what a request must contain, the approval steps, the resolution it cites, the
  voucher posting it writes.
- `vouchers`: manual vouchers (记账凭证) of 2–10 lines whose debits equal their credits.
- `books`: cash and bank accounts, the level-2 base data derived from the books (Art. J11).
- `statements`: bank statement CSVs, matching them to the books, the 余额调节表.
- `chart`: the 2023 chart of accounts of village collective economic organisations.
"""
