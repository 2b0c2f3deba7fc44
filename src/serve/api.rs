//! The JSON API's handlers. Every answer is built from
//! the same wire types as the CLI's `--format json` ([`crate::output::json`]),
//! so the API and the CLI agree on shapes; strings are written with `<`, `>`
//! and `&` escaped (`\u003c`…), so no response ever contains markup.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::Extension;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::AppState;
use super::admission::Cost;
use super::error::ApiError;
use super::json::json_response;
use super::params::{self, Endpoint};
use crate::output::json as out;
use crate::schema::{FACETS, FacetFilter, FacetKind, FacetSpec};
use crate::search::{Request, Results};

/// The body of `/api/search`: [`out::SearchBody`] (the hits exactly as
/// `zhsearch search --format json` prints them, the facets as `--facets`
/// prints them).
pub fn search_body(request: &Request, results: &Results) -> Value {
    out::value(&out::SearchBody::new(request, results))
}

/// The body of `/api/facets`: that of `zhsearch facets --format json`, with
/// `undated_excluded` (which the CLI prints on stderr) when a date filter
/// left articles out.
pub fn facets_body(request: &Request, results: Results) -> Value {
    let counts = results.facets.unwrap_or_default();
    out::value(&out::FacetsLine {
        query: &request.query,
        total: results.total,
        facets: &counts,
        undated_excluded: results.undated_excluded,
    })
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
                Some(doc) => Ok(out::value(&doc)),
                None => Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!("no document with id {id:?} in the index"),
                )),
            }
        })
        .await?;
    Ok(json_response(StatusCode::OK, &body))
}

/// `GET /api/suggest?q=…`: `{"query": …, "suggestion": "…" | null}`, the
/// query with a word replaced by a better-held word of the index one edit
/// away ([`crate::search::suggest`]).
pub async fn suggest(
    State(state): State<AppState>,
    client: Client,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let request = params::parse(Endpoint::Suggest, raw.as_deref())?;
    let index = state.index_name.clone();
    let body = state
        .run(address(&client), &Cost::default(), move |engine, _| {
            let suggestion = engine
                .suggest(&request.query)
                .map_err(|e| ApiError::from_library(&e, &index))?;
            Ok(serde_json::json!({ "query": request.query, "suggestion": suggestion }))
        })
        .await?;
    Ok(json_response(StatusCode::OK, &body))
}

/// One facet of [`FACETS`] as `/api/facet-specs` lists it.
#[derive(Debug, Serialize)]
pub struct FacetSpecLine {
    /// Its key in `facets`.
    pub name: &'static str,
    /// Its heading in Chinese.
    pub label: &'static str,
    /// Its heading in English.
    pub label_en: &'static str,
    /// `tree`, `calendar`, `flat` or `top`.
    pub kind: &'static str,
    /// Whether its values have children.
    pub hierarchical: bool,
    /// `values` (by `param`), `dates` (`since`/`until`) or `none`.
    pub filter: &'static str,
    /// The parameter filtering by its values.
    pub param: Option<&'static str>,
}

impl From<&FacetSpec> for FacetSpecLine {
    fn from(spec: &FacetSpec) -> FacetSpecLine {
        let (filter, param) = match spec.filter {
            FacetFilter::Param { param, .. } => ("values", Some(param)),
            FacetFilter::Dates => ("dates", None),
            FacetFilter::None => ("none", None),
        };
        FacetSpecLine {
            name: spec.name,
            label: spec.label.0,
            label_en: spec.label.1,
            kind: match spec.kind {
                FacetKind::Tree => "tree",
                FacetKind::Calendar => "calendar",
                FacetKind::Flat => "flat",
                FacetKind::Top(_) => "top",
            },
            hierarchical: spec.kind.hierarchical(),
            filter,
            param,
        }
    }
}

/// The body of `/api/facet-specs`: `{"facets": [...]}`, every facet of
/// [`FACETS`] in order.
pub fn facet_specs_body() -> Value {
    let facets: Vec<FacetSpecLine> = FACETS.iter().map(FacetSpecLine::from).collect();
    out::value(&serde_json::json!({ "facets": facets }))
}

/// `GET /api/facet-specs`: the facet table, which the page reads at start.
pub async fn facet_specs() -> Response {
    json_response(StatusCode::OK, &facet_specs_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_specs_list_the_table_in_order() {
        let body = facet_specs_body();
        let listed = body["facets"].as_array().unwrap();
        assert_eq!(listed.len(), FACETS.len());
        for (line, spec) in listed.iter().zip(FACETS) {
            assert_eq!(line["name"], spec.name);
            assert_eq!(line["label"], spec.label.0);
            assert_eq!(line["hierarchical"], spec.kind.hierarchical());
        }
        assert_eq!(listed[0]["param"], "region");
        assert_eq!(listed[0]["filter"], "values");
        assert_eq!(listed[1]["filter"], "dates");
        assert_eq!(listed[3]["filter"], "none");
    }
}
