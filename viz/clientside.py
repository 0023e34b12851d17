"""Callbacks that run in the browser (JavaScript): the tab's session id, the language switch,
replications of a scenario, projector mode and its slides, rule search."""

from __future__ import annotations

from dash import Dash, Input, Output, State

SESSION_JS = """function(_, sid) {
    if (sid) { return sid; }
    const c = window.crypto;
    if (c && c.randomUUID) { return c.randomUUID(); }
    const b = c.getRandomValues(new Uint8Array(16));
    return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
}"""


LANG_JS = """function(lang, current) {
    if (!lang || lang === current) { return window.dash_clientside.no_update; }
    localStorage.setItem('parksim-lang', lang);
    document.cookie = 'parksim_lang=' + lang + '; path=/; max-age=31536000; SameSite=Lax';
    window.location.reload();
    return lang;
}"""
# The scenario's own number of replications goes into the box in the browser, at once: a reply from the
# server arriving after the user typed a number would otherwise overwrite it.
REPLICATIONS_JS = """function(name, defaults) { return (defaults && name in defaults) ? defaults[name] :
    window.dash_clientside.no_update; }"""
# Projector mode: a class on <body> (CSS makes all text, chart text too, 16 px or more and shows one
# chart at a time) and the n-th chart of the time series shown; re-applied when a tab is opened.
PROJECTOR_JS = """function(mode, slide, tab) {
    const on = (mode || []).includes('on');
    document.body.classList.toggle('projector', on);
    setTimeout(() => {
        const cards = Array.from(document.querySelectorAll('#fans > .card'));
        const k = ((slide || 0) % cards.length + cards.length) % cards.length;
        cards.forEach((c, i) => c.classList.toggle('current', i === k));
        window.dispatchEvent(new Event('resize'));
    }, 100);
    return on;
}"""
SLIDE_JS = """function(prev, next, slide) {
    const step = window.dash_clientside.callback_context.triggered_id === 'slide-prev' ? -1 : 1;
    return (slide || 0) + step;
}"""
# Rule search in a guided card: show the rules whose text (id, plain name, explanation) has the words,
# and open "more rules" while searching.
SEARCH_JS = """function(text, id) {
    const card = document.getElementById(id.replace('g-search-', 'g-rules-'));
    if (!card) { return 'search'; }
    const words = (text || '').toLowerCase().split(/\\s+/).filter(w => w);
    card.querySelectorAll('.rule').forEach(r => {
        const t = r.textContent.toLowerCase();
        r.style.display = words.every(w => t.includes(w)) ? '' : 'none';
    });
    const more = card.querySelector('details.more-rules');
    if (more && words.length) { more.open = true; }
    return 'search';
}"""




def register(app: Dash) -> None:
    """Register the browser-side callbacks on ``app``."""
    app.clientside_callback(SESSION_JS, Output("session", "data"), Input("session", "modified_timestamp"),
                            State("session", "data"))
    app.clientside_callback(LANG_JS, Output("page-lang", "data"), Input("lang", "value"), State("page-lang", "data"),
                            prevent_initial_call=True)
    app.clientside_callback(REPLICATIONS_JS, Output("replications", "value"), Input("scenario", "value"),
                            State("scenario-replications", "data"), prevent_initial_call=True)
    app.clientside_callback(PROJECTOR_JS, Output("projector-applied", "data"), Input("projector", "value"),
                            Input("slide", "data"), Input("tabs", "value"))
    app.clientside_callback(SLIDE_JS, Output("slide", "data"), Input("slide-prev", "n_clicks"),
                            Input("slide-next", "n_clicks"), State("slide", "data"), prevent_initial_call=True)
    for card in "AB":
        app.clientside_callback(SEARCH_JS, Output(f"g-search-{card}", "className"), Input(f"g-search-{card}", "value"),
                                State(f"g-search-{card}", "id"), prevent_initial_call=True)
