//! Public pages (no login): what recipients reach from invitations and campaigns.
//!
//! - `/e/{code}`: an event, with a form that sends its invitation to the address given;
//! - `/g/{code}`: a group (a team's season), sending all its events or those ticked;
//! - `/i/{code}`: campaign links, signed per recipient (`?e=&n=&l=&s=`) or carrying an
//!   email platform's merge tag (`?email=*|EMAIL|*`);
//! - `/r/{token}`: answering an invitation from the web (Yes / No / Maybe);
//! - `/u/{token}`: unsubscribing.
//!
//! Mail security scanners (Outlook Safe Links, Gmail) fetch every link in a message, so a
//! GET never changes anything: it shows a page whose form POSTs, and only the POST sends
//! or records. Sending takes the Send API's path (`outbound::invite`), so an address
//! already invited is never sent to twice.

pub mod event;
pub mod group;
pub mod invite;
pub mod rate;
pub mod rsvp;
pub mod sign;
mod templates;
pub mod text;
pub mod unsubscribe;
mod view;

use crate::app::App;
use crate::config::Config;
use crate::http::{Body, full};
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use minijinja::Environment;
use serde_json::{Value, json};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Largest form accepted (a group page's ticked events fit many times over).
const FORM_LIMIT: u64 = 64 * 1024;

/// What the pages keep between requests: the link key, the rate limits, the templates.
pub struct Pages {
    pub key: sign::LinkKey,
    per_ip: rate::Buckets,
    per_address: rate::Buckets,
    env: Environment<'static>,
}

impl Pages {
    pub fn new(config: &Config) -> Self {
        let mut env = Environment::new();
        // The sources are constants covered by tests; a failure cannot depend on input.
        for (name, source) in [
            ("layout.html", templates::LAYOUT),
            ("details.html", templates::DETAILS),
            ("event.html", templates::EVENT),
            ("group.html", templates::GROUP),
            ("autopost.html", templates::AUTOPOST),
            ("rsvp.html", templates::RSVP),
            ("message.html", templates::MESSAGE),
        ] {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "page template does not compile");
            }
        }
        Pages {
            key: sign::LinkKey::new(&config.links.secret, &config.server.data_dir),
            per_ip: rate::Buckets::new(config.links.rate_per_ip_per_minute, Duration::from_secs(60)),
            per_address: rate::Buckets::new(config.links.rate_per_address_per_hour, Duration::from_secs(3600)),
            env,
        }
    }

    /// Takes a send from both the client's and the address's bucket.
    fn allow_send(&self, ip: IpAddr, email: &str) -> bool {
        // Both are taken, so a client cycling through addresses still runs dry.
        let ip_ok = self.per_ip.take(&ip.to_string());
        let address_ok = self.per_address.take(email);
        ip_ok && address_ok
    }
}

/// Whether a path is one of the public pages.
pub fn is_page(path: &str) -> bool {
    ["/e/", "/g/", "/i/", "/r/"].iter().any(|p| path.starts_with(p))
}

/// One page request, read: its language, query and form.
pub struct PageRequest {
    pub method: Method,
    pub lang: &'static str,
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    pub ip: IpAddr,
    /// The path, to post forms back to.
    pub path: String,
}

