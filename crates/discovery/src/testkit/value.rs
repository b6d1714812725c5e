//! Value-locked fixtures (feature `testkit`): an escrow (a real OpenZeppelin
//! 5 `TransparentUpgradeableProxy`) holding ETH and two ERC-20 tokens built
//! on OpenZeppelin's `ERC20` (`USDX`, 6 decimals, a stablecoin; `OTHR`, 18
//! decimals), priced by three Chainlink `MockV3Aggregator`s (8 decimals),
//! and days simulated on anvil: on each day, at 12:00:00 UTC and the next
//! seconds, one block per feed update. The Chainlink and token bytecode is
//! compiled from the npm packages by `contracts/real/compile.mjs`.

use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::providers::Provider;
use alloy::providers::ext::AnvilApi;
use alloy::rpc::types::TransactionRequest;
use alloy::sol;
use alloy::sol_types::{SolCall, SolValue};

use l2stage_model::Date;

use super::Chain;
use super::real::{OZ_TRANSPARENT_PROXY, real_bytecode, upgrade_and_call};
use crate::chain_profile::ChainProfile;
use crate::value::{Escrow, midnight};

sol! {
    function updateAnswer(int256 answer) external;
}

pub const AGGREGATOR: &str = ".l2stage/MockV3Aggregator.json";
pub const TOKEN: &str = ".l2stage/Token.json";

/// 20,000 ETH in the escrow.
pub const ESCROW_ETH: u128 = 20_000;
/// 45,000,000 USDX in the escrow.
pub const ESCROW_USDX: u128 = 45_000_000;
/// 1,000,000 OTHR in the escrow.
pub const ESCROW_OTHR: u128 = 1_000_000;

/// Prices of one day in whole dollars; `None`: that feed is not updated.
#[derive(Debug, Clone, Copy)]
pub struct DayPrices {
    pub eth: Option<i64>,
    pub usdx: Option<i64>,
    pub othr: Option<i64>,
}

/// The last block of a simulated day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayEnd {
    pub date: Date,
    pub block: u64,
    pub timestamp: u64,
}

pub struct ValueKit {
    pub escrow: Address,
    pub proxy_admin: Address,
    pub usdx: Address,
    pub othr: Address,
    pub eth_feed: Address,
    pub usdx_feed: Address,
    pub othr_feed: Address,
    /// Every simulated day, in order.
    pub days: Vec<DayEnd>,
}

impl Chain {
    /// Send and wait for the block mining it (polling the block number: no
    /// receipt polling interval); the block.
    pub async fn send_now(&self, from: Address, to: Address, data: Vec<u8>) -> u64 {
        let before = self.block_number().await;
        let tx = TransactionRequest::default()
            .with_from(from)
            .with_to(to)
            .with_input(Bytes::from(data))
            .with_gas_limit(1_000_000);
        let _mined = self.provider.send_transaction(tx).await.expect("send");
        self.wait_for_block(before + 1).await
    }
}

