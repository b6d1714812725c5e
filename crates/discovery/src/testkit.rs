//! Test helpers (feature `testkit`): start anvil on a free loopback port
//! (killed when dropped), deploy the contracts compiled under
//! `contracts/out`, and drive them. Used by this crate's integration tests,
//! the CLI's and the benchmark.
//!
//! anvil comes from the npm package `@foundry-rs/anvil`, installed by
//! `scripts/test.sh` (`npm ci --prefix tools/anvil`); `L2STAGE_ANVIL`
//! overrides the path.

use std::path::{Path, PathBuf};
use std::time::Duration;

use alloy::network::TransactionBuilder;
use alloy::node_bindings::{Anvil, AnvilInstance};
use alloy::primitives::{Address, B256, Bytes, U256, keccak256};
use alloy::providers::ext::AnvilApi;
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::sol;
use alloy::sol_types::{SolCall, SolValue};

pub mod arb;
mod fault;
pub mod op;
pub mod real;
pub mod value;

pub use fault::{Fault, FaultProxy, read_http};

sol! {
    function execTransaction(address to, uint256 value, bytes data) external returns (bool);
    function approveHash(bytes32 hash) external;
    function getTransactionHash(address to, uint256 value, bytes data, uint256 txNonce) external view returns (bytes32);
    function nonce() external view returns (uint256);
    function changeThreshold(uint256 threshold) external;
    function enableModule(address module) external;
    function schedule(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt, uint256 delay) external;
    function execute(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt) external;
    function updateDelay(uint256 newDelay) external;
    function grantRole(bytes32 role, address account) external;
    function revokeRole(bytes32 role, address account) external;
    function transferOwnership(address newOwner) external;
    function initialize(address admin, address pauser, address proposer, uint256 finalization, uint256 forced, uint256 selfPropose) external;
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the anvil binary is expected.
pub fn anvil_path() -> PathBuf {
    if let Some(p) = std::env::var_os("L2STAGE_ANVIL") {
        return PathBuf::from(p);
    }
    let platform = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "aarch64") => "linux-arm64",
        ("macos", "aarch64") => "darwin-arm64",
        ("macos", _) => "darwin-amd64",
        ("windows", _) => "win32-amd64",
        _ => "linux-amd64",
    };
    workspace_root().join(format!(
        "tools/anvil/node_modules/@foundry-rs/anvil-{platform}/bin/anvil"
    ))
}

/// A compiled contract from `contracts/out`.
pub struct Artifact {
    pub bytecode: Bytes,
    pub deployed_bytecode: Bytes,
}

