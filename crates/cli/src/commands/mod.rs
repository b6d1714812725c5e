//! One module per subcommand.

pub mod assess;
pub mod graph;
pub mod risk;
pub mod schema;
