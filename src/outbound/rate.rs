//! A token bucket shared by every sender connection, so `smtp.rate_per_second` bounds what
//! the whole process hands to the SMTP server, however many connections it uses.

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimit {
    per_second: f64,
    state: Mutex<(f64, Instant)>,
}

impl RateLimit {
    /// `per_second == 0` means no limit.
    pub fn new(per_second: u32) -> Self {
        let per_second = f64::from(per_second);
        RateLimit {
            per_second,
            state: Mutex::new((per_second.min(1.0), Instant::now())),
        }
    }

    /// Waits until one message may go.
    pub async fn acquire(&self) {
        if self.per_second <= 0.0 {
            return;
        }
        loop {
            let wait = {
                let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                // At most one second of burst.
                s.0 = (s.0 + now.duration_since(s.1).as_secs_f64() * self.per_second).min(self.per_second.max(1.0));
                s.1 = now;
                if s.0 >= 1.0 {
                    s.0 -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - s.0) / self.per_second)
            };
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_rate_limit_spaces_messages_out() {
        let limit = RateLimit::new(50);
        let started = Instant::now();
        for _ in 0..26 {
            limit.acquire().await;
        }
        // 25 intervals of 20 ms after the first token.
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    }

    #[tokio::test]
    async fn zero_means_unlimited() {
        let limit = RateLimit::new(0);
        let started = Instant::now();
        for _ in 0..10_000 {
            limit.acquire().await;
        }
        assert!(started.elapsed() < Duration::from_millis(200));
    }
}
