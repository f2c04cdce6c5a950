//! The HTML of the public pages: one layout (viewport, language, inline styles, a tiny
//! script that shows times in the viewer's zone) and a template per page. Everything
//! is inline, so a page needs nothing from elsewhere; every value is HTML-escaped.

pub const LAYOUT: &str = r##"<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>{{ title }}</title>
<style>
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans JP", sans-serif; line-height: 1.5; color: #1b1b1b; background: #ffffff; margin: 0; }
main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 1rem; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; color: #444444; }
dd { margin: 0; overflow-wrap: anywhere; }
.description { white-space: pre-line; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
input[type=email] { box-sizing: border-box; width: 100%; font-size: 1rem; padding: .6rem; border: 2px solid #555555; border-radius: 4px; }
button { margin-top: 1rem; font-size: 1rem; padding: .7rem 1.4rem; background: #0b57d0; color: #ffffff; border: 0; border-radius: 4px; cursor: pointer; }
button:hover { background: #0842a0; }
:focus-visible { outline: 3px solid #b3261e; outline-offset: 2px; }
.cancelled { text-decoration: line-through; color: #8a1c1c; }
.badge { color: #8a1c1c; font-weight: 700; }
.note { color: #444444; }
.error { color: #8a1c1c; font-weight: 600; }
fieldset { border: 1px solid #bbbbbb; border-radius: 4px; padding: .5rem 1rem; margin: 1rem 0; }
legend { font-weight: 600; padding: 0 .25rem; }
ul.events { list-style: none; padding: 0; margin: 0; }
ul.events li { padding: .5rem 0; border-bottom: 1px solid #dddddd; display: flex; gap: .5rem; align-items: baseline; }
ul.events li:last-child { border-bottom: 0; }
ul.events label, .choice { display: inline; font-weight: 400; margin: 0; }
.choice { display: flex; gap: .5rem; align-items: center; margin: .25rem 0; }
input[type=checkbox], input[type=radio] { width: 1.2rem; height: 1.2rem; }
</style>
</head>
<body>
<main>
{% block main %}{% endblock %}
</main>
<script>
(function () {
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var fmt = new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "medium", timeStyle: "short" });
    document.querySelectorAll("[data-start]").forEach(function (el) {
      if (!el.dataset.start || zone === el.dataset.tz) { return; }
      var s = new Date(el.dataset.start), e = new Date(el.dataset.end);
      var text = fmt.formatRange && e > s ? fmt.formatRange(s, e) : fmt.format(s);
      el.textContent = el.dataset.label + ": " + text + " (" + zone + ")";
      el.hidden = false;
    });
  } catch (err) { }
})();
</script>
</body>
</html>
"##;

/// The facts of one event (`ev`).
pub const DETAILS: &str = r##"<h1{% if ev.cancelled %} class="cancelled"{% endif %}>{{ ev.summary }}</h1>
{% if ev.cancelled %}<p class="badge" role="status">{{ t.event_cancelled }}</p>{% endif %}
<dl>
<dt>{{ t.when }}</dt>
<dd><span>{{ ev.when }}</span>{% if ev.start_iso %}<br><span class="note" data-start="{{ ev.start_iso }}" data-end="{{ ev.end_iso }}" data-tz="{{ ev.tz }}" data-label="{{ t.your_time }}" hidden></span>{% endif %}</dd>
{% if ev.location %}<dt>{{ t.where }}</dt><dd>{{ ev.location }}</dd>{% endif %}
</dl>
{% if ev.description %}<p class="description">{{ ev.description }}</p>{% endif %}
"##;

pub const EVENT: &str = r##"{% extends "layout.html" %}
{% block main %}
{% include "details.html" %}
{% if not ev.cancelled %}
<form method="post" action="{{ action }}">
<p>{{ t.will_one }}</p>
<label for="email">{{ t.email_label }}</label>
<input id="email" name="email" type="email" required autocomplete="email" inputmode="email" value="{{ email }}">
<button type="submit">{{ t.send_one }}</button>
</form>
{% endif %}
{% endblock %}
"##;

pub const GROUP: &str = r##"{% extends "layout.html" %}
{% block main %}
<h1>{{ group }}</h1>
{% if live == 0 %}<p class="badge" role="status">{{ t.nothing_left }}</p>{% endif %}
<form method="post" action="{{ action }}">
<fieldset>
<legend>{{ t.choose }}</legend>
<ul class="events">
{% for ev in events %}
<li>{% if ev.cancelled %}<span><span class="cancelled">{{ ev.summary }}</span> — {{ ev.when }} <span class="badge">{{ t.cancelled }}</span></span>
{% else %}<input type="checkbox" name="pick" value="{{ ev.code }}" id="pick-{{ loop.index }}" checked>
<span><label for="pick-{{ loop.index }}">{{ ev.summary }} — {{ ev.when }}{% if ev.location %}, {{ ev.location }}{% endif %}</label>{% if ev.start_iso %}<br><span class="note" data-start="{{ ev.start_iso }}" data-end="{{ ev.end_iso }}" data-tz="{{ ev.tz }}" data-label="{{ t.your_time }}" hidden></span>{% endif %}</span>{% endif %}</li>
{% endfor %}
</ul>
</fieldset>
{% if live > 0 %}
<p>{{ t.will_many }}</p>
<label for="email">{{ t.email_label }}</label>
<input id="email" name="email" type="email" required autocomplete="email" inputmode="email" value="{{ email }}">
<button type="submit">{{ t.send_many }}</button>
{% endif %}
</form>
{% endblock %}
"##;

/// The page a per-recipient link opens: mail scanners fetch links without running
/// scripts or posting forms, so only a browser sends.
pub const AUTOPOST: &str = r##"{% extends "layout.html" %}
{% block main %}
<h1>{{ t.get_title }}</h1>
<form id="autopost" method="post" action="{{ action }}">
<input type="hidden" name="e" value="{{ e }}">
<input type="hidden" name="n" value="{{ n }}">
<input type="hidden" name="l" value="{{ l }}">
<input type="hidden" name="s" value="{{ s }}">
<p role="status">{{ t.sending }}</p>
<p>{% if many %}{{ t.will_many }}{% else %}{{ t.will_one }}{% endif %}</p>
<button type="submit" id="send">{% if many %}{{ t.send_many }}{% else %}{{ t.send_one }}{% endif %}</button>
</form>
<script>document.getElementById("autopost").submit();</script>
{% endblock %}
"##;

pub const RSVP: &str = r##"{% extends "layout.html" %}
{% block main %}
{% include "details.html" %}
<form method="post" action="{{ action }}">
<fieldset>
<legend>{{ t.answer_title }}</legend>
{% for a in answers %}<label class="choice"><input type="radio" name="a" value="{{ a.value }}"{% if a.value == chosen %} checked{% endif %}> {{ a.label }}</label>
{% endfor %}
</fieldset>
<button type="submit">{{ t.answer_button }}</button>
</form>
{% endblock %}
"##;

/// A result or an error: a heading, what happened, and optionally what it concerned.
pub const MESSAGE: &str = r##"{% extends "layout.html" %}
{% block main %}
<h1>{{ title }}</h1>
<p id="outcome" data-outcome="{{ outcome }}" role="status"{% if error %} class="error"{% endif %}>{{ text }}{% if email %} <strong>{{ email }}</strong>{% endif %}</p>
{% if items %}<ul>{% for i in items %}<li>{{ i }}</li>{% endfor %}</ul>{% endif %}
{% if back %}<p><a href="{{ back }}">←</a></p>{% endif %}
{% endblock %}
"##;
