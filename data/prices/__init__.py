"""Forest-rights price and cost indexes: the samples (frames), the model reads (index, valuation)."""
