//! `[discovery]`: the recipe that lets `l2stage watch` re-read a project
//! from the chain — which chain, where the crawl starts, which discovery
//! config drives it, and which escrows hold the value locked.
//!
//! Only the format lives here; reading the chain is `l2stage-discovery`'s
//! job and running the recipe is `l2stage-watch`'s.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use crate::governance::{FieldError, PathSeg};

/// Most crawl entries in one recipe.
pub const MAX_ENTRIES: usize = 1_000;
/// Most escrows in one recipe.
pub const MAX_ESCROWS: usize = 1_000;
/// Most token symbols in one escrow.
pub const MAX_TOKENS: usize = 100;
/// Longest `config` path, in bytes.
pub const MAX_CONFIG_PATH: usize = 1_024;

/// How to re-read the project from the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryRecipe {
    /// The chain the contracts live on (1 for Ethereum mainnet).
    #[schemars(range(min = 1))]
    pub chain_id: u64,
    /// Where the crawl starts: 1 to 1,000 contract addresses.
    #[schemars(length(min = 1, max = 1000))]
    pub entries: Vec<EvmAddress>,
    /// The discovery config (`discovery/*.toml`), relative to the directory
    /// holding the project file; `..` is allowed (the catalog's configs sit
    /// beside it), an absolute path is not.
    #[schemars(length(min = 1, max = 1024))]
    pub config: String,
    /// The contracts holding the project's value locked, and the tokens
    /// to count in each (symbols of the chain profile).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 1000))]
    pub escrows: Vec<Escrow>,
}

/// One escrow: a contract and the tokens it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Escrow {
    pub address: EvmAddress,
    /// Token symbols as the chain profile names them (`ETH` is the native
    /// balance): 1 to 100, each listed once.
    #[schemars(length(min = 1, max = 100))]
    pub tokens: Vec<TokenSymbol>,
}

/// A 20-byte address written `0x` + 40 hex digits (any case; the spelling
/// is kept).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct EvmAddress(String);

impl EvmAddress {
    pub fn parse(s: &str) -> Result<EvmAddress, String> {
        let hex = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"));
        match hex {
            Some(h) if h.len() == 40 && h.bytes().all(|c| c.is_ascii_hexdigit()) => {
                Ok(EvmAddress(s.to_string()))
            }
            _ => Err(format!(
                "invalid address `{s}`: write 0x followed by 40 hex digits"
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Lowercase `0x…`, for comparing two spellings.
    pub fn lowercase(&self) -> String {
        format!("0x{}", self.0[2..].to_ascii_lowercase())
    }
}

impl fmt::Display for EvmAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EvmAddress {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        EvmAddress::parse(&s).map_err(de::Error::custom)
    }
}

impl schemars::JsonSchema for EvmAddress {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EvmAddress".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^0[xX][0-9a-fA-F]{40}$"
        })
    }
}

/// A token symbol: 1 to 16 ASCII letters, digits, `.`, `-` or `_`
/// (`ETH`, `USDC`, `wstETH`, `USDC.e`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct TokenSymbol(String);

impl TokenSymbol {
    pub fn parse(s: &str) -> Result<TokenSymbol, String> {
        let ok = !s.is_empty()
            && s.len() <= 16
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'));
        if ok {
            Ok(TokenSymbol(s.to_string()))
        } else {
            Err(format!(
                "invalid token symbol `{s}`: use 1-16 letters, digits, `.`, `-` or `_`, e.g. `USDC`"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TokenSymbol {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        TokenSymbol::parse(&s).map_err(de::Error::custom)
    }
}

impl schemars::JsonSchema for TokenSymbol {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TokenSymbol".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[A-Za-z0-9._-]{1,16}$"
        })
    }
}

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.to_string())
}

fn at(rest: &[PathSeg]) -> Vec<PathSeg> {
    std::iter::once(key("discovery"))
        .chain(rest.iter().cloned())
        .collect()
}

const LIMITS_HINT: &str = "see \"Limits\" in docs/project-format.md";

