//! Stage-risk model (placeholder).
