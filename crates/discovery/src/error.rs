//! What can go wrong while discovering. Every RPC error names the call
//! (method, address, function) and the pinned block; none is swallowed into
//! a partial result.

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// The node failed (or kept failing, after retries) to answer a call.
    #[error("{call}: {message}")]
    Rpc { call: String, message: String },
    /// The node does not have the pinned block (yet), or answered from an
    /// older head.
    #[error("{call}: the node is behind the pinned block {pinned}{}", head.map(|h| format!(" (its head is {h})")).unwrap_or_default())]
    NodeBehind {
        call: String,
        pinned: u64,
        head: Option<u64>,
    },
    /// The response is not what the JSON-RPC or ABI specification allows.
    #[error("{call}: malformed response: {detail}")]
    Malformed { call: String, detail: String },
    /// Two answers contradict each other (e.g. RoleGranted logs against
    /// `hasRole`), or a contract reports an impossible state.
    #[error("{call}: inconsistent answer: {detail}")]
    Inconsistent { call: String, detail: String },
    /// The crawl would exceed a configured bound.
    #[error("{0}")]
    Limit(String),
    /// The discovery config or an argument is invalid (exit status 2).
    #[error("{0}")]
    Input(String),
    /// The discovered structure does not validate as a `[governance]`
    /// section (e.g. a cycle between Safes).
    #[error("the discovered structure is not a valid [governance] section: {0}")]
    Structure(String),
}

impl DiscoveryError {
    /// Invalid input (a config, an argument) rather than a failure of the
    /// node or of the chain's state.
    pub fn is_input(&self) -> bool {
        matches!(self, DiscoveryError::Input(_))
    }
}

pub type Result<T, E = DiscoveryError> = std::result::Result<T, E>;
