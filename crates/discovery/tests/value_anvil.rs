//! Value locked read on a real node (anvil) from real bytecode (an
//! OpenZeppelin 5 proxy as the escrow, ERC-20 tokens on OpenZeppelin's
//! ERC20, Chainlink MockV3Aggregator feeds), over more than a year of
//! simulated days, then BattleTested computed from what was read.
//!
//! Timeline (each day's feed updates at 12:00 UTC; the point of date D is
//! read at the last block before D 00:00 UTC, i.e. the day before's):
//! * ETH 20,000 × $3,000 = $60M, USDX 45M × $1 = $45M, OTHR 1M × $1 = $1M;
//! * no ETH update on 2030-01-03 and 2030-01-04: the 2030-01-05 point's
//!   ETH round is two days old (stale);
//! * ETH at $2,450 on 2030-07-19 only: the 2030-07-20 point is $95M;
//! * the escrow proxy is upgraded on 2030-08-15;
//! * from 2031-01-15: ETH at $200 ($4M) and OTHR at $60 ($60M): ETH and
//!   stablecoins are $49M of $109M.

use l2stage_discovery::blocks::{BlockReader, blocks_at};
use l2stage_discovery::rpc::{Answer, Read};
use l2stage_discovery::testkit::value::{DayPrices, ValueKit};
use l2stage_discovery::testkit::{self, Chain};
use l2stage_discovery::value::{self, midnight};
use l2stage_discovery::{Rpc, RpcOptions};
use l2stage_labels::battle_tested::{History, LabelStatus, Series};
use l2stage_labels::chain::{ChainChange, ChainData, ChainPoint, evaluate};
use l2stage_model::Date;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn next(date: Date) -> Date {
    Date(date.0.succ_opt().unwrap())
}

const M: u64 = 1_000_000;

struct World {
    chain: Chain,
    kit: ValueKit,
    upgrade_block: u64,
}

async fn world() -> World {
    let chain = Chain::start().await;
    let mut kit = ValueKit::deploy(&chain).await;
    let upgrade_to = kit.usdx_feed;
    let mut upgrade_block = 0;
    let mut day = d("2029-12-31");
    while day <= d("2031-01-20") {
        let s = day.to_string();
        let mut p = DayPrices {
            eth: Some(3_000),
            usdx: Some(1),
            othr: Some(1),
        };
        if s == "2030-01-03" || s == "2030-01-04" {
            p.eth = None;
        }
        if s == "2030-07-19" {
            p.eth = Some(2_450);
        }
        if day >= d("2031-01-15") {
            p.eth = Some(200);
            p.othr = Some(60);
        }
        kit.day(&chain, day, p).await;
        if s == "2030-08-15" {
            upgrade_block = kit.upgrade(&chain, day, upgrade_to).await;
        }
        day = next(day);
    }
    World {
        chain,
        kit,
        upgrade_block,
    }
}

