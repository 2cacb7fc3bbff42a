""""Min position": a tiny two-way component (Streamlit components v2, inline JS, no CDN).

A big button asks the browser for one position (``navigator.geolocation``, high accuracy,
20 s timeout, no cached fix) and sends ``{lat, lon, accuracy}`` -- or ``{error, message}`` --
back to Python as the trigger value ``fix``. Labels come in as ``data`` and are set with
``textContent`` (never parsed as HTML). The browser allows geolocation only on a secure origin:
HTTPS, or ``localhost``/``127.0.0.1``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

_HTML = """<div class="geo"><button type="button" class="geo-btn"></button>
<span class="geo-msg" aria-live="polite"></span></div>"""

_CSS = """
.geo { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.geo-btn { min-height: 56px; min-width: 180px; padding: 0 20px; font-size: 1.1rem;
  border-radius: 10px; border: 2px solid var(--st-primary-color, #0b5394);
  background: #fff; color: var(--st-primary-color, #0b5394); cursor: pointer;
  touch-action: manipulation; }
.geo-btn:disabled { opacity: .6; }
.geo-msg { font-size: 1rem; }
"""

_JS = """
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const btn = parentElement.querySelector('.geo-btn');
  const msg = parentElement.querySelector('.geo-msg');
  btn.textContent = data.label;
  btn.onclick = () => {
    if (!('geolocation' in navigator)) {
      setTriggerValue('fix', { error: 'unsupported', message: '' });
      return;
    }
    btn.disabled = true;
    msg.textContent = data.searching;
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        btn.disabled = false;
        msg.textContent = '';
        setTriggerValue('fix', { lat: pos.coords.latitude, lon: pos.coords.longitude,
                                 accuracy: pos.coords.accuracy, at: Date.now() });
      },
      (err) => {
        btn.disabled = false;
        msg.textContent = '';
        setTriggerValue('fix', { error: String(err.code), message: String(err.message || ''),
                                 at: Date.now() });
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  };
}
"""


@st.cache_resource(show_spinner=False)
def _component() -> Any:
    return st.components.v2.component("mapapp_geolocation", html=_HTML, css=_CSS, js=_JS)


def geolocation_button(key: str, *, label: str, searching: str) -> dict[str, Any] | None:
    """The button; returns the fix (``lat``, ``lon``, ``accuracy`` in metres) or
    ``{"error": code}`` in the run that the browser answered, else None."""
    result = _component()(key=key, data={"label": label, "searching": searching},
                          on_fix_change=lambda: None, height="content")
    fix = getattr(result, "fix", None)
    return fix if isinstance(fix, dict) else None
