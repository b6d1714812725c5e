//! Chain profiles (`catalog/chains/<chain_id>.toml`): for each token symbol
//! a project's escrows may hold, its address on that chain (ETH has none),
//! its class (`eth`, `stablecoin` for the major stablecoins, `other`), its
//! decimals, and the Chainlink-style `AggregatorV3Interface` USD price feed
//! to read with the largest age of a round still accepted. docs/discovery.md
//! ("Value locked") describes the format.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use alloy::primitives::Address;
use serde::{Deserialize, Serialize};

use crate::config::parse_address;
use crate::error::{DiscoveryError, Result};

/// Largest profile file read.
pub const MAX_PROFILE_BYTES: u64 = 1024 * 1024;
/// Most tokens in one profile.
pub const MAX_TOKENS: usize = 1_000;
/// Longest accepted `max_staleness_seconds`: 30 days.
pub const MAX_STALENESS_SECONDS: u64 = 30 * 86_400;

/// How a token counts for BattleTested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenClass {
    /// ETH and ETH wrapped one to one (WETH).
    Eth,
    /// A major stablecoin (USDC, USDT, DAI…).
    Stablecoin,
    Other,
}

impl TokenClass {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenClass::Eth => "eth",
            TokenClass::Stablecoin => "stablecoin",
            TokenClass::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    pub symbol: String,
    /// The ERC-20 contract; `None` for the chain's native ETH.
    pub address: Option<Address>,
    pub class: TokenClass,
    pub decimals: u8,
    /// `AggregatorV3Interface` giving the token's price in USD.
    pub feed: Address,
    /// A round older than this before the block's time is stale.
    pub max_staleness_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainProfile {
    pub chain_id: u64,
    pub name: Option<String>,
    /// By symbol.
    pub tokens: BTreeMap<String, Token>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    chain_id: toml::Spanned<u64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    tokens: BTreeMap<toml::Spanned<String>, RawToken>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToken {
    #[serde(default)]
    address: Option<toml::Spanned<String>>,
    class: TokenClass,
    decimals: toml::Spanned<u8>,
    feed: toml::Spanned<String>,
    max_staleness_seconds: toml::Spanned<u64>,
}

fn line_of(text: &str, span: Range<usize>) -> usize {
    text.get(..span.start.min(text.len()))
        .map(|s| s.matches('\n').count() + 1)
        .unwrap_or(1)
}

impl ChainProfile {
    /// Read `path`; every error names the file, the line and the field.
    pub fn load(path: &Path) -> Result<ChainProfile> {
        let shown = path.display().to_string();
        // A regular file only (a link to /dev/zero or a FIFO would be read
        // without end), of at most MAX_PROFILE_BYTES, read no further.
        let text = l2stage_model::read_text(path, MAX_PROFILE_BYTES)
            .map_err(|e| DiscoveryError::Input(format!("cannot read chain profile: {e}")))?;
        ChainProfile::parse(&text).map_err(|e| DiscoveryError::Input(format!("{shown}:{e}")))
    }

    /// The profile of `chain_id` in `dir` (`<dir>/<chain_id>.toml`).
    pub fn load_for(dir: &Path, chain_id: u64) -> Result<ChainProfile> {
        let path = dir.join(format!("{chain_id}.toml"));
        let p = ChainProfile::load(&path)?;
        if p.chain_id != chain_id {
            return Err(DiscoveryError::Input(format!(
                "{}: chain_id is {}, but the file is named for chain {chain_id}",
                path.display(),
                p.chain_id
            )));
        }
        Ok(p)
    }

    /// Parse a profile's text. Errors read `LINE: FIELD: message`.
    pub fn parse(text: &str) -> std::result::Result<ChainProfile, String> {
        let raw: RawProfile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s)).unwrap_or(1);
            format!("{line}: {}", e.message().trim())
        })?;
        let at = |span: Range<usize>, field: &str, msg: String| {
            format!("{}: {field}: {msg}", line_of(text, span))
        };
        if *raw.chain_id.get_ref() == 0 {
            return Err(at(
                raw.chain_id.span(),
                "chain_id",
                "must be above 0".into(),
            ));
        }
        if raw.tokens.len() > MAX_TOKENS {
            return Err(format!(
                "1: tokens: {} tokens, more than the limit of {MAX_TOKENS}",
                raw.tokens.len()
            ));
        }
        let mut tokens = BTreeMap::new();
        for (sym, t) in raw.tokens {
            let symbol = sym.get_ref().clone();
            let field = |f: &str| format!("tokens.{symbol}.{f}");
            if symbol.is_empty()
                || symbol.len() > 32
                || !symbol
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            {
                return Err(at(
                    sym.span(),
                    "tokens",
                    format!(
                        "`{}` is not a token symbol (1 to 32 letters, digits, `.`, `-`, `_`)",
                        l2stage_model::text::quote(&symbol)
                    ),
                ));
            }
            let address = match (&t.address, symbol.as_str()) {
                (None, "ETH") => None,
                (Some(a), "ETH") => {
                    return Err(at(
                        a.span(),
                        &field("address"),
                        "ETH is the chain's native coin: it has no token address".into(),
                    ));
                }
                (None, _) => {
                    return Err(at(
                        sym.span(),
                        &field("address"),
                        "missing: every token but ETH needs its contract address".into(),
                    ));
                }
                (Some(a), _) => Some(
                    parse_address(a.get_ref()).map_err(|e| at(a.span(), &field("address"), e))?,
                ),
            };
            if symbol == "ETH" && t.class != TokenClass::Eth {
                return Err(at(
                    sym.span(),
                    &field("class"),
                    "ETH must have class \"eth\"".into(),
                ));
            }
            if *t.decimals.get_ref() > 36 {
                return Err(at(
                    t.decimals.span(),
                    &field("decimals"),
                    format!("{} is more than 36", t.decimals.get_ref()),
                ));
            }
            let feed = parse_address(t.feed.get_ref())
                .map_err(|e| at(t.feed.span(), &field("feed"), e))?;
            let stale = *t.max_staleness_seconds.get_ref();
            if stale == 0 || stale > MAX_STALENESS_SECONDS {
                return Err(at(
                    t.max_staleness_seconds.span(),
                    &field("max_staleness_seconds"),
                    format!("{stale} is not between 1 and {MAX_STALENESS_SECONDS} (30 days)"),
                ));
            }
            tokens.insert(
                symbol.clone(),
                Token {
                    symbol,
                    address,
                    class: t.class,
                    decimals: *t.decimals.get_ref(),
                    feed,
                    max_staleness_seconds: stale,
                },
            );
        }
        Ok(ChainProfile {
            chain_id: *raw.chain_id.get_ref(),
            name: raw.name,
            tokens,
        })
    }

    /// The token `symbol`, or an error listing the known symbols.
    pub fn token(&self, symbol: &str) -> std::result::Result<&Token, String> {
        self.tokens.get(symbol).ok_or_else(|| {
            format!(
                "token `{}` is not in the profile of chain {} (known: {})",
                l2stage_model::text::quote(symbol),
                self.chain_id,
                self.tokens.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"chain_id = 1
name = "Ethereum"

[tokens.ETH]
class = "eth"
decimals = 18
feed = "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419"
max_staleness_seconds = 5400

[tokens.USDC]
address = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
class = "stablecoin"
decimals = 6
feed = "0x8fFfFfd4AfB6115b954Bd326cbe7B4BA576818f6"
max_staleness_seconds = 88200
"#;

    #[test]
    fn parses() {
        let p = ChainProfile::parse(GOOD).unwrap();
        assert_eq!(p.chain_id, 1);
        assert_eq!(p.tokens["ETH"].address, None);
        assert_eq!(p.tokens["USDC"].decimals, 6);
        assert_eq!(p.tokens["USDC"].class, TokenClass::Stablecoin);
        assert_eq!(p.tokens["USDC"].max_staleness_seconds, 88200);
    }

    #[test]
    fn errors_name_the_line_and_field() {
        let bad = GOOD.replace(
            "0x8fFfFfd4AfB6115b954Bd326cbe7B4BA576818f6",
            "0x8fFfFfd4AfB6115b954Bd326cbe7B4BA576818",
        );
        let e = ChainProfile::parse(&bad).unwrap_err();
        assert!(e.starts_with("14: tokens.USDC.feed: "), "{e}");
        let e = ChainProfile::parse(&GOOD.replace("decimals = 6", "decimals = 60")).unwrap_err();
        assert!(
            e.starts_with("13: tokens.USDC.decimals: 60 is more than 36"),
            "{e}"
        );
        let e = ChainProfile::parse(&GOOD.replace("decimals = 6\n", "decimals = 6\ncolour = 1\n"))
            .unwrap_err();
        assert!(e.starts_with("14: ") && e.contains("colour"), "{e}");
        let e = ChainProfile::parse(
            &GOOD.replace("max_staleness_seconds = 5400", "max_staleness_seconds = 0"),
        )
        .unwrap_err();
        assert!(
            e.starts_with("8: tokens.ETH.max_staleness_seconds: 0 is not between"),
            "{e}"
        );
        let e = ChainProfile::parse(&GOOD.replace("address = \"0xA0b8", "#address = \"0xA0b8"))
            .unwrap_err();
        assert!(e.starts_with("10: tokens.USDC.address: missing"), "{e}");
        let e =
            ChainProfile::parse(&GOOD.replace("class = \"eth\"", "class = \"gold\"")).unwrap_err();
        assert!(e.starts_with("5: "), "{e}");
    }

    #[test]
    fn only_a_small_regular_file_is_read() {
        let dir = tempfile_dir();
        let big = dir.join("1.toml");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_PROFILE_BYTES + 1)
            .unwrap();
        let e = ChainProfile::load_for(&dir, 1).unwrap_err().to_string();
        assert!(e.contains("larger than the 1 MiB allowed"), "{e}");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/dev/zero", dir.join("2.toml")).unwrap();
            let e = ChainProfile::load_for(&dir, 2).unwrap_err().to_string();
            assert!(e.contains("not a regular file"), "{e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "l2stage-profile-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn the_shipped_mainnet_profile_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/chains");
        let p = ChainProfile::load_for(&dir, 1).unwrap();
        for s in ["ETH", "WETH", "USDC", "USDT", "DAI"] {
            assert!(p.tokens.contains_key(s), "{s}");
        }
        assert_eq!(p.tokens["WETH"].feed, p.tokens["ETH"].feed);
        assert_eq!(p.tokens["USDT"].decimals, 6);
    }
}
