//! `GET /api/v1/events/{uid}/recipients.csv`: every recipient with their answer, streamed
//! page by page from the store, so an event with 100,000 recipients is exported without
//! holding them all in memory.

use super::find_event;
use super::rfc3339;
use super::stats::delivery_str;
use crate::app::App;
use crate::http::{Body, channel};
use bytes::Bytes;
use calinvite_storage::{EventId, Principal, Recipient, Store};
use http::{HeaderValue, Response, header};
use std::sync::Arc;

const PAGE: usize = 1000;
const HEADER: [&str; 8] = [
    "email",
    "name",
    "lang",
    "status",
    "delivery",
    "answered_at",
    "comment",
    "occurrences",
];

pub async fn handle(app: &App, principal: &Principal, uid: &str) -> Response<Body> {
    let event = match find_event(app, principal, uid).await {
        Ok(e) => e,
        Err(resp) => return resp,
    };
    let (tx, body) = channel(4);
    let store = app.store.clone();
    let span = tracing::info_span!("csv_export", uid = %event.uid);
    tokio::spawn(tracing::Instrument::instrument(
        async move {
            if let Err(e) = produce(store, event.id, tx).await {
                tracing::warn!(error = %e, "CSV export stopped");
            }
        },
        span,
    ));
    let mut resp = Response::new(body);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let file: String = uid
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}-recipients.csv\"")) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error("store: {0}")]
    Store(#[from] calinvite_storage::StoreError),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("the client went away")]
    Gone,
}

async fn produce(
    store: Arc<dyn Store>,
    event: EventId,
    tx: tokio::sync::mpsc::Sender<Bytes>,
) -> Result<(), ExportError> {
    let mut header = csv::Writer::from_writer(Vec::new());
    header.write_record(HEADER)?;
    let header = header.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    tx.send(Bytes::from(header)).await.map_err(|_| ExportError::Gone)?;
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_recipients(event, None, cursor.as_deref(), PAGE).await?;
        // One writer per page: its rows are one chunk of the body.
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in &page.items {
            w.write_record(row(r))?;
        }
        let chunk = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
        if !chunk.is_empty() {
            tx.send(Bytes::from(chunk)).await.map_err(|_| ExportError::Gone)?;
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => return Ok(()),
        }
    }
}

/// One recipient's row. `answered_at` and `comment` are from the newest answer recorded.
fn row(r: &Recipient) -> [String; 8] {
    let last = r.history.iter().max_by_key(|h| h.recorded_at);
    let occurrences: Vec<String> = r
        .occurrences
        .iter()
        .map(|(rid, s)| format!("{rid}={}", s.as_str()))
        .collect();
    [
        r.email.clone(),
        r.name.clone().unwrap_or_default(),
        r.lang.clone().unwrap_or_default(),
        r.partstat.as_str().to_string(),
        delivery_str(r.delivery),
        last.map(|h| rfc3339(h.recorded_at)).unwrap_or_default(),
        last.and_then(|h| h.comment.clone()).unwrap_or_default(),
        occurrences.join(";"),
    ]
}
