//! One module per subcommand.

pub mod assess;
pub mod changes;
pub mod discover;
pub mod graph;
pub mod risk;
pub mod schema;
pub mod serve;
pub mod value_locked;
pub mod verify;
pub mod watch;
