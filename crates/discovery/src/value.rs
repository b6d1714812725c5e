//! Value locked read on chain: the balances of a project's escrows at the
//! block of each date (`eth_getBalance` for ETH, `balanceOf` for tokens),
//! priced with each token's USD feed (`latestRoundData` and `decimals` of a
//! Chainlink `AggregatorV3Interface`, read at the same block), split into
//! ETH, major stablecoins and other (the classes of the chain profile).
//!
//! Every date's reads go out in one wave with all the other dates' (after
//! the binary search for the blocks, [`crate::blocks`]). A price that cannot
//! be trusted is an error for that date's point, never a guess: a round
//! that reverts or is missing, an answer of zero or less, a round updated
//! more than the profile's `max_staleness_seconds` before the block's time
//! (or after it), a round answered in an earlier round.
//!
//! Amounts: each holding is worth `balance × answer / 10^(token decimals +
//! feed decimals)` US dollars, computed exactly and floored to a millionth of
//! a dollar; each class's sum is floored to whole dollars.

use std::collections::BTreeMap;

use alloy::primitives::{Address, I256, U256};
use serde::Serialize;
use serde_json::{Value as Json, json};

use l2stage_model::Date;

use crate::blocks::{BlockReader, BlockRef, blocks_at, show_time};
use crate::chain_profile::{ChainProfile, Token, TokenClass};
use crate::error::{DiscoveryError, Result};

/// `balanceOf(address)`.
const BALANCE_OF: [u8; 4] = [0x70, 0xa0, 0x82, 0x31];
/// `latestRoundData()`.
const LATEST_ROUND_DATA: [u8; 4] = [0xfe, 0xaf, 0x96, 0x8c];
/// `decimals()`.
const DECIMALS: [u8; 4] = [0x31, 0x3c, 0xe5, 0x67];

/// Most escrows, and tokens per escrow, valued in one request.
pub const MAX_ESCROWS: usize = 1_000;
pub const MAX_TOKENS_PER_ESCROW: usize = 100;

/// An address holding a project's funds, and the tokens to count there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escrow {
    pub address: Address,
    pub tokens: Vec<String>,
}

/// A holding valued at one block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holding {
    pub escrow: Address,
    pub symbol: String,
    pub class: TokenClass,
    /// The raw balance (smallest units), in decimal.
    pub balance: String,
    /// Whole US dollars, floored.
    pub usd: u64,
}

/// A price read at one block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Price {
    pub feed: Address,
    pub round_id: String,
    /// The raw answer, in decimal; `decimals` places.
    pub answer: String,
    pub decimals: u8,
    pub updated_at: u64,
}

/// The value locked at the block of one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reading {
    pub date: Date,
    pub block: u64,
    pub block_timestamp: u64,
    pub eth_usd: u64,
    pub stablecoin_usd: u64,
    pub other_usd: u64,
    pub holdings: Vec<Holding>,
    /// By feed address.
    pub prices: BTreeMap<String, Price>,
}

impl Reading {
    pub fn total_usd(&self) -> u64 {
        self.eth_usd
            .saturating_add(self.stablecoin_usd)
            .saturating_add(self.other_usd)
    }
}

/// One date's outcome: its reading, or why it has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointError {
    pub date: Date,
    pub block: Option<u64>,
    pub reason: String,
}

pub type Outcome = std::result::Result<Reading, PointError>;

/// 00:00:00 UTC of `date`, in seconds since 1970.
pub fn midnight(date: Date) -> u64 {
    date.0
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
        .and_then(|t| u64::try_from(t).ok())
        .unwrap_or(0)
}

