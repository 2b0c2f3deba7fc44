//! The JSON API's handlers and its error type. Every answer is built from
//! the same functions as the CLI's `--json` ([`crate::output::json`]), so
//! the API and the CLI agree on shapes; strings are written with `<`, `>`
//! and `&` escaped (`\u003c`…), so no response ever contains markup.

use std::time::SystemTime;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::params::{self, Endpoint};
use super::{AppState, assets};
use crate::error::Error;
use crate::output::json as out;
use crate::search::{Request, Results};

/// An API error: an HTTP status and a message, sent as
/// `{"error": {"status": 400, "message": "...", "parameter": "q", "position": 3}}`.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, for a person.
    pub message: String,
    /// The query-string parameter at fault, if one is.
    pub parameter: Option<String>,
    /// For a bad query: the character offset of the problem in `q`.
    pub position: Option<usize>,
}

impl ApiError {
    /// An error with a status and a message.
    pub fn new(status: StatusCode, message: String) -> ApiError {
        ApiError {
            status,
            message,
            parameter: None,
            position: None,
        }
    }

    /// A 400 blaming the parameter `parameter`.
    pub fn bad_request(parameter: &str, message: String) -> ApiError {
        ApiError {
            parameter: Some(parameter.to_string()),
            ..ApiError::new(StatusCode::BAD_REQUEST, message)
        }
    }

    /// The error a failed search or look-up maps to: 400 for a query or
    /// filter the library refused (naming the parameter), 500 otherwise.
    pub fn from_search(error: Error, request: &Request) -> ApiError {
        match error {
            Error::Query(e) if e.query == request.query => ApiError {
                position: Some(e.position),
                ..ApiError::bad_request("q", e.message)
            },
            Error::Query(e) => {
                // The filters are parsed as their own query (`region:… topic:…`),
                // and a refusal points at the `field:` at fault.
                let field: String = e
                    .query
                    .chars()
                    .skip(e.position)
                    .take_while(|&c| c != ':')
                    .collect();
                let parameter = match field.as_str() {
                    "date" if request.filters.since.is_some() => "since",
                    "date" => "until",
                    "region" => "region",
                    "topic" => "topic",
                    _ => "filters",
                };
                ApiError::bad_request(parameter, format!("parameter `{parameter}`: {}", e.message))
            }
            other => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        }
    }

    /// The JSON body of the error.
    pub fn body(&self) -> Value {
        let mut error = json!({
            "status": self.status.as_u16(),
            "message": self.message,
        });
        if let Some(parameter) = &self.parameter {
            error["parameter"] = json!(parameter);
        }
        if let Some(position) = self.position {
            error["position"] = json!(position);
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body())
    }
}

/// Writes JSON like `serde_json`'s compact form, but with `<`, `>` and `&`
/// inside strings escaped as `\u003c`, `\u003e` and `\u0026`: the same
/// values, and never a byte sequence a browser could take for markup.
struct HtmlSafe;

impl serde_json::ser::Formatter for HtmlSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut last = 0;
        for (i, c) in fragment.char_indices() {
            let escaped = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[last..i])?;
            writer.write_all(escaped.as_bytes())?;
            last = i + 1;
        }
        writer.write_all(&fragment.as_bytes()[last..])
    }
}

/// `value` as HTML-safe JSON.
pub fn to_json(value: &impl Serialize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1024);
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, HtmlSafe);
    // Serialising a `Value` or a derived struct into a Vec cannot fail.
    if value.serialize(&mut serializer).is_err() {
        bytes = br#"{"error":{"status":500,"message":"response not serialisable"}}"#.to_vec();
    }
    bytes.push(b'\n');
    bytes
}

