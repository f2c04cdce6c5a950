//! `GET /api/v1/events/{uid}/stats` and `GET /api/v1/groups/{name}/stats`: how many
//! recipients answered what, where their invitations stand, and answers over time in
//! hourly buckets, read from every recipient's history a page at a time.

use super::list::all_events;
use super::show::answer_counts;
use super::{find_event, rfc3339};
use crate::api::json;
use crate::api::problem::{not_found, store_error};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::{DeliveryState, EventId, PartStat, Principal};
use http::{Response, StatusCode};
use std::collections::BTreeMap;

const PAGE: usize = 1000;

/// Counts over one or many events' recipients.
#[derive(Default)]
struct Tally {
    recipients: u64,
    answers: Vec<(PartStat, u64)>,
    delivery: BTreeMap<String, u64>,
    /// Hour start (UTC seconds) → answer → count of answers recorded in that hour.
    hours: BTreeMap<i64, BTreeMap<&'static str, u64>>,
}

impl Tally {
    fn add_answer(&mut self, s: PartStat) {
        match self.answers.iter_mut().find(|(p, _)| *p == s) {
            Some((_, n)) => *n += 1,
            None => self.answers.push((s, 1)),
        }
    }

    fn merge(&mut self, other: &Tally) {
        self.recipients += other.recipients;
        for (s, n) in &other.answers {
            for _ in 0..*n {
                self.add_answer(*s);
            }
        }
        for (k, n) in &other.delivery {
            *self.delivery.entry(k.clone()).or_default() += n;
        }
        for (hour, answers) in &other.hours {
            let slot = self.hours.entry(*hour).or_default();
            for (a, n) in answers {
                *slot.entry(a).or_default() += n;
            }
        }
    }

    fn json(&self) -> serde_json::Value {
        let mut delivery = serde_json::Map::new();
        for state in [
            DeliveryState::Queued,
            DeliveryState::Sent,
            DeliveryState::Deferred,
            DeliveryState::Failed,
            DeliveryState::Bounced,
            DeliveryState::Suppressed,
        ] {
            let key = delivery_str(state);
            delivery.insert(key.clone(), self.delivery.get(&key).copied().unwrap_or(0).into());
        }
        let buckets: Vec<serde_json::Value> = self
            .hours
            .iter()
            .map(|(hour, answers)| {
                serde_json::json!({
                    "hour": rfc3339(*hour),
                    "total": answers.values().sum::<u64>(),
                    "answers": answers,
                })
            })
            .collect();
        serde_json::json!({
            "recipients": self.recipients,
            "counts": answer_counts(&self.answers),
            "delivery": delivery,
            "buckets": buckets,
        })
    }
}

pub(crate) fn delivery_str(state: DeliveryState) -> String {
    format!("{state:?}").to_lowercase()
}

async fn tally(app: &App, event: EventId) -> Result<Tally, Response<Body>> {
    let mut t = Tally::default();
    let mut cursor: Option<String> = None;
    loop {
        let page = app
            .store
            .list_recipients(event, None, cursor.as_deref(), PAGE)
            .await
            .map_err(store_error)?;
        for r in &page.items {
            t.recipients += 1;
            t.add_answer(r.partstat);
            *t.delivery.entry(delivery_str(r.delivery)).or_default() += 1;
            for h in &r.history {
                let hour = h.recorded_at - h.recorded_at.rem_euclid(3600);
                *t.hours.entry(hour).or_default().entry(h.partstat.as_str()).or_default() += 1;
            }
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => return Ok(t),
        }
    }
}

pub async fn event(app: &App, principal: &Principal, uid: &str) -> Response<Body> {
    let event = match find_event(app, principal, uid).await {
        Ok(e) => e,
        Err(resp) => return resp,
    };
    let t = match tally(app, event.id).await {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    let mut v = t.json();
    v["uid"] = event.uid.into();
    json(StatusCode::OK, &v)
}

pub async fn group(app: &App, principal: &Principal, name: &str) -> Response<Body> {
    let all = match all_events(app, principal).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let members: Vec<_> = all.into_iter().filter(|e| e.groups.iter().any(|g| g == name)).collect();
    if members.is_empty() {
        return not_found(&format!("group `{name}`"));
    }
    let mut total = Tally::default();
    let mut events = Vec::with_capacity(members.len());
    for e in &members {
        let t = match tally(app, e.id).await {
            Ok(t) => t,
            Err(resp) => return resp,
        };
        total.merge(&t);
        events.push(serde_json::json!({
            "uid": e.uid,
            "summary": e.summary,
            "start": e.start.map(rfc3339),
            "cancelled": e.cancelled,
            "recipients": t.recipients,
            "counts": answer_counts(&t.answers),
        }));
    }
    let mut v = total.json();
    v["group"] = name.into();
    v["events"] = events.into();
    json(StatusCode::OK, &v)
}
