"""The dashboards' chart, card and table factories, one module per page (cockpit, warning_map,
asset_growth, screen) and the pieces they share (common). They take plain data (polars frames,
dicts, the region tree, booleans the callback decided) and return figures, components or HTML
strings: no callback context, no storage."""