/// A JSON response that no cache keeps.
pub fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    let mut response = (status, to_json(value)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The body of `/api/search`: the request as understood, the total, the
/// hits exactly as `zhsearch search --json` prints them, and the facets as
/// `--facets --json` prints them.
pub fn search_body(request: &Request, results: &Results) -> Value {
    let mut body = json!({
        "query": request.query,
        "filters": {
            "region": request.filters.regions,
            "topic": request.filters.topics,
            "since": request.filters.since,
            "until": request.filters.until,
        },
        "sort": request.sort,
        "offset": request.offset,
        "limit": request.limit,
        "total": results.total,
        "hits": results.hits.iter().map(out::hit).collect::<Vec<_>>(),
    });
    if let Some(facets) = &results.facets {
        body["facets"] = serde_json::to_value(facets).unwrap_or(Value::Null);
    }
    if let Some(n) = results.undated_excluded {
        body["undated_excluded"] = json!(n);
    }
    body["elapsed_ms"] = json!(millis(results.elapsed));
    body
}

fn millis(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// The body of `/api/facets`: that of `zhsearch facets --json`, with
/// `undated_excluded` (which the CLI prints on stderr) when a date filter
/// left articles out.
pub fn facets_body(request: &Request, results: Results) -> Value {
    let counts = results.facets.unwrap_or_default();
    let mut body = out::facets(&request.query, results.total, &counts);
    if let Some(n) = results.undated_excluded {
        body["undated_excluded"] = json!(n);
    }
    body
}

/// Parses the parameters of `endpoint`, searches, and answers with `body`.
async fn searched(
    state: AppState,
    endpoint: Endpoint,
    raw: Option<String>,
    body: fn(&Request, Results) -> Value,
) -> Result<Response, ApiError> {
    let request = params::parse(endpoint, raw.as_deref())?;
    let value = state
        .run(move |engine| {
            let results = engine
                .search(&request)
                .map_err(|e| ApiError::from_search(e, &request))?;
            Ok(body(&request, results))
        })
        .await?;
    Ok(json_response(StatusCode::OK, &value))
}

/// `GET /api/search`.
pub async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    searched(state, Endpoint::Search, raw, |request, results| {
        search_body(request, &results)
    })
    .await
}

/// `GET /api/facets`.
pub async fn facets(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    searched(state, Endpoint::Facets, raw, facets_body).await
}

/// `GET /api/doc/{id}`: the body of `zhsearch show ID --json`. The id is
/// the rest of the path, percent-decoded, so ids with `/` work as they are
/// and ids with `#` or `?` work percent-encoded.
pub async fn document(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let body = state
        .run(move |engine| {
            let doc = engine
                .document(&id)
                .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            match doc {
                Some(doc) => Ok(out::document(&doc)),
                None => Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!("no document with id {id:?} in the index"),
                )),
            }
        })
        .await?;
    Ok(json_response(StatusCode::OK, &body))
}

/// `GET /api/health`: the index served, its documents, its last commit.
pub async fn health(State(state): State<AppState>) -> Result<Response, ApiError> {
    let body = state
        .run(|engine| {
            let zh = engine.index();
            let searcher = engine.searcher();
            let internal = |e: String| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e);
            let meta = zh
                .index
                .load_metas()
                .map_err(|e| internal(format!("index at {}: {e}", zh.dir.display())))?;
            let time = std::fs::metadata(zh.dir.join("meta.json"))
                .and_then(|m| m.modified())
                .ok()
                .and_then(rfc3339);
            Ok(json!({
                "status": "ok",
                "version": env!("CARGO_PKG_VERSION"),
                "index": zh.dir.display().to_string(),
                "documents": searcher.num_docs(),
                "segments": searcher.segment_readers().len(),
                "commit": {
                    "opstamp": meta.opstamp,
                    "time": time,
                },
            }))
        })
        .await?;
    Ok(json_response(StatusCode::OK, &body))
}

fn rfc3339(time: SystemTime) -> Option<String> {
    let ts = jiff::Timestamp::try_from(time).ok()?;
    Some(ts.round(jiff::Unit::Second).ok()?.to_string())
}

/// `GET /api/openapi.json`.
pub async fn openapi() -> Response {
    let mut response = assets::OPENAPI.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::QueryError;

    #[test]
    fn json_never_contains_markup_and_keeps_values() {
        let text = "a<script>alert(1)</script>&<img src=x onerror=alert(1)>“引号”";
        let value = json!({ "snippet": text, "<key>": 1 });
        let bytes = to_json(&value);
        let written = String::from_utf8(bytes).unwrap();
        assert!(
            !written.contains('<') && !written.contains('>'),
            "{written}"
        );
        assert!(!written.contains('&'), "{written}");
        assert!(written.contains("\\u003cscript\\u003e"), "{written}");
        let back: Value = serde_json::from_str(&written).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn errors_have_status_message_and_where() {
        let request = Request::new("(党建");
        let err = ApiError::from_search(
            Error::Query(QueryError {
                query: "(党建".into(),
                position: 0,
                message: "this `(` is not closed".into(),
            }),
            &request,
        );
        assert_eq!(
            err.body(),
            json!({"error": {"status": 400, "message": "this `(` is not closed",
                   "parameter": "q", "position": 0}})
        );
    }

    #[test]
    fn filter_errors_name_their_parameter() {
        let mut request = Request::new("党建");
        request.filters.regions = vec!["佛山".into()];
        request.filters.topics = vec!["无此".into()];
        let err = ApiError::from_search(
            Error::Query(QueryError {
                query: "region:佛山 topic:无此".into(),
                position: 10,
                message: "unknown topic `无此`".into(),
            }),
            &request,
        );
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert_eq!(err.parameter.as_deref(), Some("topic"));
        assert_eq!(err.position, None);
        assert!(err.message.contains("unknown topic"), "{}", err.message);
    }
}
