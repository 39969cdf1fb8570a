"""The big screen's rotating panels (id, title), shared by its page and its callbacks."""
PANELS = [("screen-panel-map", "区域分布"), ("screen-panel-trend", "月度趋势"), ("screen-panel-rank", "收益排名"),
          ("screen-panel-growth", "资产构成")]