impl DiscoveryRecipe {
    /// Checks serde cannot express: counts, duplicates, the config path.
    pub fn validate(&self) -> Result<(), FieldError> {
        let err = |path: Vec<PathSeg>, message: String, hint: Option<&str>| FieldError {
            path: at(&path),
            message,
            hint: hint.map(str::to_string),
        };
        if self.chain_id == 0 {
            return Err(err(
                vec![key("chain_id")],
                "chain id 0 is not a chain".into(),
                Some("Ethereum mainnet is 1"),
            ));
        }
        if self.entries.is_empty() {
            return Err(err(
                vec![key("entries")],
                "no entries: the crawl needs at least one address to start from".into(),
                None,
            ));
        }
        if self.entries.len() > MAX_ENTRIES {
            return Err(err(
                vec![key("entries"), PathSeg::Index(MAX_ENTRIES)],
                format!(
                    "{} entries, more than the {MAX_ENTRIES} a recipe may have",
                    self.entries.len()
                ),
                Some(LIMITS_HINT),
            ));
        }
        let mut seen = std::collections::HashSet::with_capacity(self.entries.len());
        for (i, e) in self.entries.iter().enumerate() {
            if !seen.insert(e.lowercase()) {
                return Err(err(
                    vec![key("entries"), PathSeg::Index(i)],
                    format!("entry {e} is listed twice"),
                    None,
                ));
            }
        }
        check_config_path(&self.config).map_err(|m| {
            err(
                vec![key("config")],
                m,
                Some("e.g. config = \"../discovery/op-stack.toml\""),
            )
        })?;
        if self.escrows.len() > MAX_ESCROWS {
            return Err(err(
                vec![key("escrows"), PathSeg::Index(MAX_ESCROWS)],
                format!(
                    "{} escrows, more than the {MAX_ESCROWS} a recipe may have",
                    self.escrows.len()
                ),
                Some(LIMITS_HINT),
            ));
        }
        let mut seen = std::collections::HashSet::with_capacity(self.escrows.len());
        for (i, e) in self.escrows.iter().enumerate() {
            let path = |rest: &[PathSeg]| -> Vec<PathSeg> {
                [key("escrows"), PathSeg::Index(i)]
                    .into_iter()
                    .chain(rest.iter().cloned())
                    .collect()
            };
            if !seen.insert(e.address.lowercase()) {
                return Err(err(
                    path(&[key("address")]),
                    format!("escrow {} is listed twice", e.address),
                    Some("list every token of an escrow in one entry"),
                ));
            }
            if e.tokens.is_empty() {
                return Err(err(
                    path(&[key("tokens")]),
                    "no tokens: name at least one, e.g. tokens = [\"ETH\"]".into(),
                    None,
                ));
            }
            if e.tokens.len() > MAX_TOKENS {
                return Err(err(
                    path(&[key("tokens"), PathSeg::Index(MAX_TOKENS)]),
                    format!(
                        "{} tokens, more than the {MAX_TOKENS} an escrow may have",
                        e.tokens.len()
                    ),
                    Some(LIMITS_HINT),
                ));
            }
            for (j, t) in e.tokens.iter().enumerate() {
                if e.tokens[..j].contains(t) {
                    return Err(err(
                        path(&[key("tokens"), PathSeg::Index(j)]),
                        format!("token `{t}` is listed twice"),
                        None,
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The config path: relative, non-empty, bounded, a `.toml` file name, no
/// control character. Where it leads once resolved is checked when it is
/// read (`l2stage-watch`).
fn check_config_path(p: &str) -> Result<(), String> {
    if p.trim().is_empty() {
        return Err("the config path is empty".into());
    }
    if p.len() > MAX_CONFIG_PATH {
        return Err(format!(
            "the config path is {} bytes, more than the {MAX_CONFIG_PATH} allowed",
            p.len()
        ));
    }
    if p.chars().any(char::is_control) {
        return Err(format!(
            "the config path `{}` contains a control character",
            crate::text::quote(p)
        ));
    }
    let b = p.as_bytes();
    let drive = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
    if p.starts_with('/') || p.starts_with('\\') || drive {
        return Err(format!(
            "`{p}` is absolute: write it relative to the project file"
        ));
    }
    if !p.ends_with(".toml") {
        return Err(format!(
            "`{}` is not a `.toml` file: a discovery config is TOML",
            crate::text::quote(p)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_symbols() {
        assert!(EvmAddress::parse("0xbEb5Fc579115071764c7423A4f12eDde41f106Ed").is_ok());
        assert!(EvmAddress::parse("0xbEb5Fc579115071764c7423A4f12eDde41f106E").is_err());
        assert!(EvmAddress::parse("bEb5Fc579115071764c7423A4f12eDde41f106Edd0").is_err());
        assert!(EvmAddress::parse("0xgEb5Fc579115071764c7423A4f12eDde41f106Ed").is_err());
        assert_eq!(
            EvmAddress::parse("0xAB00000000000000000000000000000000000000")
                .unwrap()
                .lowercase(),
            "0xab00000000000000000000000000000000000000"
        );
        for ok in ["ETH", "USDC.e", "wstETH", "a_b-c"] {
            assert!(TokenSymbol::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "US DC", "ÉTH", "ABCDEFGHIJKLMNOPQ"] {
            assert!(TokenSymbol::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn config_paths() {
        assert!(check_config_path("../discovery/op-stack.toml").is_ok());
        for bad in [
            "",
            "  ",
            "/etc/x.toml",
            "\\x",
            "C:x.toml",
            "a\0b.toml",
            "a\u{1b}[31m.toml",
            "../../../../etc/passwd",
            "x.toml/",
        ] {
            assert!(check_config_path(bad).is_err(), "{bad:?}");
        }
    }
}
