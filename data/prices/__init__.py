"""Storage and reads of the forest-rights price and cost index models (Art. X32): the samples (sales
and cost observations, their imports and the platform's own transfers), the model reads and the
valuation helper's."""
