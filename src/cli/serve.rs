//! `calinvite serve`: open the store, start the HTTP server, stop cleanly on SIGINT or
//! SIGTERM.
//!
//! With `--demo` an empty store gets a user `demo` (password `demo`), a calendar and an
//! API key, and the URLs to try are printed, so a new user sees a working server at once.

use super::{apikey, user};
use crate::app::App;
use crate::http::{server, tls};
use anyhow::{Context, Result};
use calinvite_storage::{Role, Store};
use clap::Args;
use std::sync::Arc;
use tokio::net::TcpListener;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides server.listen).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Create (or refresh) a demo account and print how to use it.
    #[arg(long)]
    pub demo: bool,
}

pub async fn run(args: ServeArgs, app: Arc<App>) -> Result<()> {
    let listen = app.config.server.listen.clone();
    let listener = TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let tls = if app.config.tls_enabled() {
        Some(tls::acceptor(&app.config.server.tls_cert, &app.config.server.tls_key)?)
    } else {
        None
    };
    if args.demo {
        demo(&app).await?;
    }
    tracing::info!(listen = %listen, tls = tls.is_some(), data = %app.config.server.data_dir.display(), "calinvite is serving");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let lmtp = if app.config.lmtp.listen.is_empty() {
        None
    } else {
        let addr = app.config.lmtp.listen.clone();
        let listener = TcpListener::bind(&addr)
            .await
            .with_context(|| format!("cannot listen for LMTP on {addr}"))?;
        let hostname = app.config.mail.domain();
        let config = crate::inbound::lmtp::LmtpConfig {
            hostname,
            max_message_bytes: usize::try_from(app.config.inbound.max_message_bytes).unwrap_or(usize::MAX),
            max_recipients: 100,
            idle_timeout: std::time::Duration::from_secs(300),
        };
        let deliver = Arc::new(crate::inbound::PipelineDelivery { app: app.clone() });
        tracing::info!(listen = %addr, "LMTP listener started");
        Some(tokio::spawn(crate::inbound::lmtp::serve(
            listener,
            config,
            deliver,
            stopped.clone(),
        )))
    };
    let webhooks = crate::webhooks::deliver::spawn(app.clone(), stopped.clone());
    let imap = if app.config.imap.host.is_empty() {
        None
    } else {
        let poller = crate::inbound::imap::Poller::new(&app.config.imap).context("starting the IMAP poller")?;
        tracing::info!(host = %app.config.imap.host, mailbox = %app.config.imap.mailbox, "IMAP poller started");
        Some(tokio::spawn(poller.run(app.clone(), stopped.clone())))
    };
    let senders = crate::outbound::sender::spawn(app.clone(), stopped);
    server::serve(app.clone(), listener, tls, shutdown_signal()).await;
    // Senders finish the message each is sending, then stop; what they hold is released.
    let _ = stop.send(true);
    if let Some(lmtp) = lmtp {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(30), lmtp).await;
    }
    let _ = tokio::time::timeout(std::time::Duration::from_secs(30), webhooks).await;
    // The poller finishes the message in hand (kept and marked, or left unmarked), logs out.
    if let Some(imap) = imap {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(30), imap).await;
    }
    if let Some(senders) = senders {
        for task in senders.tasks {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(30), task).await;
        }
        senders.finisher.abort();
    }
    let released = app
        .store
        .release_leases(&app.instance, calinvite_storage::now())
        .await?;
    tracing::info!(released, "outbox leases released; stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = ctrl_c => tracing::info!("SIGINT received"),
        _ = term => tracing::info!("SIGTERM received"),
    }
}

const DEMO_USER: &str = "demo";
const DEMO_EVENT_UID: &str = "calinvite-demo-event";
const DEMO_KEY_LABEL: &str = "demo";

async fn demo(app: &App) -> Result<()> {
    let store: &dyn Store = app.store.as_ref();
    let principal = match store.principal_by_name(DEMO_USER).await? {
        Some(p) => {
            // The key was shown once, at first start; replace it so the one printed works.
            for k in store.list_api_keys(p.id).await? {
                if k.label == DEMO_KEY_LABEL {
                    store.delete_api_key(p.id, k.id).await?;
                }
            }
            p
        }
        None => user::create_user(
            store,
            DEMO_USER,
            Some("Demo Organizer".into()),
            vec!["demo@example.com".into()],
            Role::Admin,
            "demo",
        )
        .await
        .context("creating the demo account")?,
    };
    let key = apikey::create(store, &principal, DEMO_KEY_LABEL).await?;
    demo_event(app, &principal).await?;
    let base = app.config.public_url();
    let code = store
        .event_by_uid(principal.id, DEMO_EVENT_UID)
        .await?
        .map(|e| e.public_code)
        .unwrap_or_default();
    let smtp_note = if app.config.smtp.host.is_empty() {
        "\n  (smtp.host is not set: invitations are queued, and sent once it is)"
    } else {
        ""
    };
    println!(
        "\ncalinvite demo is ready\n\
         \x20 user / password : demo / demo\n\
         \x20 CalDAV calendar : {base}/dav/calendars/demo/default/\n\
         \x20 CalDAV discovery: {base}/.well-known/caldav   (Apple Calendar, Thunderbird, DAVx5: server {base}/dav/)\n\
         \x20 Event page      : {base}/e/{code}   (campaign link: {base}/i/{code}?email=*|EMAIL|*)\n\
         \x20 API description : {base}/api/v1/openapi.json\n\
         \x20 API key         : {key}\n\
         \x20 Browse          : curl -u demo:demo -X PROPFIND -H 'Depth: 1' {base}/dav/calendars/demo/default/\n\
         \x20 Send an invite  : curl -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \\\n\
         \x20                     -d '{{\"recipients\":[{{\"email\":\"you@example.org\"}}]}}' \\\n\
         \x20                     {base}/api/v1/events/{DEMO_EVENT_UID}/invitations{smtp_note}\n"
    );
    use std::io::Write;
    let _ = std::io::stdout().flush();
    Ok(())
}

/// Puts a sample event in the demo calendar through the real CalDAV path (validation,
/// index, event registry), a week from now, so the printed Send API line works at once.
async fn demo_event(app: &App, principal: &calinvite_storage::Principal) -> Result<()> {
    let start = (calinvite_storage::now() / 3600 + 7 * 24) * 3600;
    let stamp = calinvite_imip::ical::format_utc;
    let body = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calinvite//demo//EN\r\nBEGIN:VEVENT\r\nUID:{DEMO_EVENT_UID}\r\n\
         DTSTAMP:{}\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:calinvite demo event\r\nLOCATION:Online\r\n\
         DESCRIPTION:A sample event created by calinvite serve --demo.\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        stamp(calinvite_storage::now()),
        stamp(start),
        stamp(start + 3600)
    );
    let resp = crate::dav_service::internal(
        app,
        principal,
        http::Method::PUT,
        &format!("/dav/calendars/{DEMO_USER}/default/{DEMO_EVENT_UID}.ics"),
        &[
            (http::header::CONTENT_TYPE, "text/calendar"),
            (http::header::IF_NONE_MATCH, "*"),
        ],
        bytes::Bytes::from(body),
    )
    .await;
    // 412: it exists from an earlier start, which is fine.
    if !(resp.status().is_success() || resp.status() == http::StatusCode::PRECONDITION_FAILED) {
        anyhow::bail!("storing the demo event failed with {}", resp.status());
    }
    Ok(())
}