impl PageRequest {
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn field(&self, key: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn fields<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.form.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

pub async fn handle(app: &App, req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let path = req.uri().path().to_string();
    let query = crate::http::form_pairs(req.uri().query().unwrap_or(""));
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let lang = text::negotiate(
        query.iter().find(|(k, _)| k == "lang").map(|(_, v)| v.as_str()),
        accept.as_deref(),
    );
    let method = req.method().clone();
    let form = if method == Method::POST {
        match crate::http::body::read_limited(req.into_body(), FORM_LIMIT).await {
            Ok(b) => crate::http::form_pairs(&String::from_utf8_lossy(&b)),
            Err(e) => {
                tracing::info!(reason = %e, "page form refused");
                return message(app, lang, StatusCode::PAYLOAD_TOO_LARGE, "error", "error", "error");
            }
        }
    } else {
        Vec::new()
    };
    let r = PageRequest {
        method: method.clone(),
        lang,
        query,
        form,
        ip: peer.ip(),
        path: path.clone(),
    };
    if !matches!(method, Method::GET | Method::HEAD | Method::POST) {
        let mut resp = message(app, lang, StatusCode::METHOD_NOT_ALLOWED, "error", "not_found", "error");
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST"));
        return resp;
    }
    let segment = |prefix: &str| -> Option<String> {
        let rest = path.strip_prefix(prefix)?;
        let rest = rest.trim_end_matches('/');
        (!rest.is_empty() && !rest.contains('/')).then(|| {
            percent_encoding::percent_decode_str(rest)
                .decode_utf8_lossy()
                .into_owned()
        })
    };
    if let Some(code) = segment("/e/") {
        event::handle(app, &r, &code).await
    } else if let Some(code) = segment("/g/") {
        group::handle(app, &r, &code).await
    } else if let Some(code) = segment("/i/") {
        invite::handle(app, &r, &code).await
    } else if let Some(token) = segment("/r/") {
        rsvp::handle(app, &r, &token).await
    } else {
        not_found(app, lang)
    }
}

/// Renders a page template with the language's texts as `t`.
pub fn render(app: &App, lang: &str, status: StatusCode, name: &str, mut ctx: Value) -> Response<Body> {
    if let Some(obj) = ctx.as_object_mut() {
        obj.insert("lang".into(), json!(lang));
        obj.insert("t".into(), text::texts(lang));
    }
    let rendered = app.pages.env.get_template(name).and_then(|t| t.render(&ctx));
    match rendered {
        Ok(body) => html(status, body),
        Err(e) => {
            tracing::error!(template = name, error = %e, "page failed to render");
            crate::http::router::plain(StatusCode::INTERNAL_SERVER_ERROR, "the page failed to render\n")
        }
    }
}

/// A message page: `title` and `text` are keys of the language's texts; `outcome` is a
/// machine-readable word (`sent`, `already`, `refused`, ...) for scripts and tests.
pub fn message(app: &App, lang: &str, status: StatusCode, outcome: &str, title: &str, text: &str) -> Response<Body> {
    message_with(app, lang, status, outcome, title, text, json!({}))
}

pub fn message_with(
    app: &App,
    lang: &str,
    status: StatusCode,
    outcome: &str,
    title: &str,
    text_key: &str,
    extra: Value,
) -> Response<Body> {
    let t = text::texts(lang);
    let word = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or(k).to_string();
    let mut ctx = json!({
        "title": word(title),
        "text": word(text_key),
        "outcome": outcome,
        "error": status.is_client_error() || status.is_server_error(),
    });
    if let (Some(obj), Value::Object(extra)) = (ctx.as_object_mut(), extra) {
        obj.extend(extra);
    }
    render(app, lang, status, "message.html", ctx)
}

pub fn not_found(app: &App, lang: &str) -> Response<Body> {
    message(app, lang, StatusCode::NOT_FOUND, "not-found", "not_found", "not_found")
}

pub fn store_trouble(app: &App, lang: &str, e: impl std::fmt::Display) -> Response<Body> {
    tracing::error!(error = %e, "page: store error");
    message(app, lang, StatusCode::SERVICE_UNAVAILABLE, "error", "error", "error")
}

fn html(status: StatusCode, body: String) -> Response<Body> {
    let mut resp = Response::new(full(body));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Pages depend on the link, the language and the store: never cached by proxies.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    resp
}

/// Whether the owner has an event in the group (a link to an empty group is refused).
pub async fn group_has_events(
    app: &App,
    owner: calinvite_storage::PrincipalId,
    group: &str,
) -> Result<bool, calinvite_storage::StoreError> {
    Ok(!view::group_events(app, owner, group).await?.is_empty())
}
