//! The API's error: an HTTP status and a message, always answered as JSON
//! (`{"error": {"status": 400, "message": "…"}}`), and how the library's
//! errors map to it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::json::json_response;
use crate::error::Error;
use crate::search::Request;
use crate::search::query::QueryField;

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
    /// For 429 and 503: seconds after which to try again (`Retry-After`).
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// An error with a status and a message.
    pub fn new(status: StatusCode, message: String) -> ApiError {
        ApiError {
            status,
            message,
            parameter: None,
            position: None,
            retry_after: None,
        }
    }

    /// The same error, telling the client to try again after `seconds`.
    pub fn retry_after(self, seconds: u32) -> ApiError {
        ApiError {
            retry_after: Some(seconds),
            ..self
        }
    }

    /// The 500 a failure inside the index maps to: it names the index
    /// (`index`, its directory's name, never its path) and how to rebuild
    /// it. What failed is for the server's log, not for clients.
    pub fn damaged(index: &str) -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "the search failed inside the index `{index}`, which may be damaged; \
                 the server's log says what failed. Rebuild it with \
                 `zhsearch index CORPUS --index {index} --rebuild` (the server picks \
                 the new index up by itself)"
            ),
        )
    }

    /// A 400 blaming the parameter `parameter`.
    pub fn bad_request(parameter: &str, message: String) -> ApiError {
        ApiError {
            parameter: Some(parameter.to_string()),
            ..ApiError::new(StatusCode::BAD_REQUEST, message)
        }
    }

    /// The error a failed search or look-up maps to: 400 for a query or
    /// filter the library refused (naming the parameter), otherwise
    /// [`ApiError::damaged`] naming `index` (the error itself goes to stderr).
    pub fn from_search(error: Error, request: &Request, index: &str) -> ApiError {
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
                let parameter = match QueryField::from_name(&field) {
                    Some(QueryField::Date) if request.filters.since.is_some() => "since",
                    Some(QueryField::Date) => "until",
                    Some(QueryField::Region) => "region",
                    Some(QueryField::Topic) => "topic",
                    _ => "filters",
                };
                ApiError::bad_request(parameter, format!("parameter `{parameter}`: {}", e.message))
            }
            // The client has had its 503; nothing is wrong with the index.
            Error::Cancelled(_) => ApiError::cancelled(),
            other => ApiError::from_library(&other, index),
        }
    }

    /// What a search cut off by its deadline returns: a 503, not logged
    /// (the client has had its 503 already, or has left).
    pub fn cancelled() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the search was cut off".to_string(),
        )
    }

    /// [`ApiError::damaged`], logging `error` in full on stderr.
    pub fn from_library(error: &Error, index: &str) -> ApiError {
        eprintln!("zhsearch: error: {error}");
        ApiError::damaged(index)
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
        let mut response = json_response(self.status, &self.body());
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::QueryError;

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
            "index",
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
            "index",
        );
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert_eq!(err.parameter.as_deref(), Some("topic"));
        assert_eq!(err.position, None);
        assert!(err.message.contains("unknown topic"), "{}", err.message);
    }

    #[test]
    fn a_search_cut_off_by_its_deadline_is_a_503_not_a_damaged_index() {
        let err = ApiError::from_search(
            Error::Cancelled(crate::deadline::Cancelled),
            &Request::new("党建"),
            "新闻索引",
        );
        assert_eq!(err.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(!err.message.contains("damaged"), "{}", err.message);
    }

    #[test]
    fn index_failures_name_the_index_and_never_its_path() {
        let err = ApiError::from_search(
            Error::IndexCorrupt {
                path: "/srv/archive/新闻索引".into(),
                message: "/srv/archive/新闻索引/abc.fast: bad footer".into(),
            },
            &Request::new("党建"),
            "新闻索引",
        );
        assert_eq!(err.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            err.message.contains("`新闻索引`")
                && err
                    .message
                    .contains("zhsearch index CORPUS --index 新闻索引 --rebuild"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("/srv"), "{}", err.message);
    }
}
