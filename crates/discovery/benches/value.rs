//! Value-locked backfill benchmark: 365 daily points for one project on
//! anvil (an escrow holding ETH and two ERC-20s, three Chainlink feeds,
//! real bytecode; see testkit::value), read with `value::read_dates` —
//! round trips, HTTP requests, calls and wall time; then the same behind a
//! proxy adding 10 ms per request. Run: `cargo bench -p l2stage-discovery
//! --bench value`. The figures are printed, not asserted.

use std::time::{Duration, Instant};

use l2stage_discovery::RpcOptions;
use l2stage_discovery::blocks::BlockReader;
use l2stage_discovery::testkit::value::{DayPrices, ValueKit};
use l2stage_discovery::testkit::{Chain, Fault, FaultProxy};
use l2stage_discovery::value;
use l2stage_model::Date;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let chain = Chain::start().await;
        let mut kit = ValueKit::deploy(&chain).await;
        let prices = DayPrices {
            eth: Some(3_000),
            usdx: Some(1),
            othr: Some(1),
        };
        let first: Date = "2030-01-01".parse().unwrap();
        let mut day: Date = "2029-12-31".parse().unwrap();
        let started = Instant::now();
        for _ in 0..366 {
            kit.day(&chain, day, prices).await;
            day = Date(day.0.succ_opt().unwrap());
        }
        println!(
            "setup: 366 simulated days, {} blocks, in {} ms",
            chain.block_number().await,
            started.elapsed().as_millis()
        );
        let dates = value::dates(first, "2030-12-31".parse().unwrap(), 1).unwrap();
        let profile = kit.profile(31337);
        let escrows = kit.escrows();
        let opts = RpcOptions {
            timeout: Duration::from_secs(300),
            ..RpcOptions::default()
        };
        for (label, url) in [("direct", chain.url()), ("10 ms latency", String::new())] {
            let proxy;
            let url = if url.is_empty() {
                proxy = FaultProxy::start(&chain.url(), Fault::Latency(10)).await;
                proxy.url.clone()
            } else {
                url
            };
            let mut reader = BlockReader::new(&url, opts.clone()).unwrap();
            let t = Instant::now();
            let read = value::read_dates(&mut reader, &profile, &escrows, &dates)
                .await
                .unwrap();
            let ok = read.iter().filter(|(_, o)| o.is_ok()).count();
            let s = reader.stats();
            println!(
                "backfill ({label}): {} dates, {ok} points, {} round trips, {} HTTP requests, {} calls, {} ms",
                dates.len(),
                s.round_trips,
                s.http_requests,
                s.rpc_calls,
                t.elapsed().as_millis()
            );
        }
    });
}