#[tokio::test]
async fn value_locked_and_battle_tested_from_the_chain() {
    let w = world().await;
    let profile = w.kit.profile(31337);
    let dates = value::dates(d("2030-01-01"), d("2031-01-21"), 1).unwrap();
    assert_eq!(dates.len(), 386);
    // Historical state on anvil is slow to serve: a generous timeout.
    let opts = RpcOptions {
        timeout: std::time::Duration::from_secs(120),
        ..testkit::test_options()
    };
    let mut reader = BlockReader::new(&w.chain.url(), opts).unwrap();
    let started = std::time::Instant::now();
    let read = value::read_dates(&mut reader, &profile, &w.kit.escrows(), &dates)
        .await
        .unwrap();
    assert_eq!(read.len(), 386);
    let stats = reader.stats();
    eprintln!(
        "value-locked backfill of {} dates: {} round trips, {} HTTP requests, {} calls, {} ms",
        dates.len(),
        stats.round_trips,
        stats.http_requests,
        stats.rpc_calls,
        started.elapsed().as_millis()
    );
    // All dates in step: chain id, genesis + head, one wave of headers per
    // halving of the block range, then one wave of reads for every date.
    let head = w.chain.block_number().await;
    let halvings = 64 - (head - 1).leading_zeros() as u64;
    assert!(
        stats.round_trips <= 3 + halvings,
        "{} round trips for {head} blocks",
        stats.round_trips
    );

    let by_date = |s: &str| {
        read.iter()
            .find(|(x, _)| *x == d(s))
            .map(|(_, o)| o.clone())
            .unwrap()
    };
    // Every point is read at the last block before its date's 00:00 UTC.
    for (date, o) in &read {
        if let Ok(r) = o {
            let want = w.kit.block_for(*date).unwrap();
            assert_eq!(
                (r.block, r.block_timestamp),
                (want.block, want.timestamp),
                "{date}"
            );
        }
    }
    let p = by_date("2030-03-01").unwrap();
    assert_eq!(p.block_timestamp, midnight(d("2030-02-28")) + 12 * 3600 + 2);
    assert_eq!(
        (p.eth_usd, p.stablecoin_usd, p.other_usd),
        (60 * M, 45 * M, M)
    );
    assert_eq!(p.total_usd(), 106 * M);
    let usdx = p.holdings.iter().find(|h| h.symbol == "USDX").unwrap();
    assert_eq!(usdx.balance, "45000000000000");
    assert_eq!(usdx.usd, 45 * M);
    let eth_price = &p.prices[&w.kit.eth_feed.to_string()];
    assert_eq!(eth_price.answer, "300000000000");
    assert_eq!(eth_price.decimals, 8);
    assert_eq!(eth_price.updated_at, midnight(d("2030-02-28")) + 12 * 3600);

    // The stale ETH round: an error for that point only.
    let stale = by_date("2030-01-05").unwrap_err();
    assert_eq!(
        stale.block,
        Some(w.kit.block_for(d("2030-01-05")).unwrap().block)
    );
    assert!(
        stale.reason.contains("stale round")
            && stale.reason.contains("172801 s before the block's time")
            && stale
                .reason
                .contains("more than the 88200 s allowed for ETH"),
        "{}",
        stale.reason
    );
    // Its neighbours are fine: the round is 86,401 s old on 2030-01-04.
    assert!(by_date("2030-01-04").is_ok());
    assert!(by_date("2030-01-06").is_ok());
    // The dip, the $49M days, and a date the chain has not reached.
    let dip = by_date("2030-07-20").unwrap();
    assert_eq!((dip.eth_usd, dip.total_usd()), (49 * M, 95 * M));
    assert_eq!(by_date("2030-07-21").unwrap().total_usd(), 106 * M);
    let low = by_date("2031-01-20").unwrap();
    assert_eq!(
        (low.eth_usd, low.stablecoin_usd, low.other_usd),
        (4 * M, 45 * M, 60 * M)
    );
    let future = by_date("2031-01-21").unwrap_err();
    assert_eq!(future.block, None);
    assert!(
        future
            .reason
            .contains("has no block after 2031-01-21 00:00:00 UTC yet"),
        "{}",
        future.reason
    );

    // The same balance read through Rpc at a pinned block (Read::Balance).
    let mut rpc = Rpc::new(&w.chain.url(), RpcOptions::default()).unwrap();
    rpc.pin_block(Some(p.block)).await.unwrap();
    let a = rpc.read_all(&[Read::Balance(w.kit.escrow)]).await.unwrap();
    let wei = alloy::primitives::U256::from(20_000u64)
        * alloy::primitives::U256::from(10u64).pow(alloy::primitives::U256::from(18u64));
    assert_eq!(a[0], Answer::Word(alloy::primitives::B256::from(wei)));

    // BattleTested from these points, the upgrade read on chain and the
    // declared launch date.
    let points: Vec<ChainPoint> = read
        .iter()
        .filter_map(|(_, o)| o.as_ref().ok())
        .map(|r| ChainPoint {
            date: r.date,
            block: r.block,
            eth_usd: r.eth_usd,
            stablecoin_usd: r.stablecoin_usd,
            other_usd: r.other_usd,
        })
        .collect();
    assert_eq!(points.len(), 384);
    let chain_data = ChainData {
        points,
        changes: vec![ChainChange {
            date: d("2030-08-15"),
            block: w.upgrade_block,
            kind: "implementation-upgraded".into(),
            address: w.kit.escrow.to_string(),
            field: "implementation".into(),
        }],
        watched: Some((d("2030-01-01"), d("2031-01-20"))),
    };
    let bt = |as_of: &str| {
        evaluate(
            History {
                live_since: Some(d("2030-01-01")),
                changes: &[],
                complete_until: None,
            },
            Series::Missing("none declared"),
            Some(&chain_data),
            d(as_of),
        )
    };
    // The stale day is inside the six months checked on 2030-07-06.
    let b = bt("2030-07-06");
    assert_eq!(b.status, LabelStatus::Unknown);
    assert_eq!(b.earliest, Some(d("2030-07-07")));
    // Six quiet months above the thresholds.
    let b = bt("2030-07-07");
    assert_eq!(b.status, LabelStatus::Met, "{:?}", b.missing);
    assert_eq!(b.since, Some(d("2030-07-07")));
    // One day at $95M.
    let b = bt("2030-07-25");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_eq!(
        b.missing,
        vec!["value locked was $95,000,000 on 2030-07-20: not above $100,000,000".to_string()]
    );
    assert_eq!(b.earliest, Some(d("2031-01-22")));
    // The upgrade five months ago.
    let b = bt("2031-01-15");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_eq!(b.clock_start, Some(d("2030-08-15")));
    assert!(
        b.missing[0].starts_with("a safety-relevant change on 2030-08-15 restarted the clock")
            && b.missing[0].contains(&format!("read on chain at block {}", w.upgrade_block)),
        "{:?}",
        b.missing
    );
    assert_eq!(b.earliest, Some(d("2031-02-16")));
    // ETH and stablecoins at $49M.
    let b = bt("2031-01-20");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert!(
        b.missing.contains(
            &"ETH and major stablecoins were $49,000,000 on 2031-01-20: below $50,000,000"
                .to_string()
        ),
        "{:?}",
        b.missing
    );
    assert_eq!(b.earliest, None);
}

