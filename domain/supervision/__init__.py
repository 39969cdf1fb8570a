"""Supervision (监督预警, Art. J31, J41) in plain Python: the rules as data (`rules/`), the life of a
warning from raising to closing (`lifecycle`), the village rating from its open warnings (`rating`)
and the working-day calendar the deadlines count in (`workdays`)."""
