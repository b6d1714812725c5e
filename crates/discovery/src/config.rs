//! The discovery config (TOML): how one rollup stack names its roles. It
//! names extra view functions to read on matching contracts and maps what
//! they return to powers and exit mechanics, names addresses, and gives the
//! exit mechanics that cannot be read generically. See docs/discovery.md.

use std::collections::BTreeMap;
use std::path::Path;

use alloy::primitives::Address;
use l2stage_model::DurationSpec;
use l2stage_model::governance::{Actor, Affiliation, Condition, Lasting, Participation, PowerKind};
use serde::Deserialize;

use crate::abi::Signature;
use crate::error::{DiscoveryError, Result};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub discovery: Settings,
    /// Names (and affiliations) of addresses: Safe members, EOAs, contracts.
    #[serde(default)]
    pub names: BTreeMap<String, Name>,
    /// Addresses whose references are not followed (their holders are
    /// reported as opaque actors).
    #[serde(default)]
    pub stop: Vec<String>,
    /// Exit mechanics given literally (not read on chain).
    #[serde(default)]
    pub exit: ExitConfig,
    /// Contract templates: extra view functions and roles, mapped to powers.
    #[serde(default)]
    pub contracts: Vec<Template>,
    /// Actors that cannot be read on this chain (e.g. L2 governance behind
    /// a bridge), in the project file's actor format.
    #[serde(default)]
    pub actors: Vec<Actor>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub name: Option<String>,
    /// BFS levels below the entries.
    #[serde(default = "default_depth")]
    pub max_depth: usize,
    #[serde(default = "default_addresses")]
    pub max_addresses: usize,
    /// Read RoleGranted/RoleRevoked logs to find AccessControl role members.
    #[serde(default = "yes")]
    pub logs: bool,
    #[serde(default)]
    pub logs_from_block: u64,
    /// Copied to `governance.block_time` (durations read in blocks).
    #[serde(default)]
    pub block_time: Option<DurationSpec>,
    /// Role names recognised besides the OpenZeppelin defaults.
    #[serde(default)]
    pub roles: Vec<String>,
}

fn default_depth() -> usize {
    12
}
fn default_addresses() -> usize {
    2000
}
fn yes() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            name: None,
            max_depth: default_depth(),
            max_addresses: default_addresses(),
            logs: true,
            logs_from_block: 0,
            block_time: None,
            roles: Vec::new(),
        }
    }
}