pub fn artifact(name: &str) -> Artifact {
    let path = workspace_root().join(format!("contracts/out/{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("artifact JSON");
    let hex = |k: &str| -> Bytes {
        json[k]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{}: no {k}", path.display()))
    };
    Artifact {
        bytecode: hex("bytecode"),
        deployed_bytecode: hex("deployedBytecode"),
    }
}

/// A running anvil and a provider to it.
pub struct Chain {
    pub anvil: Option<AnvilInstance>,
    pub provider: DynProvider,
    pub accounts: Vec<Address>,
    url: String,
}

impl Chain {
    /// Start anvil on a free loopback port. Panics with instructions if the
    /// binary is missing.
    pub async fn start() -> Chain {
        crate::install_tls();
        let path = anvil_path();
        if !path.exists() {
            panic!(
                "anvil not found at {}: run `npm ci --prefix tools/anvil` (scripts/test.sh does it), or set L2STAGE_ANVIL",
                path.display()
            );
        }
        let anvil = Anvil::at(&path)
            .arg("--host")
            .arg("127.0.0.1")
            .try_spawn()
            .unwrap_or_else(|e| panic!("cannot start anvil at {}: {e}", path.display()));
        let url = anvil.endpoint();
        let provider = ProviderBuilder::new()
            .connect_http(anvil.endpoint_url())
            .erased();
        let accounts = anvil.addresses().to_vec();
        Chain {
            anvil: Some(anvil),
            provider,
            accounts,
            url,
        }
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Stop the node (a crash mid-crawl).
    pub fn kill(&mut self) {
        self.anvil = None;
    }

    pub fn deployer(&self) -> Address {
        self.accounts[0]
    }

    /// Deploy `name` from `contracts/out` with ABI-encoded constructor args.
    pub async fn deploy(&self, name: &str, args: Vec<u8>) -> Address {
        let mut code = artifact(name).bytecode.to_vec();
        code.extend(args);
        let tx = TransactionRequest::default()
            .with_from(self.deployer())
            .with_deploy_code(Bytes::from(code));
        let receipt = self
            .provider
            .send_transaction(tx)
            .await
            .expect("send deployment")
            .get_receipt()
            .await
            .expect("deployment receipt");
        assert!(receipt.status(), "deployment of {name} reverted");
        receipt.contract_address.expect("contract address")
    }

    /// Send a transaction from an unlocked (or impersonated) account.
    pub async fn send(&self, from: Address, to: Address, data: Vec<u8>) {
        let tx = TransactionRequest::default()
            .with_from(from)
            .with_to(to)
            .with_input(Bytes::from(data));
        let receipt = self
            .provider
            .send_transaction(tx)
            .await
            .expect("send")
            .get_receipt()
            .await
            .expect("receipt");
        assert!(receipt.status(), "transaction to {to} reverted");
    }

    pub async fn block_number(&self) -> u64 {
        self.provider
            .get_block_number()
            .await
            .expect("block number")
    }

    pub async fn mine(&self) {
        self.provider.anvil_mine(Some(1), None).await.expect("mine");
    }

    pub async fn increase_time(&self, seconds: u64) {
        self.provider
            .anvil_increase_time(seconds)
            .await
            .expect("increase time");
        self.mine().await;
    }

    pub async fn set_storage(&self, at: Address, slot: B256, value: B256) {
        self.provider
            .anvil_set_storage_at(at, U256::from_be_bytes(slot.0), value)
            .await
            .expect("set storage");
    }

    /// Let the test send as `who` (a contract: a timelock proposing to
    /// another, a Safe scheduling), as its own execution would.
    pub async fn impersonate(&self, who: Address) -> Address {
        self.provider
            .anvil_impersonate_account(who)
            .await
            .expect("impersonate");
        self.provider
            .anvil_set_balance(who, U256::from(10u128.pow(18)))
            .await
            .expect("balance");
        who
    }

    pub async fn set_code(&self, at: Address, code: Bytes) {
        self.provider
            .anvil_set_code(at, code)
            .await
            .expect("set code");
    }

    /// Place the Multicall3-compatible contract at Multicall3's address.
    pub async fn install_multicall3(&self) {
        self.set_code(
            crate::abi::MULTICALL3,
            artifact("MiniMulticall3").deployed_bytecode,
        )
        .await;
    }

    // ---- contracts ----

    pub async fn safe(&self, owners: &[Address], threshold: u64) -> Address {
        self.deploy(
            "MiniSafe",
            (owners.to_vec(), U256::from(threshold)).abi_encode_params(),
        )
        .await
    }

    pub async fn timelock(
        &self,
        delay: u64,
        proposers: &[Address],
        executors: &[Address],
        admin: Address,
    ) -> Address {
        self.deploy(
            "MiniTimelock",
            (
                U256::from(delay),
                proposers.to_vec(),
                executors.to_vec(),
                admin,
            )
                .abi_encode_params(),
        )
        .await
    }

    pub async fn proxy_admin(&self, owner: Address) -> Address {
        self.deploy("MiniProxyAdmin", (owner,).abi_encode_params())
            .await
    }

    pub async fn proxy(&self, implementation: Address, admin: Address, init: Vec<u8>) -> Address {
        self.deploy(
            "MiniProxy",
            (implementation, admin, Bytes::from(init)).abi_encode_params(),
        )
        .await
    }

    /// A MiniBridge behind a MiniProxy administered by `proxy_admin`.
    #[allow(clippy::too_many_arguments)]
    pub async fn bridge(
        &self,
        implementation: Address,
        proxy_admin: Address,
        admin: Address,
        pauser: Address,
        proposer: Address,
        finalization: u64,
        forced: u64,
        self_propose: u64,
    ) -> Address {
        let init = initializeCall {
            admin,
            pauser,
            proposer,
            finalization: U256::from(finalization),
            forced: U256::from(forced),
            selfPropose: U256::from(self_propose),
        }
        .abi_encode();
        self.proxy(implementation, proxy_admin, init).await
    }

    /// Run `data` on `to` as the Safe: every owner approves, then the first
    /// executes. Owners that are Safes approve through their own
    /// transactions (recursively).
    pub fn safe_exec<'a>(
        &'a self,
        safe: Address,
        owners: &'a [Owner],
        to: Address,
        data: Vec<u8>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            let nonce_ret = self
                .provider
                .call(
                    TransactionRequest::default()
                        .with_to(safe)
                        .with_input(Bytes::from(nonceCall {}.abi_encode())),
                )
                .await
                .expect("nonce");
            let nonce = U256::from_be_slice(&nonce_ret);
            let hash_ret = self
                .provider
                .call(
                    TransactionRequest::default()
                        .with_to(safe)
                        .with_input(Bytes::from(
                            getTransactionHashCall {
                                to,
                                value: U256::ZERO,
                                data: Bytes::from(data.clone()),
                                txNonce: nonce,
                            }
                            .abi_encode(),
                        )),
                )
                .await
                .expect("tx hash");
            let hash = B256::from_slice(&hash_ret);
            let approve = approveHashCall { hash }.abi_encode();
            for o in owners {
                match o {
                    Owner::Key(k) => self.send(*k, safe, approve.clone()).await,
                    Owner::Safe(inner, inner_owners) => {
                        self.safe_exec(*inner, inner_owners, safe, approve.clone())
                            .await
                    }
                }
            }
            self.send(
                self.deployer(),
                safe,
                execTransactionCall {
                    to,
                    value: U256::ZERO,
                    data: Bytes::from(data),
                }
                .abi_encode(),
            )
            .await;
        })
    }

    /// Schedule `data` on `to` through a timelock, wait out the delay and execute.
    pub async fn timelock_exec(
        &self,
        timelock: Address,
        proposer: Address,
        delay: u64,
        to: Address,
        data: Vec<u8>,
    ) {
        let salt = keccak256(format!("{to}{}", data.len()));
        self.send(
            proposer,
            timelock,
            scheduleCall {
                target: to,
                value: U256::ZERO,
                data: Bytes::from(data.clone()),
                predecessor: B256::ZERO,
                salt,
                delay: U256::from(delay),
            }
            .abi_encode(),
        )
        .await;
        self.increase_time(delay + 1).await;
        self.send(
            self.deployer(),
            timelock,
            executeCall {
                target: to,
                value: U256::ZERO,
                data: Bytes::from(data),
                predecessor: B256::ZERO,
                salt,
            }
            .abi_encode(),
        )
        .await;
    }
}

