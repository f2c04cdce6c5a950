//! Rate limits for the public pages: a token bucket per client IP and per address.
//!
//! The buckets live in memory: they guard against a script hammering the form, not
//! against a determined attacker across restarts, and the store is spared a write per
//! click. Only requests that would send count; reading a page is free. The map is
//! bounded: when it grows past `MAX_KEYS`, full buckets (idle keys) are dropped.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MAX_KEYS: usize = 100_000;

pub struct Buckets {
    capacity: f64,
    per_second: f64,
    map: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Buckets {
    /// `capacity` takes per `period`, refilled evenly.
    pub fn new(capacity: u32, period: Duration) -> Self {
        let capacity = f64::from(capacity.max(1));
        Buckets {
            capacity,
            per_second: capacity / period.as_secs_f64().max(1.0),
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`; false when the bucket is empty.
    pub fn take(&self, key: &str) -> bool {
        self.take_at(key, Instant::now())
    }

    fn take_at(&self, key: &str, now: Instant) -> bool {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS {
            let (cap, rate) = (self.capacity, self.per_second);
            map.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < cap);
        }
        let (tokens, at) = map.entry(key.to_string()).or_insert((self.capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_and_refills_with_time() {
        let b = Buckets::new(2, Duration::from_secs(60));
        let t = Instant::now();
        assert!(b.take_at("a", t));
        assert!(b.take_at("a", t));
        assert!(!b.take_at("a", t));
        assert!(b.take_at("b", t), "keys are independent");
        assert!(b.take_at("a", t + Duration::from_secs(31)));
    }
}
