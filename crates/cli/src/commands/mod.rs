//! One module per subcommand.

pub mod assess;
pub mod risk;
pub mod schema;
