//! The browsing page and the OpenAPI description, embedded in the binary
//! with `include_str!`: the only files the server ever sends. There is no
//! file-system serving, so no path can reach anything else.
//!
//! The page is plain HTML, CSS and JavaScript with no build step and no
//! external resource; it loads its script and style from `/app.js` and
//! `/style.css` only (the Content-Security-Policy forbids inline ones) and
//! builds all article text into the DOM with `textContent`.
//!
//! Each is sent gzip-compressed to clients that accept it (compressed once,
//! on first use), with `Vary: Accept-Encoding`.
//!
//! The OpenAPI file describes everything but the facets; [`openapi`] adds
//! them from [`FACETS`]: each facet's filter parameter and its key in
//! `FacetCounts`.

use std::io::Write;
use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::schema::{FACETS, FacetFilter};

/// The page.
pub const INDEX_HTML: &str = include_str!("assets/index.html");
/// Its script.
pub const APP_JS: &str = include_str!("assets/app.js");
/// Its style.
pub const STYLE_CSS: &str = include_str!("assets/style.css");
/// The OpenAPI 3.1 description of the API, but for the facets.
const OPENAPI_FILE: &str = include_str!("assets/openapi.json");

/// The OpenAPI 3.1 description of the API, with the facets of [`FACETS`].
pub fn openapi() -> &'static str {
    static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
        let mut spec: Value =
            serde_json::from_str(OPENAPI_FILE).expect("openapi.json is JSON (a unit test checks)");
        with_facets(&mut spec);
        serde_json::to_string_pretty(&spec).expect("a Value serialises")
    });
    &DOCUMENT
}

/// Adds to the OpenAPI description `spec` each facet's filter parameter
/// (after `q`, on the endpoints that search) and its key in `FacetCounts`
/// (before `undated`).
fn with_facets(spec: &mut Value) {
    let params: Vec<(&str, &str)> = FACETS
        .iter()
        .filter_map(|facet| match facet.filter {
            FacetFilter::Param { param, about } => Some((param, about)),
            FacetFilter::Dates | FacetFilter::None => None,
        })
        .collect();
    for &(param, about) in &params {
        spec["components"]["parameters"][param] = json!({
            "name": param,
            "in": "query",
            "required": false,
            "description": about,
            "schema": {
                "type": "array",
                "items": { "type": "string", "minLength": 1, "maxLength": super::MAX_FILTER_CHARS },
                "maxItems": super::MAX_FILTER_VALUES,
            },
            "style": "form",
            "explode": true,
        });
    }
    for path in ["/api/search", "/api/facets"] {
        if let Some(list) = spec["paths"][path]["get"]["parameters"].as_array_mut() {
            let refs = params
                .iter()
                .map(|(param, _)| json!({ "$ref": format!("#/components/parameters/{param}") }));
            list.splice(1..1, refs);
        }
    }
    let counts = &mut spec["components"]["schemas"]["FacetCounts"];
    let mut properties = Map::new();
    for facet in FACETS {
        let mut property = json!({
            "type": "array",
            "items": { "$ref": "#/components/schemas/FacetNode" },
        });
        if !facet.about.is_empty() {
            property["description"] = json!(facet.about);
        }
        properties.insert(facet.name.to_string(), property);
    }
    if let Some(rest) = counts["properties"].as_object() {
        properties.extend(rest.clone());
    }
    counts["properties"] = Value::Object(properties);
    let mut required: Vec<Value> = FACETS.iter().map(|f| json!(f.name)).collect();
    required.extend(counts["required"].as_array().cloned().unwrap_or_default());
    counts["required"] = Value::Array(required);
}

/// `body` compressed with gzip.
pub fn gzip(body: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(body.as_bytes());
    encoder.finish().unwrap_or_default()
}

/// Whether the request's `Accept-Encoding` takes gzip (and does not refuse
/// it with `q=0`).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// An asset: its text, and the same compressed on first use.
pub struct Asset {
    body: fn() -> &'static str,
    gzipped: LazyLock<Vec<u8>>,
    content_type: &'static str,
}

