//! Response bodies, and reading request bodies within the configured limit.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited, combinators::BoxBody};
use std::convert::Infallible;

pub type Body = BoxBody<Bytes, Infallible>;

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("request body is larger than {0} bytes")]
    TooLarge(u64),
    #[error("cannot read the request body: {0}")]
    Read(String),
}

/// Reads the whole body, refusing it once it passes `limit` bytes (whatever
/// Content-Length claims), so a client cannot make the server buffer without bound.
pub async fn read_limited(body: hyper::body::Incoming, limit: u64) -> Result<Bytes, BodyError> {
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    match Limited::new(body, limit_usize).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(BodyError::TooLarge(limit)),
        Err(e) => Err(BodyError::Read(e.to_string())),
    }
}