impl Chain {
    /// Wait until block `n` is mined (anvil mines a sent transaction just
    /// after answering); `n`.
    pub async fn wait_for_block(&self, n: u64) -> u64 {
        for _ in 0..1_000 {
            if self.block_number().await >= n {
                return n;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        panic!("block {n} was not mined");
    }
}

impl ValueKit {
    /// Deploy the escrow, the tokens and the feeds (ETH $3,000, USDX $1,
    /// OTHR $1) at the chain's current time.
    pub async fn deploy(chain: &Chain) -> ValueKit {
        let feed = |answer: i64| {
            let mut args = U256::from(8u8).abi_encode();
            args.extend(
                alloy::primitives::I256::try_from(answer * 100_000_000)
                    .unwrap()
                    .abi_encode(),
            );
            args
        };
        let eth_feed = chain.deploy_real(AGGREGATOR, feed(3_000)).await;
        let usdx_feed = chain.deploy_real(AGGREGATOR, feed(1)).await;
        let othr_feed = chain.deploy_real(AGGREGATOR, feed(1)).await;
        // The escrow: a transparent proxy (its logic: the first feed, any code).
        let args = (eth_feed, chain.deployer(), Bytes::new()).abi_encode_params();
        let escrow = chain.deploy_real(OZ_TRANSPARENT_PROXY, args).await;
        let admin_slot: B256 = "0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103"
            .parse()
            .unwrap();
        let slot = chain
            .provider
            .get_storage_at(escrow, U256::from_be_bytes(admin_slot.0))
            .await
            .expect("admin slot");
        let proxy_admin = Address::from_slice(&slot.to_be_bytes::<32>()[12..]);
        let token = |name: &str, symbol: &str, places: u8, supply: u128| {
            (
                name.to_string(),
                symbol.to_string(),
                U256::from(places),
                U256::from(supply) * U256::from(10u8).pow(U256::from(places)),
                escrow,
            )
                .abi_encode_params()
        };
        let usdx = chain
            .deploy_code("Token USDX", {
                let mut c = real_bytecode(TOKEN, &[]);
                c.extend(token("USD X", "USDX", 6, ESCROW_USDX));
                c
            })
            .await;
        let othr = chain
            .deploy_code("Token OTHR", {
                let mut c = real_bytecode(TOKEN, &[]);
                c.extend(token("Other", "OTHR", 18, ESCROW_OTHR));
                c
            })
            .await;
        chain
            .provider
            .anvil_set_balance(
                escrow,
                U256::from(ESCROW_ETH) * U256::from(10u8).pow(U256::from(18u8)),
            )
            .await
            .expect("set balance");
        ValueKit {
            escrow,
            proxy_admin,
            usdx,
            othr,
            eth_feed,
            usdx_feed,
            othr_feed,
            days: Vec::new(),
        }
    }

    /// A profile of the test chain: ETH, USDX (stablecoin), OTHR (other);
    /// rounds older than a day and a half hour are stale.
    pub fn profile_toml(&self, chain_id: u64) -> String {
        format!(
            r#"chain_id = {chain_id}
[tokens.ETH]
class = "eth"
decimals = 18
feed = "{}"
max_staleness_seconds = 88200
[tokens.USDX]
address = "{}"
class = "stablecoin"
decimals = 6
feed = "{}"
max_staleness_seconds = 88200
[tokens.OTHR]
address = "{}"
class = "other"
decimals = 18
feed = "{}"
max_staleness_seconds = 88200
"#,
            self.eth_feed, self.usdx, self.usdx_feed, self.othr, self.othr_feed
        )
    }

    pub fn profile(&self, chain_id: u64) -> ChainProfile {
        ChainProfile::parse(&self.profile_toml(chain_id)).expect("test profile")
    }

    pub fn escrows(&self) -> Vec<Escrow> {
        vec![Escrow {
            address: self.escrow,
            tokens: vec!["ETH".into(), "USDX".into(), "OTHR".into()],
        }]
    }

    /// Simulate `date`: the feeds given are updated at 12:00:00 UTC, then
    /// one second apart (a block each); a day without update gets one
    /// empty block at noon.
    pub async fn day(&mut self, chain: &Chain, date: Date, p: DayPrices) {
        let noon = midnight(date) + 12 * 3600;
        let mut t = noon;
        let mut sent = false;
        let before = chain.block_number().await;
        for (feed, price) in [
            (self.eth_feed, p.eth),
            (self.usdx_feed, p.usdx),
            (self.othr_feed, p.othr),
        ] {
            if let Some(price) = price {
                chain
                    .provider
                    .anvil_set_next_block_timestamp(t)
                    .await
                    .expect("set timestamp");
                let answer = alloy::primitives::I256::try_from(price * 100_000_000).unwrap();
                chain
                    .send_now(
                        chain.deployer(),
                        feed,
                        updateAnswerCall { answer }.abi_encode(),
                    )
                    .await;
                t += 1;
                sent = true;
            }
        }
        if !sent {
            chain
                .provider
                .anvil_set_next_block_timestamp(t)
                .await
                .expect("set timestamp");
            chain.mine().await;
            t += 1;
        }
        let blocks = t - noon;
        self.days.push(DayEnd {
            date,
            block: chain.wait_for_block(before + blocks).await,
            timestamp: t - 1,
        });
    }

    /// Upgrade the escrow proxy (a safety-relevant change) in a block at
    /// 12:00:10 UTC of `date` (after that day's feed updates); its block.
    pub async fn upgrade(&mut self, chain: &Chain, date: Date, implementation: Address) -> u64 {
        let before = chain.block_number().await;
        chain
            .provider
            .anvil_set_next_block_timestamp(midnight(date) + 12 * 3600 + 10)
            .await
            .expect("set timestamp");
        chain
            .send_now(
                chain.deployer(),
                self.proxy_admin,
                upgrade_and_call(self.escrow, implementation, Vec::new()),
            )
            .await;
        let block = chain.wait_for_block(before + 1).await;
        let _ = before;
        if let Some(last) = self.days.last_mut()
            && last.date == date
        {
            last.block = block;
            last.timestamp = midnight(date) + 12 * 3600 + 10;
        }
        block
    }

    /// The last simulated day ending before `date` 00:00 UTC.
    pub fn block_for(&self, date: Date) -> Option<DayEnd> {
        let m = midnight(date);
        self.days.iter().rev().find(|d| d.timestamp <= m).copied()
    }
}