impl Asset {
    /// The asset as a response to a request with `headers`.
    pub fn response(&'static self, headers: &HeaderMap) -> Response {
        let mut response = if accepts_gzip(headers) {
            let mut response = self.gzipped.as_slice().into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            response
        } else {
            (self.body)().into_response()
        };
        let out = response.headers_mut();
        out.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        // Revalidate, so that a new binary's page is seen at once.
        out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

macro_rules! asset {
    ($body:expr, $type:expr) => {
        Asset {
            body: || $body,
            gzipped: LazyLock::new(|| gzip($body)),
            content_type: $type,
        }
    };
}

static PAGE: Asset = asset!(INDEX_HTML, "text/html; charset=utf-8");
static SCRIPT: Asset = asset!(APP_JS, "text/javascript; charset=utf-8");
static STYLE: Asset = asset!(STYLE_CSS, "text/css; charset=utf-8");
static API: Asset = asset!(openapi(), "application/json");

/// `GET /`.
pub async fn index(headers: HeaderMap) -> Response {
    PAGE.response(&headers)
}

/// `GET /app.js`.
pub async fn script(headers: HeaderMap) -> Response {
    SCRIPT.response(&headers)
}

/// `GET /style.css`.
pub async fn style(headers: HeaderMap) -> Response {
    STYLE.response(&headers)
}

/// `GET /api/openapi.json`.
pub async fn openapi_json(headers: HeaderMap) -> Response {
    API.response(&headers)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;
    use crate::serve::params::Endpoint;
    use crate::serve::{API_ROUTES, MAX_LIMIT, MAX_OFFSET};

    #[test]
    fn the_page_has_nothing_inline_that_the_csp_would_block() {
        let html = INDEX_HTML.to_ascii_lowercase();
        assert!(!html.contains("<style"), "inline <style>");
        assert!(!html.contains(" style="), "style attribute");
        assert!(!html.contains("javascript:"), "javascript: URL");
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert_eq!(scripts.len(), 1, "one script");
        assert!(
            scripts[0].trim_start().starts_with("src=\"/app.js\""),
            "{}",
            scripts[0]
        );
        for attr in [" onclick", " onload", " onerror", " onsubmit", " oninput"] {
            assert!(!html.contains(attr), "inline handler {attr}");
        }
        for external in ["http://", "https://", "//cdn"] {
            assert!(!html.contains(external), "external resource {external}");
            assert!(
                !STYLE_CSS.contains(external),
                "external resource {external}"
            );
        }
    }

    #[test]
    fn assets_are_gzipped_when_accepted() {
        let mut headers = HeaderMap::new();
        for (accept, gzipped) in [
            ("gzip, deflate, br", true),
            ("br;q=1.0, GZIP;q=0.5", true),
            ("*", true),
            ("identity", false),
            ("gzip;q=0", false),
            ("deflate", false),
        ] {
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(accept));
            assert_eq!(accepts_gzip(&headers), gzipped, "{accept}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
        let packed = gzip(APP_JS);
        assert!(
            packed.len() * 3 < APP_JS.len(),
            "{} of {}",
            packed.len(),
            APP_JS.len()
        );
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&packed[..]), &mut text)
            .unwrap();
        assert_eq!(text, APP_JS);
    }

    #[test]
    fn the_script_never_puts_text_in_as_html() {
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!APP_JS.contains(sink), "app.js uses {sink}");
        }
    }

    fn openapi() -> Value {
        serde_json::from_str(super::openapi()).expect("the OpenAPI description is JSON")
    }

    fn parameter_names(spec: &Value, path: &str) -> BTreeSet<String> {
        spec["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: no parameters"))
            .iter()
            .map(|p| {
                let p = match p.get("$ref").and_then(Value::as_str) {
                    Some(r) => {
                        let name = r.rsplit('/').next().unwrap();
                        &spec["components"]["parameters"][name]
                    }
                    None => p,
                };
                p["name"].as_str().unwrap().to_string()
            })
            .collect()
    }

    #[test]
    fn openapi_describes_exactly_the_routes_and_parameters() {
        let spec = openapi();
        assert_eq!(spec["openapi"], "3.1.0");
        let paths: BTreeSet<&str> = spec["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(paths, API_ROUTES.into_iter().collect());
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(
            parameter_names(&spec, "/api/search"),
            names(&Endpoint::Search.params())
        );
        assert_eq!(
            parameter_names(&spec, "/api/facets"),
            names(&Endpoint::Facets.params())
        );
        assert_eq!(parameter_names(&spec, "/api/doc/{id}"), names(&["id"]));
        let limit = &spec["components"]["parameters"]["limit"]["schema"];
        assert_eq!(limit["maximum"], MAX_LIMIT);
        let offset = &spec["components"]["parameters"]["offset"]["schema"];
        assert_eq!(offset["maximum"], MAX_OFFSET);
    }

    #[test]
    fn openapi_describes_each_facet_of_the_table() {
        let spec = openapi();
        let counts = &spec["components"]["schemas"]["FacetCounts"];
        for facet in FACETS {
            assert!(
                counts["properties"][facet.name].is_object(),
                "FacetCounts lacks {}",
                facet.name
            );
            assert!(
                counts["required"]
                    .as_array()
                    .unwrap()
                    .contains(&Value::from(facet.name)),
                "{} is not required",
                facet.name
            );
            if let FacetFilter::Param { param, about } = facet.filter {
                let described = &spec["components"]["parameters"][param];
                assert_eq!(described["description"], about, "{param}");
            }
        }
        // The facets come first in `facets`, as the API writes them.
        let keys: Vec<&String> = counts["properties"].as_object().unwrap().keys().collect();
        let mut expected: Vec<String> = FACETS.iter().map(|f| f.name.to_string()).collect();
        expected.extend(["undated".to_string(), "missing".to_string()]);
        assert_eq!(keys, expected.iter().collect::<Vec<_>>());
    }

    #[test]
    fn openapi_references_resolve() {
        let spec = openapi();
        fn walk(v: &Value, spec: &Value) {
            match v {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        let target = r
                            .strip_prefix("#")
                            .and_then(|p| spec.pointer(p))
                            .unwrap_or(&Value::Null);
                        assert!(!target.is_null(), "dangling $ref {r}");
                    }
                    map.values().for_each(|v| walk(v, spec));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, spec)),
                _ => {}
            }
        }
        walk(&spec, &spec);
    }
}
