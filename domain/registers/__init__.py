"""The registers the security rules require (Art. J39–J40, X22, X52, X53, X57), declared as
values: each register's fields, states and the steps that move an entry from one state to the next
(`base`), the four registers (`kinds`)."""
