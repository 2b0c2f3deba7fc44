//! Query-string parameters of the API, validated into a search
//! [`Request`]. Pure functions, no I/O: every refusal is an [`ApiError`]
//! naming the parameter at fault.

use crate::date::parse_bound;
use crate::schema::{FACETS, FacetFilter};
use crate::search::{Filters, Matching, Request, Sort};

use super::error::ApiError;

/// Most hits one API request may ask for.
pub const MAX_LIMIT: usize = 100;
/// Largest `offset` accepted: paging deeper than this is refused.
pub const MAX_OFFSET: usize = 10_000;
/// Most values of a repeatable filter (`region`, `topic`).
pub const MAX_FILTER_VALUES: usize = 20;
/// Longest value of a filter, in characters.
pub const MAX_FILTER_CHARS: usize = 100;
/// Hits per page unless `limit` says otherwise (as in the CLI).
pub const DEFAULT_LIMIT: usize = 10;

/// The parameters `GET /api/search` takes: `q`, each facet's filter
/// ([`FACETS`]), and these.
pub const SEARCH_PARAMS: [&str; 9] = [
    "since",
    "until",
    "sort",
    "match",
    "collapse",
    "limit",
    "offset",
    "facets",
    "disjunctive",
];
/// The parameters `GET /api/facets` takes: `q`, each facet's filter, and these.
pub const FACETS_PARAMS: [&str; 3] = ["since", "until", "disjunctive"];

/// The filter parameters of the facet table (`region`, `topic`).
fn facet_params() -> impl Iterator<Item = &'static str> {
    FACETS.iter().filter_map(|facet| match facet.filter {
        FacetFilter::Param { param, .. } => Some(param),
        FacetFilter::Dates | FacetFilter::None => None,
    })
}

/// Which endpoint the parameters are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/api/search`: `q` is required; paging, sort and facets apply.
    Search,
    /// `/api/facets`: `q` is optional (every article) and facets are counted.
    Facets,
    /// `/api/suggest`: `q` alone, required.
    Suggest,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Endpoint::Search => "/api/search",
            Endpoint::Facets => "/api/facets",
            Endpoint::Suggest => "/api/suggest",
        }
    }

    /// Its parameters, in the order the API description lists them.
    pub fn params(self) -> Vec<&'static str> {
        let rest: &[&str] = match self {
            Endpoint::Search => &SEARCH_PARAMS,
            Endpoint::Facets => &FACETS_PARAMS,
            Endpoint::Suggest => return vec!["q"],
        };
        std::iter::once("q")
            .chain(facet_params())
            .chain(rest.iter().copied())
            .collect()
    }
}

/// Parses the raw query string of `endpoint` into a search request.
pub fn parse(endpoint: Endpoint, raw: Option<&str>) -> Result<Request, ApiError> {
    let mut query: Option<String> = None;
    let mut filters = Filters::default();
    let mut sort: Option<Sort> = None;
    let mut matching: Option<Matching> = None;
    let mut limit: Option<usize> = None;
    let mut offset: Option<usize> = None;
    let mut facets: Option<bool> = None;
    let mut disjunctive: Option<bool> = None;
    let mut collapse: Option<bool> = None;
    let params = endpoint.params();
    for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let name = params.iter().copied().find(|&p| p == key).ok_or_else(|| {
            ApiError::bad_request(
                &key,
                format!(
                    "unknown parameter `{key}`; {} takes {}",
                    endpoint.path(),
                    params.join(", ")
                ),
            )
        })?;
        let value = value.into_owned();
        if let Some(values) = filters.values_mut(name) {
            push_filter(name, values, value)?;
            continue;
        }
        match name {
            "q" => once(name, &mut query, value)?,
            "since" => once(name, &mut filters.since, date(name, value)?)?,
            "until" => once(name, &mut filters.until, date(name, value)?)?,
            "sort" => once(name, &mut sort, sort_order(&value)?)?,
            "match" => once(name, &mut matching, match_words(&value)?)?,
            "limit" => once(name, &mut limit, number(name, &value, 1, MAX_LIMIT)?)?,
            "offset" => once(name, &mut offset, number(name, &value, 0, MAX_OFFSET)?)?,
            "facets" => once(name, &mut facets, boolean(name, &value)?)?,
            "disjunctive" => once(name, &mut disjunctive, boolean(name, &value)?)?,
            "collapse" => once(name, &mut collapse, boolean(name, &value)?)?,
            // A facet's filter that `Filters::values_mut` does not know (a
            // unit test below fails first).
            _ => {
                return Err(ApiError::bad_request(
                    name,
                    format!("parameter `{name}` is not a filter yet"),
                ));
            }
        }
    }
    let query = match (endpoint, query) {
        (_, Some(q)) => q,
        (Endpoint::Facets, None) => "*".to_string(),
        (Endpoint::Search | Endpoint::Suggest, None) => {
            return Err(ApiError::bad_request(
                "q",
                "missing parameter `q`: the query (`q=*` for every article)".to_string(),
            ));
        }
    };
    let mut request = Request::new(&query);
    request.filters = filters;
    request.disjunctive = disjunctive.unwrap_or(false);
    match endpoint {
        Endpoint::Search => {
            request.limit = limit.unwrap_or(DEFAULT_LIMIT);
            request.offset = offset.unwrap_or(0);
            request.sort = sort.unwrap_or_default();
            request.matching = matching.unwrap_or_default();
            request.facets = facets.unwrap_or(false);
            request.collapse = collapse.unwrap_or(true);
            request.components = true;
        }
        Endpoint::Facets => {
            request.limit = 1;
            request.facets = true;
            // Counts are of the articles with every word, never relaxed,
            // each near-duplicate counted (no hits are shown to fold).
            request.matching = Matching::All;
            request.collapse = false;
        }
        Endpoint::Suggest => {}
    }
    Ok(request)
}