/// Who signs for a Safe in `safe_exec`.
#[derive(Debug, Clone)]
pub enum Owner {
    Key(Address),
    Safe(Address, Vec<Owner>),
}

pub fn change_threshold(t: u64) -> Vec<u8> {
    changeThresholdCall {
        threshold: U256::from(t),
    }
    .abi_encode()
}
pub fn enable_module(m: Address) -> Vec<u8> {
    enableModuleCall { module: m }.abi_encode()
}
pub fn update_delay(d: u64) -> Vec<u8> {
    updateDelayCall {
        newDelay: U256::from(d),
    }
    .abi_encode()
}
pub fn transfer_ownership(to: Address) -> Vec<u8> {
    transferOwnershipCall { newOwner: to }.abi_encode()
}
pub fn grant_role(role: &str, to: Address) -> Vec<u8> {
    grantRoleCall {
        role: crate::abi::role_id(role),
        account: to,
    }
    .abi_encode()
}

pub const DAY: u64 = 86_400;

/// The standard small rollup the tests deploy:
///
/// * `council`: Safe 2 of 3 keys; `team`: Safe 1 of 2 keys;
/// * `root`: Safe 2 of 2 of (`council`, `team`) — nested;
/// * `timelock`: 3 days, proposer `root`, executor anyone, canceller `root`;
/// * `proxy_admin` owned by `timelock`;
/// * `bridge`: MiniBridge behind an EIP-1967 proxy administered by
///   `proxy_admin`: admin role `timelock`, PAUSER_ROLE `team`,
///   PROPOSER_ROLE an EOA; finalization 7d, forced inclusion 1d,
///   self-propose 7d;
/// * `escrow`: a beacon proxy whose beacon is owned by `council`;
/// * `verifier`: immutable.
pub struct Rollup {
    pub council: Address,
    pub council_keys: Vec<Address>,
    pub team: Address,
    pub team_keys: Vec<Address>,
    pub root: Address,
    pub timelock: Address,
    pub proxy_admin: Address,
    pub bridge: Address,
    pub bridge_impl: Address,
    pub proposer: Address,
    pub beacon: Address,
    pub escrow: Address,
    pub verifier: Address,
}

impl Rollup {
    pub fn entries(&self) -> Vec<Address> {
        vec![self.bridge, self.escrow, self.verifier]
    }

