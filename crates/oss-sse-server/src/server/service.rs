//! The request pipeline: target → operation → authentication → authorization → handler, and the headers
//! every response carries (`x-oss-request-id`, `Date`, `Server`), with errors rendered as OSS renders them.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::FutureExt as _;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, DATE, HOST, SERVER};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use oss_sse_core::time::Timestamp;

use super::body::{self, Body};
use super::route::{self, Op, Target};
use super::{auth, ops, State};
use crate::error::ApiError;
use crate::ids;
use crate::storage::{Store, StoreError};
use crate::users::Principal;

/// The current time as the verifier and the records see it.
pub fn now() -> Timestamp {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Timestamp::from_unix(secs)
}

/// Everything a handler knows about its request.
pub struct Ctx {
    /// Shared server state.
    pub state: Arc<State>,
    /// The method.
    pub method: Method,
    /// The request headers.
    pub headers: HeaderMap,
    /// Headers as text pairs (what the verifier and the SSE rules read).
    pub header_pairs: Vec<(String, String)>,
    /// Bucket, key and query.
    pub target: Target,
    /// The operation.
    pub op: Op,
    /// The authenticated caller.
    pub principal: Principal,
    /// This request's id.
    pub request_id: String,
    /// The request time.
    pub now: Timestamp,
}

impl Ctx {
    /// The bucket (handlers of bucket and object operations only run when there is one).
    pub fn bucket(&self) -> &str {
        self.target.bucket.as_deref().unwrap_or("")
    }

    /// The key (object operations only run when there is one).
    pub fn key(&self) -> &str {
        self.target.key.as_deref().unwrap_or("")
    }

    /// A request header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Maps a store error in this request's context.
    pub fn store_error(&self, e: StoreError) -> ApiError {
        ApiError::from_store(e, self.bucket(), self.target.key.as_deref())
    }

    /// Runs a store call on a blocking thread.
    pub async fn store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let store = self.state.store.clone();
        match tokio::task::spawn_blocking(move || f(&store)).await {
            Ok(r) => r.map_err(|e| self.store_error(e)),
            Err(e) => {
                tracing::error!(error = %e, "store task failed");
                Err(ApiError::internal())
            }
        }
    }

    /// The RAM resource of an object in this request's account.
    pub fn resource(&self, bucket: &str, key: Option<&str>) -> String {
        auth::resource(
            &self.state.region,
            self.state.directory.account_id(),
            Some(bucket),
            key,
        )
    }
}

/// Header pairs as text; values that are not UTF-8 are decoded lossily (they can then only fail to
/// verify, never crash).
pub fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Serves one request; never fails and never panics outward (a panic in a handler becomes a 500).
pub async fn handle(state: Arc<State>, req: Request<Incoming>) -> Response<Body> {
    let request_id = ids::request_id();
    let now = now();
    let head = req.method() == Method::HEAD;
    let host_id = req
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let outcome = std::panic::AssertUnwindSafe(dispatch(state, req, request_id.clone(), now))
        .catch_unwind()
        .await;
    let mut resp = match outcome {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => error_response(&e, &request_id, &host_id, head),
        Err(_) => {
            tracing::error!("handler panicked");
            error_response(&ApiError::internal(), &request_id, &host_id, head)
        }
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert(HeaderName::from_static("x-oss-request-id"), v);
    }
    if let Ok(v) = HeaderValue::from_str(&now.to_rfc1123()) {
        h.insert(DATE, v);
    }
    h.insert(SERVER, HeaderValue::from_static("AliyunOSS"));
    resp
}

/// An error response: the XML body, or for HEAD (which has none) the same document in `x-oss-err`.
pub fn error_response(e: &ApiError, request_id: &str, host_id: &str, head: bool) -> Response<Body> {
    let se = e.to_service_error(request_id, host_id);
    let xml = se.to_xml();
    let mut resp = Response::new(if head {
        body::empty()
    } else {
        body::full(xml.clone())
    });
    *resp.status_mut() = e.status;
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    if head {
        if let Ok(v) = HeaderValue::from_str(&se.to_err_header()) {
            h.insert(HeaderName::from_static("x-oss-err"), v);
        }
        h.insert(CONTENT_LENGTH, HeaderValue::from(0u64));
    } else {
        h.insert(CONTENT_LENGTH, HeaderValue::from(xml.len() as u64));
    }
    if let Some(ec) = e.ec {
        if let Ok(v) = HeaderValue::from_str(ec) {
            h.insert(HeaderName::from_static("x-oss-ec"), v);
        }
    }
    for (n, v) in &e.headers {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(HeaderName::from_static(n), v);
        }
    }
    resp
}

async fn dispatch(
    state: Arc<State>,
    req: Request<Incoming>,
    request_id: String,
    now: Timestamp,
) -> Result<Response<Body>, ApiError> {
    let (parts, mut incoming) = req.into_parts();
    if let Some(op) = parts.uri.path().strip_prefix(crate::admin::ADMIN_PREFIX) {
        // The admin API: signed like any request (as bucket `-`, key `admin/<op>`), root only.
        let target = route::admin_target(op, parts.uri.query())?;
        let pairs = header_pairs(&parts.headers);
        let principal = auth::authenticate(
            &state.directory,
            parts.method.as_str(),
            &target,
            &pairs,
            now,
        )?;
        let op = op.to_owned();
        return Ok(
            crate::admin::handle(state, &principal, &parts.method, &op, &mut incoming).await,
        );
    }
    let host = parts.headers.get(HOST).and_then(|h| h.to_str().ok());
    let target = route::parse_target(host, parts.uri.path(), parts.uri.query())?;
    if ops::post::is_post_object(&parts.method, &target, &parts.headers) {
        // PostObject authenticates by its form's signed policy, not by request headers.
        return ops::post::post_object(
            state,
            &parts.headers,
            target,
            &mut incoming,
            request_id,
            now,
        )
        .await;
    }
    let op = route::classify(
        &parts.method,
        &target,
        parts.headers.contains_key("x-oss-copy-source"),
    )?;
    let pairs = header_pairs(&parts.headers);
    let principal = auth::authenticate(
        &state.directory,
        parts.method.as_str(),
        &target,
        &pairs,
        now,
    )?;
    auth::authorize(&state.directory, &state.region, &principal, op, &target)?;
    let ctx = Ctx {
        state,
        method: parts.method,
        headers: parts.headers,
        header_pairs: pairs,
        target,
        op,
        principal,
        request_id,
        now,
    };
    let resp = ops::run(&ctx, &mut incoming).await?;
    Ok(resp)
}

/// A response with a status and no body.
pub fn empty(status: StatusCode) -> Response<Body> {
    let mut r = Response::new(body::empty());
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(0u64));
    r
}

/// A 200 response with an XML document.
pub fn xml(doc: String) -> Response<Body> {
    let len = doc.len() as u64;
    let mut r = Response::new(body::full(doc));
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    r
}

/// Sets a header from text, skipping values that cannot be header values.
pub fn set_header(resp: &mut Response<Body>, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_bytes(value.as_bytes()),
    ) {
        resp.headers_mut().insert(n, v);
    }
}
