"""Forest-rights price and cost indexes (Art. X32): the samples (frames; sales and cost
observations, their imports and the platform's own transfers), the model reads (index, valuation)."""
