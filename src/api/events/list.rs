//! `GET /api/v1/events` (the principal's events, filtered, a page at a time) and
//! `GET /api/v1/groups` (their groups with event counts).
//!
//! The store pages events by id; filters are applied in memory. Each store page asked for
//! is only as long as the items still missing, so a page never holds more matches than
//! the response takes and the store's cursor after it is exactly where the next response
//! continues: no event is skipped or listed twice, whatever the filters.

use super::{calendar_path, find_calendar, query_pairs, summary_json};
use crate::api::json;
use crate::api::problem::{bad_request, store_error};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::{CollectionId, EventRecord, Principal};
use http::{Response, StatusCode};
use std::collections::{BTreeMap, HashMap};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;
/// Most groups in one page (and the default).
const MAX_GROUP_PAGE: usize = 500;
/// Page size when every event must be read (groups, group stats).
pub(crate) const SCAN_PAGE: usize = 500;

pub async fn events(app: &App, principal: &Principal, query: Option<&str>) -> Response<Body> {
    let (mut calendar, mut group, mut from, mut to, mut cursor, mut limit) =
        (None, None, None, None, None, DEFAULT_LIMIT);
    for (k, v) in query_pairs(query) {
        match k.as_str() {
            "calendar" => calendar = Some(v),
            "group" => group = Some(v),
            "from" | "to" => match parse_bound(&v) {
                Some(t) if k == "from" => from = Some(t),
                Some(t) => to = Some(t),
                None => {
                    return bad_request(format!(
                        "{k} `{v}` is not a date (2026-04-01) or RFC 3339 time (2026-04-01T00:00:00Z)"
                    ));
                }
            },
            "cursor" => cursor = Some(v),
            "limit" => match v.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => limit = n,
                _ => return bad_request(format!("limit must be a number from 1 to {MAX_LIMIT}")),
            },
            _ => {
                return bad_request(format!(
                    "unknown query parameter `{k}`; use calendar, group, from, to, cursor or limit"
                ));
            }
        }
    }
    let calendar_id = match &calendar {
        Some(name) => match find_calendar(app, principal, name).await {
            Ok(c) => Some(c.id),
            Err(resp) => return resp,
        },
        None => None,
    };
    let keep = |e: &EventRecord| {
        !e.cancelled
            && calendar_id.is_none_or(|c| e.collection == c)
            && group.as_ref().is_none_or(|g| e.groups.contains(g))
            && from.is_none_or(|f| e.start.is_some_and(|s| s >= f))
            && to.is_none_or(|t| e.start.is_some_and(|s| s < t))
    };
    let mut items = Vec::new();
    let mut next = cursor;
    loop {
        let want = limit - items.len();
        let page = match app.store.list_events(principal.id, next.as_deref(), want).await {
            Ok(p) => p,
            Err(e) => return store_error(e),
        };
        items.extend(page.items.into_iter().filter(keep));
        next = page.next;
        if items.len() >= limit || next.is_none() {
            break;
        }
    }
    let mut paths: HashMap<CollectionId, String> = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    for e in &items {
        if let std::collections::hash_map::Entry::Vacant(slot) = paths.entry(e.collection) {
            match calendar_path(app, e.collection).await {
                Ok(p) => slot.insert(p),
                Err(resp) => return resp,
            };
        }
        let path = paths.get(&e.collection).map(String::as_str).unwrap_or("");
        out.push(summary_json(principal, e, path));
    }
    json(
        StatusCode::OK,
        &serde_json::json!({ "items": out, "next_cursor": next }),
    )
}

/// The principal's groups by name, a page at a time (`cursor` is the last name seen).
pub async fn groups(app: &App, principal: &Principal, query: Option<&str>) -> Response<Body> {
    let q = match crate::api::page::parse(query, MAX_GROUP_PAGE, MAX_GROUP_PAGE, &[]) {
        Ok(q) => q,
        Err(detail) => return bad_request(detail),
    };
    let all = match all_events(app, principal).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for e in all.iter().filter(|e| !e.cancelled) {
        for g in &e.groups {
            *counts.entry(g.as_str()).or_default() += 1;
        }
    }
    let counts: Vec<(String, u64)> = counts.into_iter().map(|(n, c)| (n.to_string(), c)).collect();
    let (counts, next) = match crate::api::page::slice(counts, |(n, _)| n.clone(), q.cursor.as_deref(), q.limit) {
        Ok(page) => page,
        Err(detail) => return crate::api::problem::bad_request(detail),
    };
    let items: Vec<serde_json::Value> = counts
        .into_iter()
        .map(|(name, events)| serde_json::json!({ "name": name, "events": events }))
        .collect();
    json(StatusCode::OK, &crate::api::page::body(items, next))
}

/// Every event of the principal, page by page.
pub(crate) async fn all_events(app: &App, principal: &Principal) -> Result<Vec<EventRecord>, Response<Body>> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = app
            .store
            .list_events(principal.id, cursor.as_deref(), SCAN_PAGE)
            .await
            .map_err(store_error)?;
        all.extend(page.items);
        match page.next {
            Some(n) => cursor = Some(n),
            None => return Ok(all),
        }
    }
}

/// A range bound: a date (midnight UTC) or an RFC 3339 time.
fn parse_bound(s: &str) -> Option<i64> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp());
    }
    // An unencoded `+09:00` in a query string arrives as ` 09:00`.
    chrono::DateTime::parse_from_rfc3339(s)
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(&s.replace(' ', "+")))
        .ok()
        .map(|d| d.timestamp())
}
