//! Unsubscribing from invitations: `GET /u/{token}` shows a confirmation page with a
//! button; `POST /u/{token}` (the button, or a mail client's RFC 8058 one-click POST)
//! puts the address on the suppression list. The token is the recipient's own secret, so
//! nobody can unsubscribe somebody else.

use crate::app::App;
use crate::http::{Body, full};
use calinvite_storage::SuppressionReason;
use http::{HeaderValue, Method, Response, StatusCode, header};

pub async fn handle(app: &App, method: &Method, token: &str) -> Response<Body> {
    let recipient = match app.store.recipient_by_token(token).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            return page(
                StatusCode::NOT_FOUND,
                "Link not valid",
                "This unsubscribe link is not valid.",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "unsubscribe: store error");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "Please try again in a minute.",
            );
        }
    };
    match *method {
        Method::POST => match app
            .store
            .suppress(
                &recipient.email,
                SuppressionReason::Unsubscribe,
                Some("unsubscribe link".into()),
            )
            .await
        {
            Ok(()) => {
                tracing::info!(recipient = %recipient.email, "unsubscribed");
                page(
                    StatusCode::OK,
                    "Unsubscribed",
                    "You will not receive further invitations at this address.",
                )
            }
            Err(e) => {
                tracing::error!(error = %e, "unsubscribe: store error");
                page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Try again",
                    "Please try again in a minute.",
                )
            }
        },
        Method::GET | Method::HEAD => page_with_form(),
        _ => page(
            StatusCode::METHOD_NOT_ALLOWED,
            "Not allowed",
            "Use the button on the page.",
        ),
    }
}

fn page_with_form() -> Response<Body> {
    html(
        StatusCode::OK,
        "Unsubscribe",
        "<p>Stop receiving event invitations at this address?</p>\
         <form method=\"post\"><button type=\"submit\">Unsubscribe</button></form>",
    )
}

fn page(status: StatusCode, title: &str, text: &str) -> Response<Body> {
    html(status, title, &format!("<p>{text}</p>"))
}

fn html(status: StatusCode, title: &str, inner: &str) -> Response<Body> {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><main><h1>{title}</h1>{inner}</main></body></html>"
    );
    let mut resp = Response::new(full(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}
