"""Supervision warnings' storage: `store` (the scoped list and one warning's detail), `handling`
(the lifecycle steps and the escalation of overdue warnings), `analysis` (the heatmap page's frame
and aggregations) and `engine` (runs the rules of domain/supervision/rules/ and stores what they find)."""