/// Sets a parameter that may be given once.
fn once<T>(name: &str, slot: &mut Option<T>, value: T) -> Result<(), ApiError> {
    if slot.is_some() {
        return Err(ApiError::bad_request(
            name,
            format!("parameter `{name}` is given more than once"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

/// Adds a value of a repeatable filter.
fn push_filter(name: &str, values: &mut Vec<String>, value: String) -> Result<(), ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::bad_request(
            name,
            format!("parameter `{name}` is empty"),
        ));
    }
    let chars = trimmed.chars().count();
    if chars > MAX_FILTER_CHARS {
        return Err(ApiError::bad_request(
            name,
            format!(
                "parameter `{name}` is {chars} characters long; at most {MAX_FILTER_CHARS} are allowed"
            ),
        ));
    }
    if values.len() == MAX_FILTER_VALUES {
        return Err(ApiError::bad_request(
            name,
            format!("parameter `{name}` is given more than {MAX_FILTER_VALUES} times"),
        ));
    }
    values.push(trimmed.to_string());
    Ok(())
}

/// A `since`/`until` date, checked the way the CLI's flags are.
fn date(name: &str, value: String) -> Result<String, ApiError> {
    match parse_bound(&value) {
        Ok(_) => Ok(value.trim().to_string()),
        Err(e) => Err(ApiError::bad_request(
            name,
            format!("parameter `{name}`: {e}"),
        )),
    }
}

fn match_words(value: &str) -> Result<Matching, ApiError> {
    match value {
        "all" => Ok(Matching::All),
        "relaxed" => Ok(Matching::Relaxed),
        "any" => Ok(Matching::Any),
        other => Err(ApiError::bad_request(
            "match",
            format!("parameter `match` is `{other}`; it must be `all`, `relaxed` or `any`"),
        )),
    }
}

fn sort_order(value: &str) -> Result<Sort, ApiError> {
    match value {
        "relevance" => Ok(Sort::Relevance),
        "date" => Ok(Sort::Date),
        "oldest" => Ok(Sort::Oldest),
        other => Err(ApiError::bad_request(
            "sort",
            format!("parameter `sort` is `{other}`; it must be `relevance`, `date` or `oldest`"),
        )),
    }
}

fn number(name: &str, value: &str, min: usize, max: usize) -> Result<usize, ApiError> {
    let out_of_range = || {
        ApiError::bad_request(
            name,
            format!(
                "parameter `{name}` is `{value}`; it must be a whole number from {min} to {max}"
            ),
        )
    };
    let n: usize = value.parse().map_err(|_| out_of_range())?;
    if (min..=max).contains(&n) {
        Ok(n)
    } else {
        Err(out_of_range())
    }
}

fn boolean(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(ApiError::bad_request(
            name,
            format!("parameter `{name}` is `{other}`; it must be `true` or `false`"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(raw: &str) -> Result<Request, ApiError> {
        parse(Endpoint::Search, Some(raw))
    }

    #[track_caller]
    fn refused(raw: &str, parameter: &str, needle: &str) {
        let err = search(raw).expect_err(raw);
        assert_eq!(err.parameter.as_deref(), Some(parameter), "{raw}: {err:?}");
        assert!(err.message.contains(needle), "{raw}: {}", err.message);
    }

    #[test]
    fn all_parameters_are_read() {
        let r = search(
            "q=%E5%85%9A%E5%BB%BA&region=%E4%BD%9B%E5%B1%B1&region=/广东省/江门市&topic=党建\
             &since=2023&until=2024-06&sort=date&limit=100&offset=10000&facets=true",
        )
        .unwrap();
        assert_eq!(r.query, "党建");
        assert_eq!(r.filters.regions, ["佛山", "/广东省/江门市"]);
        assert_eq!(r.filters.topics, ["党建"]);
        assert_eq!(r.filters.since.as_deref(), Some("2023"));
        assert_eq!(r.filters.until.as_deref(), Some("2024-06"));
        assert_eq!(r.sort, Sort::Date);
        assert_eq!((r.limit, r.offset, r.facets), (100, 10_000, true));
        assert_eq!(search("q=a&sort=oldest").unwrap().sort, Sort::Oldest);
        assert_eq!(search("q=a").unwrap().matching, Matching::Relaxed);
        assert_eq!(search("q=a&match=all").unwrap().matching, Matching::All);
        assert_eq!(search("q=a&match=any").unwrap().matching, Matching::Any);
        assert!(search("q=a").unwrap().collapse);
        assert!(!search("q=a&collapse=false").unwrap().collapse);
        refused("q=a&match=some", "match", "`all`, `relaxed` or `any`");
    }

    #[test]
    fn dates_of_any_year_are_accepted() {
        let r = search("q=a&since=0001&until=9999-12-31").unwrap();
        assert_eq!(r.filters.since.as_deref(), Some("0001"));
        assert_eq!(r.filters.until.as_deref(), Some("9999-12-31"));
        refused("q=a&since=0000", "since", "out of range 1..=9999");
    }

    #[test]
    fn defaults_are_the_cli_defaults() {
        let r = search("q=a+b").unwrap();
        let cli = Request::new("a b");
        assert_eq!(r.query, cli.query);
        assert_eq!(
            (r.limit, r.offset, r.sort, r.facets),
            (10, 0, Sort::Relevance, false)
        );
        assert_eq!(r.snippet_chars, cli.snippet_chars);
        assert_eq!(r.snippet_fragments, cli.snippet_fragments);
    }

    #[test]
    fn facets_need_no_query_and_take_no_paging() {
        let r = parse(Endpoint::Facets, None).unwrap();
        assert_eq!(r.query, "*");
        assert!(r.facets);
        let err = parse(Endpoint::Facets, Some("limit=5")).unwrap_err();
        assert_eq!(err.parameter.as_deref(), Some("limit"));
        assert!(
            err.message.contains("/api/facets takes q, region"),
            "{}",
            err.message
        );
    }

    #[test]
    fn each_bad_parameter_is_named() {
        refused("region=佛山", "q", "missing parameter `q`");
        refused("q=a&limit=101", "limit", "from 1 to 100");
        refused("q=a&limit=0", "limit", "from 1 to 100");
        refused("q=a&limit=ten", "limit", "`ten`");
        refused("q=a&limit=-1", "limit", "whole number");
        refused("q=a&offset=10001", "offset", "from 0 to 10000");
        refused("q=a&sort=newest", "sort", "`relevance`, `date` or `oldest`");
        refused("q=a&facets=yes", "facets", "`true` or `false`");
        refused("q=a&since=2023-13", "since", "invalid date");
        refused("q=a&until=yesterday", "until", "invalid date");
        refused("q=a&q=b", "q", "more than once");
        refused("q=a&limit=5&limit=6", "limit", "more than once");
        refused("q=a&region=", "region", "empty");
        refused("q=a&topic=%20", "topic", "empty");
        refused(
            &format!("q=a&region={}", "佛".repeat(101)),
            "region",
            "101 characters",
        );
        refused("q=a&colour=red", "colour", "unknown parameter `colour`");
        let many = "&topic=党建".repeat(MAX_FILTER_VALUES + 1);
        refused(&format!("q=a{many}"), "topic", "more than 20 times");
    }

    #[test]
    fn every_facet_filter_is_a_parameter_of_both_endpoints() {
        for facet in FACETS {
            if let FacetFilter::Param { param, .. } = facet.filter {
                assert!(Endpoint::Search.params().contains(&param), "{param}");
                assert!(Endpoint::Facets.params().contains(&param), "{param}");
                let r = search(&format!("q=a&{param}=x&{param}=y")).unwrap();
                let none = format!("{:?}", Filters::default());
                assert_ne!(format!("{:?}", r.filters), none, "{param} filters nothing");
            }
        }
    }

    #[test]
    fn disjunctive_counts_are_asked_for() {
        assert!(!search("q=a&facets=true").unwrap().disjunctive);
        assert!(
            search("q=a&facets=true&disjunctive=true")
                .unwrap()
                .disjunctive
        );
        assert!(
            parse(Endpoint::Facets, Some("disjunctive=1"))
                .unwrap()
                .disjunctive
        );
        refused("q=a&disjunctive=maybe", "disjunctive", "`true` or `false`");
    }

    #[test]
    fn decoding_never_panics_on_odd_input() {
        for raw in ["%", "%zz", "q=%ff%fe", "&&&", "=", "q", "q=%E5%85"] {
            let _ = search(raw);
        }
        // A bare `q` is an empty query, left to the query parser to refuse.
        assert_eq!(search("q").unwrap().query, "");
    }
}