    /// Signers that make `root` act (2 of 2: council 2 of 3, team 1 of 2).
    pub fn root_owners(&self) -> Vec<Owner> {
        vec![
            Owner::Safe(
                self.council,
                vec![
                    Owner::Key(self.council_keys[0]),
                    Owner::Key(self.council_keys[1]),
                ],
            ),
            Owner::Safe(self.team, vec![Owner::Key(self.team_keys[0])]),
        ]
    }
}

pub async fn deploy_rollup(chain: &Chain) -> Rollup {
    let k = &chain.accounts;
    let council_keys = vec![k[1], k[2], k[3]];
    let team_keys = vec![k[4], k[5]];
    let proposer = k[6];
    let council = chain.safe(&council_keys, 2).await;
    let team = chain.safe(&team_keys, 1).await;
    let root = chain.safe(&[council, team], 2).await;
    let timelock = chain
        .timelock(3 * DAY, &[root], &[Address::ZERO], Address::ZERO)
        .await;
    let proxy_admin = chain.proxy_admin(timelock).await;
    let bridge_impl = chain.deploy("MiniBridge", vec![]).await;
    let bridge = chain
        .bridge(
            bridge_impl,
            proxy_admin,
            timelock,
            team,
            proposer,
            7 * DAY,
            DAY,
            7 * DAY,
        )
        .await;
    let beacon = chain
        .deploy("MiniBeacon", (bridge_impl, council).abi_encode_params())
        .await;
    let escrow = chain
        .deploy("MiniBeaconProxy", (beacon,).abi_encode_params())
        .await;
    let verifier = chain.deploy("MiniVerifier", vec![]).await;
    Rollup {
        council,
        council_keys,
        team,
        team_keys,
        root,
        timelock,
        proxy_admin,
        bridge,
        bridge_impl,
        proposer,
        beacon,
        escrow,
        verifier,
    }
}

/// The discovery config for [`Rollup`]'s bridge (also in
/// `crates/discovery/tests/fixtures/mini-rollup.toml`).
pub const MINI_CONFIG: &str = include_str!("../tests/fixtures/mini-rollup.toml");

/// Fast-failing client options for tests.
pub fn test_options() -> crate::RpcOptions {
    crate::RpcOptions {
        timeout: Duration::from_secs(5),
        max_attempts: 3,
        backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
        ..crate::RpcOptions::default()
    }
}

/// Discover from `entries` on `chain` at `block` (the latest when `None`)
/// with the test options; the result and the client's counters.
pub async fn discover_on(
    chain: &Chain,
    entries: &[Address],
    block: Option<u64>,
    config: &crate::Config,
) -> (
    Result<crate::Discovered, crate::DiscoveryError>,
    crate::Stats,
) {
    let mut rpc = crate::Rpc::new(&chain.url(), test_options()).expect("test client");
    let d = crate::discover_with(&mut rpc, entries, block, config, &mut |_| {}).await;
    (d, rpc.stats())
}

/// A shipped discovery config (`discovery/<file>`) with mainnet addresses
/// replaced by anvil ones.
pub fn shipped_config(file: &str, replace: &[(&str, Address)]) -> crate::Config {
    let path = workspace_root().join("discovery").join(file);
    let mut text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    for (from, to) in replace {
        text = text.replace(from, &to.to_string());
    }
    crate::Config::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `verify` the declared governance against `chain` at its latest block.
pub async fn verify_on(
    chain: &Chain,
    declared: &l2stage_model::governance::Governance,
    config: &crate::Config,
) -> crate::verify::Report {
    let mut rpc = crate::Rpc::new(&chain.url(), test_options()).expect("test client");
    crate::verify::verify(&mut rpc, declared, None, config, &mut |_| {})
        .await
        .expect("verify")
        .0
}

/// The actor discovered at `a`; panics (listing the actors) when none is.
pub fn actor_at(
    g: &l2stage_model::governance::Governance,
    a: Address,
) -> &l2stage_model::governance::Actor {
    g.actors
        .iter()
        .find(|x| x.address.as_deref() == Some(&a.to_string()))
        .unwrap_or_else(|| panic!("no actor at {a} in {:#?}", g.actors))
}

/// The ids of the actors holding `kind` over the contract at `target`.
pub fn holders(
    g: &l2stage_model::governance::Governance,
    target: Address,
    kind: l2stage_model::governance::PowerKind,
) -> std::collections::BTreeSet<String> {
    g.powers
        .iter()
        .filter(|p| p.address.as_deref() == Some(&target.to_string()) && p.power == kind)
        .map(|p| p.actor.clone())
        .collect()
}