/// How the config names one address. On a Safe, `affiliation` and
/// `announced` are the defaults for its members (a member named on its own
/// overrides them); keys that have no effect on what the address turns out
/// to be are reported as warnings by the structure builder.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Name {
    /// Actor id to use (default: derived from the kind and address).
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Who holds the key (Safe members, EOAs); default: the address.
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub affiliation: Option<Affiliation>,
    #[serde(default)]
    pub security_council: bool,
    /// Whether the key holder (or, on a Safe, its members) is publicly
    /// announced; unset means announced.
    #[serde(default)]
    pub announced: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExitConfig {
    #[serde(default)]
    pub forced_inclusion: Option<DurationSpec>,
    #[serde(default)]
    pub self_propose: Option<DurationSpec>,
    #[serde(default)]
    pub finalization: Option<DurationSpec>,
    #[serde(default)]
    pub proposing: Option<Participation>,
    #[serde(default)]
    pub challenging: Option<Participation>,
    #[serde(default)]
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActsAs {
    /// Forwards what its senders send after `delay` (e.g. an upgrade
    /// executor with delay 0s).
    Relay,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub name: String,
    /// Matches these addresses...
    #[serde(default)]
    pub addresses: Vec<String>,
    /// ...or any contract on which this view function returns data.
    #[serde(default)]
    pub detect: Option<String>,
    #[serde(default)]
    pub acts_as: Option<ActsAs>,
    /// Relay delay, literal.
    #[serde(default)]
    pub delay: Option<DurationSpec>,
    /// Relay senders: holders of this role...
    #[serde(default)]
    pub senders_role: Option<String>,
    /// ...and/or these actor ids (config actors or `anyone`).
    #[serde(default)]
    pub senders: Vec<String>,
    #[serde(default)]
    pub fields: Vec<Field>,
    #[serde(default)]
    pub roles: Vec<RoleMap>,
    /// Lists kept by events (e.g. Nitro's batch posters), replayed from logs.
    #[serde(default)]
    pub events: Vec<EventList>,
    /// Note for the immutable list or the actor.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Returns {
    Address,
    #[serde(rename = "address[]")]
    Addresses,
    Uint,
    Bool,
    Bytes32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitItem {
    ForcedInclusion,
    SelfPropose,
    Finalization,
    Proposing,
    Challenging,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    #[default]
    Seconds,
    Blocks,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// View function signature, e.g. `guardian()` or `gameImpls(uint32)`.
    pub call: String,
    #[serde(default)]
    pub args: Vec<ArgValue>,
    pub returns: Returns,
    /// Which 32-byte word of a static tuple (default 0).
    #[serde(default)]
    pub word: usize,
    /// Crawl into returned addresses (default true).
    #[serde(default = "yes")]
    pub follow: bool,
    /// The returned address(es) hold this power over the contract.
    #[serde(default)]
    pub power: Option<PowerKind>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub duration: Option<Lasting>,
    #[serde(default)]
    pub condition: Option<Condition>,
    #[serde(default)]
    pub power_delay: Option<DurationSpec>,
    #[serde(default)]
    pub note: Option<String>,
    /// The value sets an exit mechanic: a duration (uint, in `unit`), or
    /// for proposing/challenging the returned address(es) on the allow-list.
    #[serde(default)]
    pub exit: Option<ExitItem>,
    #[serde(default)]
    pub unit: Unit,
    /// For proposing/challenging from a uint/bool: these values mean
    /// permissionless (e.g. OP's respectedGameType() = 0, CANNON).
    #[serde(default)]
    pub permissionless_when: Vec<ArgValue>,
    /// The value is this relay's delay.
    #[serde(default)]
    pub relay_delay: bool,
    /// Don't fail when the call reverts (older versions lack it).
    #[serde(default)]
    pub optional: bool,
}

/// A TOML string, integer or bool, compared or encoded as text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ArgValue {
    Int(i64),
    Bool(bool),
    Str(String),
}

impl ArgValue {
    pub fn text(&self) -> String {
        match self {
            ArgValue::Int(i) => i.to_string(),
            ArgValue::Bool(b) => b.to_string(),
            ArgValue::Str(s) => s.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleMap {
    /// Role name (`PAUSER_ROLE`) or id (0x… bytes32).
    pub role: String,
    #[serde(default)]
    pub power: Option<PowerKind>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub duration: Option<Lasting>,
    #[serde(default)]
    pub condition: Option<Condition>,
    #[serde(default)]
    pub note: Option<String>,
    /// Holders are on this exit allow-list (proposing or challenging).
    #[serde(default)]
    pub exit: Option<ExitItem>,
}

/// A list of addresses that an event keeps, e.g. Nitro's
/// `BatchPosterSet(address batchPoster, bool isBatchPoster)`: the event's
/// non-indexed data is (address, bool) — true adds the address, false
/// removes it — replayed from the logs up to the pinned block.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventList {
    /// The event's signature, e.g. `BatchPosterSet(address,bool)`.
    pub event: String,
    /// The listed addresses hold this power over the contract.
    #[serde(default)]
    pub power: Option<PowerKind>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl EventList {
    /// topic0: keccak256 of the signature without spaces.
    pub fn topic(&self) -> alloy::primitives::B256 {
        alloy::primitives::keccak256(self.event.replace(' ', "").as_bytes())
    }
}

/// A template with its parsed signatures.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub template: Template,
    pub addresses: Vec<Address>,
    pub detect: Option<(Signature, alloy::primitives::Bytes)>,
    pub fields: Vec<(Signature, alloy::primitives::Bytes)>,
}

/// Largest discovery config read: 1 MiB (the shipped ones are under
/// 20 KiB).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

impl Config {
    /// Read a config file: a regular file of at most [`MAX_CONFIG_BYTES`]
    /// (never a device or a FIFO, which would be read without end).
    pub fn load(path: &Path) -> Result<Config> {
        let text = l2stage_model::read_text(path, MAX_CONFIG_BYTES)
            .map_err(|e| DiscoveryError::Input(format!("cannot read discovery config: {e}")))?;
        Config::parse(&text).map_err(|e| DiscoveryError::Input(format!("{}: {e}", path.display())))
    }

    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        let cfg: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        cfg.compile()?;
        for (k, n) in &cfg.names {
            parse_address(k).map_err(|e| format!("names: {e}"))?;
            if let Some(id) = &n.id
                && (id.is_empty()
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            {
                return Err(format!("names.\"{k}\".id: invalid actor id `{id}`"));
            }
        }
        for s in &cfg.stop {
            parse_address(s).map_err(|e| format!("stop: {e}"))?;
        }
        Ok(cfg)
    }

    pub fn stop_list(&self) -> Vec<Address> {
        self.stop
            .iter()
            .filter_map(|s| parse_address(s).ok())
            .collect()
    }

    pub fn name_of(&self, a: Address) -> Option<&Name> {
        self.names
            .iter()
            .find(|(k, _)| parse_address(k).ok() == Some(a))
            .map(|(_, n)| n)
    }

    /// Templates with their signatures parsed and calldata encoded.
    pub fn compile(&self) -> std::result::Result<Vec<Compiled>, String> {
        let mut out = Vec::new();
        for (i, t) in self.contracts.iter().enumerate() {
            let at = |m: String| format!("contracts[{i}] ({}): {m}", t.name);
            let addresses = t
                .addresses
                .iter()
                .map(|a| parse_address(a))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(at)?;
            for (j, e) in t.events.iter().enumerate() {
                let sig = e.event.replace(' ', "");
                if !sig.ends_with("(address,bool)") || sig.len() <= "(address,bool)".len() {
                    return Err(at(format!(
                        "events[{j}].event `{}`: only events whose data is (address,bool) are supported, e.g. `BatchPosterSet(address,bool)`",
                        e.event
                    )));
                }
            }
            if addresses.is_empty() && t.detect.is_none() {
                return Err(at(
                    "give `addresses` or `detect` (a view function that identifies the contract)"
                        .into(),
                ));
            }
            let detect = match &t.detect {
                Some(d) => {
                    let s = Signature::parse(d).map_err(at)?;
                    let data = s.encode(&[]).map_err(at)?;
                    Some((s, data))
                }
                None => None,
            };
            let mut fields = Vec::new();
            for (j, f) in t.fields.iter().enumerate() {
                let fat = |m: String| at(format!("fields[{j}] `{}`: {m}", f.call));
                let s = Signature::parse(&f.call).map_err(fat)?;
                let args: Vec<String> = f.args.iter().map(ArgValue::text).collect();
                let data = s.encode(&args).map_err(fat)?;
                if f.returns == Returns::Addresses && f.word != 0 {
                    return Err(fat("`word` applies to static returns only".into()));
                }
                let is_addr = matches!(f.returns, Returns::Address | Returns::Addresses);
                if f.power.is_some() && !is_addr {
                    return Err(fat("`power` needs an address-returning function".into()));
                }
                match f.exit {
                    Some(ExitItem::Proposing | ExitItem::Challenging)
                        if !is_addr && f.permissionless_when.is_empty() =>
                    {
                        return Err(fat(
                            "proposing/challenging from a non-address value needs `permissionless_when`".into(),
                        ));
                    }
                    Some(ExitItem::Proposing | ExitItem::Challenging) => {}
                    Some(_) if f.returns != Returns::Uint => {
                        return Err(fat("a duration needs `returns = \"uint\"`".into()));
                    }
                    _ => {}
                }
                if f.relay_delay && (f.returns != Returns::Uint || t.acts_as.is_none()) {
                    return Err(fat(
                        "`relay_delay` needs a uint and `acts_as = \"relay\"`".into()
                    ));
                }
                if f.duration.is_some()
                    && !matches!(
                        f.power,
                        Some(PowerKind::PauseWithdrawals | PowerKind::Blocklist)
                    )
                {
                    return Err(fat(
                        "`duration` applies to pause-withdrawals and blocklist powers".into(),
                    ));
                }
                fields.push((s, data));
            }
            for (j, r) in t.roles.iter().enumerate() {
                if r.power.is_none() && r.exit.is_none() {
                    return Err(at(format!(
                        "roles[{j}] `{}`: map it to a `power` or an `exit` list",
                        r.role
                    )));
                }
                // The same rule as for fields and in project files: a
                // duration bounds a pause or a blocklist, nothing else.
                if r.duration.is_some()
                    && !matches!(
                        r.power,
                        Some(PowerKind::PauseWithdrawals | PowerKind::Blocklist)
                    )
                {
                    return Err(at(format!(
                        "roles[{j}]: `duration` applies to pause-withdrawals and blocklist powers"
                    )));
                }
                if matches!(
                    r.exit,
                    Some(
                        ExitItem::ForcedInclusion | ExitItem::SelfPropose | ExitItem::Finalization
                    )
                ) {
                    return Err(at(format!(
                        "roles[{j}]: role holders can only be on the proposing or challenging list"
                    )));
                }
            }
            if t.acts_as == Some(ActsAs::Relay) && t.senders_role.is_none() && t.senders.is_empty()
            {
                return Err(at("a relay needs `senders_role` or `senders`".into()));
            }
            if t.acts_as == Some(ActsAs::Relay)
                && t.delay.is_none()
                && !t.fields.iter().any(|f| f.relay_delay)
            {
                return Err(at(
                    "a relay needs a `delay` (literal) or a field with `relay_delay = true`".into(),
                ));
            }
            out.push(Compiled {
                template: t.clone(),
                addresses,
                detect,
                fields,
            });
        }
        Ok(out)
    }

    /// Role names the crawl recognises: defaults plus every name the config uses.
    pub fn role_names(&self) -> Vec<String> {
        let mut names: Vec<String> = crate::abi::KNOWN_ROLES
            .iter()
            .map(|s| s.to_string())
            .collect();
        names.extend(self.discovery.roles.iter().cloned());
        for t in &self.contracts {
            names.extend(t.roles.iter().map(|r| r.role.clone()));
            names.extend(t.senders_role.iter().cloned());
        }
        names.retain(|n| !n.starts_with("0x"));
        names.sort();
        names.dedup();
        names
    }
}

pub fn parse_address(s: &str) -> std::result::Result<Address, String> {
    let t = s.trim();
    if !(t.len() == 42 && t.starts_with("0x")) {
        return Err(format!("`{s}` is not an address (0x and 40 hex digits)"));
    }
    t.parse::<Address>()
        .map_err(|_| format!("`{s}` is not an address (0x and 40 hex digits)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_config_parses() {
        let cfg = Config::parse(
            r#"
[discovery]
name = "test"
roles = ["SEQUENCER_ROLE"]

[names."0x0000000000000000000000000000000000000001"]
name = "Alice"
affiliation = "outside"

[exit]
forced_inclusion = "1d"
proposing = "permissionless"

[[contracts]]
name = "Bridge"
detect = "finalizationPeriodSeconds()"
[[contracts.fields]]
call = "finalizationPeriodSeconds()"
returns = "uint"
exit = "finalization"
[[contracts.roles]]
role = "PAUSER_ROLE"
power = "pause-withdrawals"
"#,
        )
        .unwrap();
        assert_eq!(cfg.compile().unwrap().len(), 1);
        assert!(cfg.role_names().contains(&"SEQUENCER_ROLE".to_string()));
        assert!(cfg.name_of(Address::with_last_byte(1)).is_some());
    }

    #[test]
    fn the_shipped_stack_configs_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../discovery");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().and_then(|x| x.to_str()) == Some("toml") {
                let cfg = Config::load(&p).unwrap_or_else(|e| panic!("{e}"));
                assert!(!cfg.contracts.is_empty(), "{}", p.display());
                n += 1;
            }
        }
        assert!(n >= 2);
    }

    #[test]
    fn bad_configs_are_refused_with_the_field() {
        for (text, want) in [
            (
                "[[contracts]]\nname = \"x\"\n",
                "give `addresses` or `detect`",
            ),
            (
                "[[contracts]]\nname = \"x\"\ndetect = \"f(string)\"\n",
                "unsupported argument type",
            ),
            (
                "[[contracts]]\nname = \"x\"\ndetect = \"f()\"\n[[contracts.fields]]\ncall = \"g()\"\nreturns = \"uint\"\npower = \"upgrade\"\n",
                "needs an address",
            ),
            ("stop = [\"0x12\"]\n", "not an address"),
            ("[discovery]\nmax_dept = 3\n", "unknown field"),
            (
                "[[contracts]]\nname = \"x\"\ndetect = \"f()\"\nacts_as = \"relay\"\n",
                "senders",
            ),
            (
                "[[contracts]]\nname = \"x\"\ndetect = \"f()\"\n[[contracts.roles]]\nrole = \"UPGRADER_ROLE\"\npower = \"upgrade\"\nduration = \"30d\"\n",
                "roles[0]: `duration` applies to pause-withdrawals and blocklist powers",
            ),
            (
                "[[contracts]]\nname = \"x\"\ndetect = \"f()\"\n[[contracts.events]]\nevent = \"Set(address)\"\npower = \"sequence\"\n",
                "events[0].event `Set(address)`: only events whose data is (address,bool)",
            ),
        ] {
            let e = Config::parse(text).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}