#[tokio::test]
async fn blocks_at_dates_follow_the_rule() {
    let chain = Chain::start().await;
    let mut kit = ValueKit::deploy(&chain).await;
    let none = DayPrices {
        eth: None,
        usdx: None,
        othr: None,
    };
    for s in ["2030-03-01", "2030-03-02", "2030-03-04"] {
        kit.day(&chain, d(s), none).await;
    }
    let mut reader = BlockReader::new(&chain.url(), testkit::test_options()).unwrap();
    let at = blocks_at(
        &mut reader,
        &[
            midnight(d("2030-03-02")),
            midnight(d("2030-03-03")),
            midnight(d("2030-03-04")),
            midnight(d("2030-03-02")) + 12 * 3600, // exactly a block's time
            midnight(d("2030-03-05")),
            0,
        ],
    )
    .await
    .unwrap();
    let b = |i: usize| kit.days[i].block;
    assert_eq!(at[0].as_ref().unwrap().number, b(0));
    assert_eq!(at[1].as_ref().unwrap().number, b(1));
    // No block on 2030-03-03: 2030-03-04 00:00 falls back to 03-02's.
    assert_eq!(at[2].as_ref().unwrap().number, b(1));
    assert_eq!(
        at[2].as_ref().unwrap().timestamp,
        midnight(d("2030-03-02")) + 12 * 3600
    );
    // A block exactly at the moment is "at or before" it.
    assert_eq!(at[3].as_ref().unwrap().number, b(1));
    assert!(
        at[4]
            .as_ref()
            .unwrap_err()
            .contains("no block after 2030-03-05 00:00:00 UTC yet")
    );
    assert!(
        at[5]
            .as_ref()
            .unwrap_err()
            .contains("the chain's first block is later")
    );
}
