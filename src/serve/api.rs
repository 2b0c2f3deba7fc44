//! The JSON API's handlers. Every answer is built from
//! the same functions as the CLI's `--json` ([`crate::output::json`]), so
//! the API and the CLI agree on shapes; strings are written with `<`, `>`
//! and `&` escaped (`\u003c`…), so no response ever contains markup.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::Extension;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::admission::Cost;
use super::error::ApiError;
use super::json::json_response;
use super::params::{self, Endpoint};
use super::{AppState, assets};
use crate::output::json as out;
use crate::search::{Request, Results};

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

/// The client's address, as the connection gives it (unspecified when
/// the router is driven without a connection, as in tests).
pub type Client = Option<Extension<ConnectInfo<SocketAddr>>>;

fn address(client: &Client) -> IpAddr {
    client
        .as_ref()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.0.ip())
}

/// Parses the parameters of `endpoint`, searches, and answers with `body`.
async fn searched(
    state: AppState,
    client: Client,
    endpoint: Endpoint,
    raw: Option<String>,
    body: fn(&Request, Results) -> Value,
) -> Result<Response, ApiError> {
    let request = params::parse(endpoint, raw.as_deref())?;
    let cost = Cost::of(&request);
    let index = state.index_name.clone();
    let value = state
        .run(address(&client), &cost, move |engine, deadline| {
            // The search stops within milliseconds once its deadline passes
            // or is cancelled (the 503 went out, the client left).
            let mut request = request;
            request.deadline = deadline.clone();
            let results = engine
                .search(&request)
                .map_err(|e| ApiError::from_search(e, &request, &index))?;
            deadline.check().map_err(|_| ApiError::cancelled())?;
            Ok(body(&request, results))
        })
        .await?;
    Ok(json_response(StatusCode::OK, &value))
}

/// `GET /api/search`.
pub async fn search(
    State(state): State<AppState>,
    client: Client,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    searched(state, client, Endpoint::Search, raw, |request, results| {
        search_body(request, &results)
    })
    .await
}

/// `GET /api/facets`.
pub async fn facets(
    State(state): State<AppState>,
    client: Client,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    searched(state, client, Endpoint::Facets, raw, facets_body).await
}

/// `GET /api/doc/{id}`: the body of `zhsearch show ID --json`. The id is
/// the rest of the path, percent-decoded, so ids with `/` work as they are
/// and ids with `#` or `?` work percent-encoded.
pub async fn document(
    State(state): State<AppState>,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let index = state.index_name.clone();
    let body = state
        .run(address(&client), &Cost::default(), move |engine, _| {
            let doc = engine
                .document(&id)
                .map_err(|e| ApiError::from_library(&e, &index))?;
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

/// `GET /api/openapi.json`.
pub async fn openapi() -> Response {
    let mut response = assets::OPENAPI.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
