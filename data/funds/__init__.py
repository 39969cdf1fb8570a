"""Funds (资金管理) in the system of record, one module per part of the work; the rules are
`domain/funds/`. Every read takes the caller's `Actor` and sees only its jurisdiction (through
`data.scoped`); every write is one transaction with its security-log entry; a step on a record
changed since the caller read it is refused (optimistic locking), and a refusal changes nothing.

- `requests`: the cashier's payment and receipt requests, the two approvals, posting as a voucher.
- `books`: organisations, cash and bank accounts and their balances, the level-2 base data.
- `vouchers`: manual vouchers (记账凭证) and the voucher list.
- `closing`: month close (结账) and reopening (反结账).
- `statements`: bank statement import, matching and the 余额调节表.
- `ledger`: what these share: writing a voucher, the ledger lines of an account, the log entry.
"""
