//! `l2stage value-locked` against anvil with real bytecode (an OpenZeppelin
//! proxy as the escrow, ERC-20s on OpenZeppelin's ERC20, Chainlink
//! MockV3Aggregator feeds): the points printed and stored in the database,
//! a stale round as that date's error (exit 1), bad input (exit 2).

use std::process::Command;

use l2stage_discovery::testkit::Chain;
use l2stage_discovery::testkit::value::{DayPrices, ValueKit};
use l2stage_model::Date;
use l2stage_store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_l2stage");

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn value_locked_reads_prints_and_stores_points() {
    let chain = Chain::start().await;
    let mut kit = ValueKit::deploy(&chain).await;
    let all = DayPrices {
        eth: Some(3_000),
        usdx: Some(1),
        othr: Some(1),
    };
    kit.day(&chain, d("2030-05-01"), all).await;
    kit.day(&chain, d("2030-05-02"), DayPrices { eth: None, ..all })
        .await;
    kit.day(&chain, d("2030-05-03"), DayPrices { eth: None, ..all })
        .await;
    kit.day(&chain, d("2030-05-04"), all).await;
    kit.day(&chain, d("2030-05-05"), all).await;

    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/base.toml"),
    )
    .unwrap();
    let cut = base.find("\n[discovery]").unwrap();
    let project = format!(
        "{}\n[discovery]\nchain_id = 31337\nentries = [\"{}\"]\nconfig = \"../discovery/op-stack.toml\"\n\n[[discovery.escrows]]\naddress = \"{}\"\ntokens = [\"ETH\", \"USDX\", \"OTHR\"]\n",
        &base[..cut],
        kit.escrow,
        kit.escrow
    );
    std::fs::write(dir.path().join("base.toml"), project).unwrap();
    std::fs::create_dir(dir.path().join("chains")).unwrap();
    std::fs::write(
        dir.path().join("chains/31337.toml"),
        kit.profile_toml(31337),
    )
    .unwrap();
    let db = dir.path().join("l2stage.db");
    let file = dir.path().join("base.toml");
    let run = |from: &str, to: &str, format: &str| {
        Command::new(BIN)
            .args([
                "value-locked",
                file.to_str().unwrap(),
                "--rpc",
                &chain.url(),
                "--from",
                from,
                "--to",
                to,
                "--db",
                db.to_str().unwrap(),
                "--format",
                format,
            ])
            .output()
            .unwrap()
    };
    let out = run("2030-05-02", "2030-05-05", "json");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["project"], "base");
    let points = v["points"].as_array().unwrap();
    let dates: Vec<&str> = points.iter().map(|p| p["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2030-05-02", "2030-05-03", "2030-05-05"]);
    assert_eq!(points[0]["block"], kit.days[0].block);
    assert_eq!(points[0]["eth_usd"], 60_000_000);
    assert_eq!(points[0]["stablecoin_usd"], 45_000_000);
    assert_eq!(points[0]["other_usd"], 1_000_000);
    assert_eq!(points[0]["total_usd"], 106_000_000);
    assert_eq!(points[2]["block"], kit.days[3].block);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["date"], "2030-05-04");
    assert_eq!(errors[0]["block"], kit.days[2].block);
    assert!(
        errors[0]["reason"]
            .as_str()
            .unwrap()
            .contains("stale round")
    );

    let store = Store::open(&db).unwrap();
    let stored = store.value_points("base").unwrap();
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[1].date, d("2030-05-03"));
    assert_eq!(
        (
            stored[1].eth_usd,
            stored[1].stablecoin_usd,
            stored[1].other_usd
        ),
        (60_000_000, 45_000_000, 1_000_000)
    );
    drop(store);

    let out = run("2030-05-02", "2030-05-02", "text");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("$106,000,000"), "{text}");
    assert!(text.contains("$45,000,000"), "{text}");

    // An unknown token in an escrow: invalid input, nothing read.
    let p = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"OTHR\"]", "\"WBTC\"]");
    std::fs::write(&file, p).unwrap();
    let out = run("2030-05-02", "2030-05-02", "text");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("token `WBTC` is not in the profile of chain 31337")
    );
}