/// Check the escrows against the profile and the limits; resolve tokens.
fn resolve<'p>(profile: &'p ChainProfile, escrows: &[Escrow]) -> Result<Vec<(Address, &'p Token)>> {
    if escrows.len() > MAX_ESCROWS {
        return Err(DiscoveryError::Input(format!(
            "{} escrows, more than the limit of {MAX_ESCROWS}",
            escrows.len()
        )));
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for e in escrows {
        if e.tokens.len() > MAX_TOKENS_PER_ESCROW {
            return Err(DiscoveryError::Input(format!(
                "escrow {}: {} tokens, more than the limit of {MAX_TOKENS_PER_ESCROW}",
                e.address,
                e.tokens.len()
            )));
        }
        for s in &e.tokens {
            let t = profile
                .token(s)
                .map_err(|m| DiscoveryError::Input(format!("escrow {}: {m}", e.address)))?;
            // Linear: 1,000 escrows of 100 tokens each are 100,000 holdings.
            if seen.insert((e.address, t.symbol.as_str())) {
                out.push((e.address, t));
            }
        }
    }
    Ok(out)
}

fn call(to: Address, data: Vec<u8>, block: u64) -> (&'static str, Json) {
    (
        "eth_call",
        json!([{ "to": to, "data": format!("0x{}", alloy::primitives::hex::encode(data)) }, format!("{block:#x}")]),
    )
}

fn balance_of(holder: Address) -> Vec<u8> {
    let mut d = BALANCE_OF.to_vec();
    d.extend_from_slice(&[0u8; 12]);
    d.extend_from_slice(holder.as_slice());
    d
}

fn hex_data(j: &Json) -> Option<Vec<u8>> {
    let s = j.as_str()?.strip_prefix("0x")?;
    alloy::primitives::hex::decode(s).ok()
}

fn word(data: &[u8], i: usize) -> Option<U256> {
    data.get(i * 32..(i + 1) * 32).map(U256::from_be_slice)
}

fn quantity_u256(j: &Json) -> Option<U256> {
    let s = j.as_str()?.strip_prefix("0x")?;
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    U256::from_str_radix(s, 16).ok()
}

/// Read the value locked at the block of each date (see the module docs).
/// Transport faults fail the call; everything about one date's data is an
/// error for that date only.
pub async fn read_dates(
    reader: &mut BlockReader,
    profile: &ChainProfile,
    escrows: &[Escrow],
    dates: &[Date],
) -> Result<Vec<(Date, Outcome)>> {
    resolve(profile, escrows)?;
    let chain = reader.chain_id().await?;
    if chain != profile.chain_id {
        return Err(DiscoveryError::Input(format!(
            "the node serves chain {chain}, but the profile is for chain {}",
            profile.chain_id
        )));
    }
    let moments: Vec<u64> = dates.iter().map(|d| midnight(*d)).collect();
    let blocks = blocks_at(reader, &moments).await?;
    let mut at = Vec::new();
    let mut out: Vec<(Date, Option<Outcome>)> = Vec::new();
    for (d, b) in dates.iter().zip(blocks) {
        match b {
            Ok(b) => {
                at.push((*d, b));
                out.push((*d, None));
            }
            Err(reason) => out.push((
                *d,
                Some(Err(PointError {
                    date: *d,
                    block: None,
                    reason,
                })),
            )),
        }
    }
    let mut read = read_at_blocks(reader, profile, escrows, &at)
        .await?
        .into_iter();
    Ok(out
        .into_iter()
        .map(|(d, o)| match o {
            Some(o) => (d, o),
            None => read.next().map(|(_, o)| (d, o)).unwrap_or_else(|| {
                (
                    d,
                    Err(PointError {
                        date: d,
                        block: None,
                        reason: "not read".into(),
                    }),
                )
            }),
        })
        .collect())
}

/// Most calls in one wave of [`read_at_blocks`]: the blocks are read in as
/// many waves as it takes (one for a year of daily points of a project of a
/// few dozen holdings; 1,000 escrows of 100 tokens take one wave a block),
/// so that memory stays bounded whatever the dates × holdings asked.
pub const MAX_CALLS_PER_WAVE: usize = 100_000;

/// Read the value locked at given blocks (in waves of at most
/// [`MAX_CALLS_PER_WAVE`] calls: one wave for all of them, usually).
pub async fn read_at_blocks(
    reader: &mut BlockReader,
    profile: &ChainProfile,
    escrows: &[Escrow],
    at: &[(Date, BlockRef)],
) -> Result<Vec<(Date, Outcome)>> {
    let holdings = resolve(profile, escrows)?;
    let mut feeds: Vec<Address> = holdings.iter().map(|(_, t)| t.feed).collect();
    feeds.sort();
    feeds.dedup();
    let per_block = holdings.len() + 2 * feeds.len();
    let mut out = Vec::with_capacity(at.len());
    for wave in at.chunks((MAX_CALLS_PER_WAVE / per_block.max(1)).max(1)) {
        out.extend(read_wave(reader, &holdings, &feeds, per_block, wave).await?);
    }
    Ok(out)
}

async fn read_wave(
    reader: &mut BlockReader,
    holdings: &[(Address, &Token)],
    feeds: &[Address],
    per_block: usize,
    at: &[(Date, BlockRef)],
) -> Result<Vec<(Date, Outcome)>> {
    let mut calls = Vec::with_capacity(per_block * at.len());
    for (_, b) in at {
        for (escrow, t) in holdings {
            calls.push(match t.address {
                None => (
                    "eth_getBalance",
                    json!([escrow, format!("{:#x}", b.number)]),
                ),
                Some(token) => call(token, balance_of(*escrow), b.number),
            });
        }
        for f in feeds {
            calls.push(call(*f, LATEST_ROUND_DATA.to_vec(), b.number));
            calls.push(call(*f, DECIMALS.to_vec(), b.number));
        }
    }
    let answers = reader.wave(&calls).await?;
    let mut out = Vec::with_capacity(at.len());
    for (k, (date, b)) in at.iter().enumerate() {
        let a = &answers[k * per_block..(k + 1) * per_block];
        out.push((*date, value_at(*date, *b, holdings, feeds, a)));
    }
    Ok(out)
}

fn value_at(
    date: Date,
    b: BlockRef,
    holdings: &[(Address, &Token)],
    feeds: &[Address],
    a: &[std::result::Result<Json, String>],
) -> Outcome {
    let fail = |reason: String| PointError {
        date,
        block: Some(b.number),
        reason,
    };
    let mut prices: BTreeMap<Address, (U256, u8, Price)> = BTreeMap::new();
    for (i, f) in feeds.iter().enumerate() {
        let round = &a[holdings.len() + 2 * i];
        let decimals = &a[holdings.len() + 2 * i + 1];
        let what = |m: &str| format!("price feed {f} at block {}: {m}", b.number);
        let round = match round {
            Ok(j) => {
                hex_data(j).ok_or_else(|| fail(what("latestRoundData returned no hex data")))?
            }
            Err(e) => return Err(fail(what(&format!("latestRoundData failed ({e})")))),
        };
        if round.len() < 160 {
            return Err(fail(what(
                "no round (latestRoundData returned too little data)",
            )));
        }
        let decimals = match decimals {
            Ok(j) => hex_data(j)
                .and_then(|d| word(&d, 0))
                .ok_or_else(|| fail(what("decimals returned no word")))?,
            Err(e) => return Err(fail(what(&format!("decimals failed ({e})")))),
        };
        let decimals: u8 = u8::try_from(decimals)
            .ok()
            .filter(|d| *d <= 36)
            .ok_or_else(|| fail(what(&format!("decimals is {decimals}, more than 36"))))?;
        let (round_id, answer, updated, answered_in) = (
            word(&round, 0).unwrap_or_default(),
            word(&round, 1).map(I256::from_raw).unwrap_or_default(),
            word(&round, 3).unwrap_or_default(),
            word(&round, 4).unwrap_or_default(),
        );
        if answer <= I256::ZERO {
            return Err(fail(what(&format!("the answer is {answer}: not a price"))));
        }
        let updated: u64 =
            u64::try_from(updated).map_err(|_| fail(what("updatedAt does not fit a timestamp")))?;
        let token = holdings.iter().find(|(_, t)| t.feed == *f).map(|(_, t)| *t);
        let max_age = holdings
            .iter()
            .filter(|(_, t)| t.feed == *f)
            .map(|(_, t)| t.max_staleness_seconds)
            .min()
            .unwrap_or(0);
        if updated == 0 {
            return Err(fail(what(
                "the round has no update time (updatedAt = 0): no round",
            )));
        }
        if updated > b.timestamp {
            return Err(fail(what(&format!(
                "the round's update time {} is after the block's time {}",
                show_time(updated),
                show_time(b.timestamp)
            ))));
        }
        if b.timestamp - updated > max_age {
            return Err(fail(what(&format!(
                "stale round: updated at {}, {} s before the block's time {}, more than the {} s allowed for {}",
                show_time(updated),
                b.timestamp - updated,
                show_time(b.timestamp),
                max_age,
                token.map(|t| t.symbol.as_str()).unwrap_or("its tokens")
            ))));
        }
        if answered_in < round_id {
            return Err(fail(what(&format!(
                "stale round: round {round_id} was answered in the earlier round {answered_in}"
            ))));
        }
        let answer = answer.into_raw();
        prices.insert(
            *f,
            (
                answer,
                decimals,
                Price {
                    feed: *f,
                    round_id: round_id.to_string(),
                    answer: answer.to_string(),
                    decimals,
                    updated_at: updated,
                },
            ),
        );
    }
    let million = U256::from(1_000_000u64);
    let mut micro: BTreeMap<TokenClass, U256> = BTreeMap::new();
    let mut out_holdings = Vec::with_capacity(holdings.len());
    for (i, (escrow, t)) in holdings.iter().enumerate() {
        let what = |m: &str| format!("{} of {escrow} at block {}: {m}", t.symbol, b.number);
        let balance = match (&a[i], t.address) {
            (Ok(j), None) => {
                quantity_u256(j).ok_or_else(|| fail(what("eth_getBalance returned no quantity")))?
            }
            (Ok(j), Some(_)) => hex_data(j)
                .filter(|d| d.len() == 32)
                .and_then(|d| word(&d, 0))
                .ok_or_else(|| fail(what("balanceOf did not return one word")))?,
            (Err(e), _) => return Err(fail(what(&format!("balance read failed ({e})")))),
        };
        let (answer, fdec, _) = &prices[&t.feed];
        let scale = U256::from(10u64).pow(U256::from(u64::from(t.decimals) + u64::from(*fdec)));
        let v = balance
            .checked_mul(*answer)
            .and_then(|x| x.checked_mul(million))
            .ok_or_else(|| fail(what("the value overflows")))?
            / scale;
        let sum = micro.entry(t.class).or_default();
        *sum = sum
            .checked_add(v)
            .ok_or_else(|| fail(what("the value overflows")))?;
        out_holdings.push(Holding {
            escrow: *escrow,
            symbol: t.symbol.clone(),
            class: t.class,
            balance: balance.to_string(),
            usd: u64::try_from(v / million).unwrap_or(u64::MAX),
        });
    }
    let whole = |c: TokenClass| -> std::result::Result<u64, PointError> {
        let v = micro.get(&c).copied().unwrap_or_default() / million;
        u64::try_from(v).map_err(|_| fail(format!("the {} value does not fit 64 bits", c.as_str())))
    };
    Ok(Reading {
        date,
        block: b.number,
        block_timestamp: b.timestamp,
        eth_usd: whole(TokenClass::Eth)?,
        stablecoin_usd: whole(TokenClass::Stablecoin)?,
        other_usd: whole(TokenClass::Other)?,
        holdings: out_holdings,
        prices: prices
            .into_iter()
            .map(|(a, (_, _, p))| (a.to_string(), p))
            .collect(),
    })
}

/// The dates from `from` to `to` inclusive, every `step_days` days.
pub fn dates(from: Date, to: Date, step_days: u64) -> std::result::Result<Vec<Date>, String> {
    if step_days == 0 {
        return Err("the step must be at least 1 day".into());
    }
    if to < from {
        return Err(format!("--to {to} is before --from {from}"));
    }
    let n = from.days_until(to) as u64 / step_days + 1;
    if n > 20_000 {
        return Err(format!("{n} dates: more than the limit of 20000"));
    }
    let mut out = Vec::with_capacity(n as usize);
    let mut d = from;
    while d <= to {
        out.push(d);
        match d.0.checked_add_days(chrono::Days::new(step_days)) {
            Some(n) => d = Date(n),
            None => break,
        }
    }
    Ok(out)
}
