//! Errors of the JSON API: `{"error": {"message": ...}}` with the right
//! status. Invalid project files add `line`, `column`, `field` and `hint`,
//! the same located error the command line prints.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use l2stage_model::{InvalidFile, LoadError};

/// Where in a submitted file the problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub field: Option<String>,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    pub message: String,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                message: message.into(),
                location: None,
            },
        }
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }

    /// A project file that did not parse: 400 with its location.
    pub fn invalid_file(e: &InvalidFile) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody {
                message: e.message.clone(),
                location: Some(Location {
                    line: e.line,
                    column: e.column,
                    field: e.field.clone(),
                    hint: e.hint.clone(),
                }),
            },
        }
    }

    pub fn from_load(e: &LoadError) -> ApiError {
        match e {
            LoadError::Invalid(f) => ApiError::invalid_file(f),
            other => ApiError::bad_request(other.to_string()),
        }
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: &'a ErrorBody,
}

/// The JSON text of an error body, for callers that render it elsewhere.
pub fn error_json(body: &ErrorBody) -> String {
    serde_json::to_string(&Envelope { error: body })
        .unwrap_or_else(|_| r#"{"error":{"message":"internal error"}}"#.to_string())
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            error_json(&self.body),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"l2stage\""),
            );
        }
        res
    }
}
