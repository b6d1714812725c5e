//! Shared by discovery_real_arb.rs and discovery_real_op.rs: assess what
//! discovery rendered for a real-bytecode deployment.

use l2stage_discovery::Discovered;

/// The requirements no chain read decides, as the catalog entries of
/// Arbitrum One and OP Mainnet claim them since fault proofs
/// (catalog/arbitrum-one.toml, catalog/op-mainnet.toml).
const CLAIMS: &str = r#"
[requirements]
calls-itself-rollup = "met"
state-roots-on-l1 = "met"
data-on-l1 = "met"
node-source-available = "met"
proof-system = "met"
five-external-challengers = "met"
# Not read on chain: the 2026 proving-system items, declared as the catalog
# declares them for the real chain (catalog/*.toml, from L2BEAT's config).
no-red-trusted-setup = { status = "not-applicable", reason = "A fault-proof system with no ZK component has no trusted setup." }
prover-source-published = "met"
verifiers-reproducible = "met"
programs-reproducible = "met"
"#;

/// Assess the rendered fragment as an optimistic project `id` whose node
/// source is `node_source`, with [`CLAIMS`].
pub fn assess(
    d: &Discovered,
    id: &str,
    name: &str,
    node_source: &str,
) -> l2stage_assess::Assessment {
    let text = format!(
        "[project]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"optimistic\"\n\n[project.links]\nnode_source = \"{node_source}\"\n{CLAIMS}\n{}",
        l2stage_discovery::render::toml(d).unwrap()
    );
    let project =
        l2stage_model::parse_str(&format!("{id}.toml"), &text, l2stage_model::Format::Toml)
            .unwrap();
    l2stage_assess::assess(
        &project,
        &l2stage_assess::Context::on(l2stage_model::Date::today()),
    )
    .unwrap()
}
