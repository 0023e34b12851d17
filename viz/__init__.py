"""Dashboard and reports: scenario → model → tables → charts, one job per module.

``figures`` (pure figure builders), ``controls`` (rule controls from the policy's metadata), ``data``
(the tables of a run, from a dashboard run or a store), ``jobs`` (background runs per browser
session), ``export`` (every chart by name; PNG, HTML, CSV), ``app`` (the Dash app and its wiring),
``layout`` (the page), ``clientside`` / ``run_callbacks`` / ``chart_callbacks`` / ``room_callbacks``
(callbacks by the tab they serve), ``report`` (static HTML), ``commands`` (``parksim dashboard`` and
``parksim report``).
"""
