//! Real contract bytecode (feature `testkit`): artifacts of the npm
//! packages pinned in `contracts/real/package.json` (Safe 1.4.1,
//! OpenZeppelin 5, OP Stack bedrock 0.17.3, Arbitrum Nitro 3.2.0), read from
//! `contracts/real/node_modules` at test time, and the systems the tests
//! build from them on anvil.

use std::path::PathBuf;

use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::sol;
use alloy::sol_types::{SolCall, SolValue};

use super::{Chain, Owner};

/// Where `npm ci --prefix contracts/real` installs the packages.
pub fn real_root() -> PathBuf {
    super::workspace_root().join("contracts/real/node_modules")
}

/// The creation bytecode of a hardhat or forge artifact under
/// `contracts/real/node_modules`, with `libraries` (name, address) linked.
pub fn real_bytecode(rel: &str, libraries: &[(&str, Address)]) -> Vec<u8> {
    let path = real_root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; run `npm ci --prefix contracts/real` (scripts/test.sh does it)",
            path.display()
        )
    });
    let json: serde_json::Value = serde_json::from_str(&text).expect("artifact JSON");
    // hardhat: "bytecode": "0x…", "linkReferences"; forge: "bytecode": {"object", "linkReferences"}.
    let (hex, links) = match &json["bytecode"] {
        serde_json::Value::String(s) => (s.clone(), json["linkReferences"].clone()),
        o => (
            o["object"].as_str().unwrap_or_default().to_string(),
            o["linkReferences"].clone(),
        ),
    };
    let mut hex = hex.trim_start_matches("0x").to_string();
    if let Some(files) = links.as_object() {
        for libs in files.values() {
            for (name, spots) in libs.as_object().into_iter().flatten() {
                let addr = libraries
                    .iter()
                    .find(|(n, _)| n == name)
                    .unwrap_or_else(|| panic!("{rel}: library {name} must be linked"))
                    .1;
                let a = alloy::primitives::hex::encode(addr.as_slice());
                for spot in spots.as_array().into_iter().flatten() {
                    let start = spot["start"].as_u64().unwrap_or(0) as usize * 2;
                    hex.replace_range(start..start + 40, &a);
                }
            }
        }
    }
    alloy::primitives::hex::decode(&hex)
        .unwrap_or_else(|e| panic!("{rel}: bytecode is not hex (unlinked library?): {e}"))
}

pub const SAFE: &str = "@safe-global/safe-contracts/build/artifacts/contracts/Safe.sol/Safe.json";
pub const SAFE_FACTORY: &str = "@safe-global/safe-contracts/build/artifacts/contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json";
pub const SAFE_FALLBACK: &str = "@safe-global/safe-contracts/build/artifacts/contracts/handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json";
pub const OZ_TIMELOCK: &str = "@openzeppelin/contracts/build/contracts/TimelockController.json";
pub const OZ_TRANSPARENT_PROXY: &str =
    "@openzeppelin/contracts/build/contracts/TransparentUpgradeableProxy.json";

/// A bedrock forge artifact: `forge-artifacts/<Name>.sol/<Name>.json`.
pub fn bedrock(name: &str) -> String {
    format!("@eth-optimism/contracts-bedrock/forge-artifacts/{name}.sol/{name}.json")
}

mod calls {
    alloy::sol! {
        function setup(address[] owners, uint256 threshold, address to, bytes data, address fallbackHandler, address paymentToken, uint256 payment, address paymentReceiver) external;
        function createProxyWithNonce(address singleton, bytes initializer, uint256 saltNonce) external returns (address);
        function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) external payable returns (bool);
        function getTransactionHash(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, uint256 _nonce) external view returns (bytes32);
        function approveHash(bytes32 hashToApprove) external;
        function nonce() external view returns (uint256);
        function swapOwner(address prevOwner, address oldOwner, address newOwner) external;
        function getOwners() external view returns (address[]);
    }
}

sol! {
    function upgradeAndCall(address proxy, address implementation, bytes data) external payable;
    function transferOwnership(address newOwner) external;
}

impl Chain {
    /// Deploy creation code (with its constructor arguments appended).
    pub async fn deploy_code(&self, what: &str, code: Vec<u8>) -> Address {
        let tx = TransactionRequest::default()
            .with_from(self.deployer())
            .with_deploy_code(Bytes::from(code))
            .with_gas_limit(29_000_000);
        let receipt = self
            .provider
            .send_transaction(tx)
            .await
            .unwrap_or_else(|e| panic!("send deployment of {what}: {e}"))
            .get_receipt()
            .await
            .expect("deployment receipt");
        assert!(receipt.status(), "deployment of {what} reverted");
        receipt.contract_address.expect("contract address")
    }

    /// Deploy an artifact of `contracts/real` with ABI-encoded constructor args.
    pub async fn deploy_real(&self, rel: &str, args: Vec<u8>) -> Address {
        let mut code = real_bytecode(rel, &[]);
        code.extend(args);
        self.deploy_code(rel, code).await
    }

    /// Read a view function.
    pub async fn view(&self, to: Address, data: Vec<u8>) -> Bytes {
        self.provider
            .call(
                TransactionRequest::default()
                    .with_to(to)
                    .with_input(Bytes::from(data)),
            )
            .await
            .unwrap_or_else(|e| panic!("call to {to}: {e}"))
    }
}

/// Safe 1.4.1: the singleton, the proxy factory and the fallback handler.
pub struct SafeKit {
    pub singleton: Address,
    pub factory: Address,
    pub fallback: Address,
    salt: std::sync::atomic::AtomicU64,
}

impl SafeKit {
    pub async fn deploy(chain: &Chain) -> SafeKit {
        SafeKit {
            singleton: chain.deploy_real(SAFE, vec![]).await,
            factory: chain.deploy_real(SAFE_FACTORY, vec![]).await,
            fallback: chain.deploy_real(SAFE_FALLBACK, vec![]).await,
            salt: std::sync::atomic::AtomicU64::new(1),
        }
    }

    /// A Safe proxy made by the real factory, as the Safe app does:
    /// `createProxyWithNonce(singleton, setup(...), salt)`.
    pub async fn safe(&self, chain: &Chain, owners: &[Address], threshold: u64) -> Address {
        let init = calls::setupCall {
            owners: owners.to_vec(),
            threshold: U256::from(threshold),
            to: Address::ZERO,
            data: Bytes::new(),
            fallbackHandler: self.fallback,
            paymentToken: Address::ZERO,
            payment: U256::ZERO,
            paymentReceiver: Address::ZERO,
        }
        .abi_encode();
        let salt = self.salt.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let call = calls::createProxyWithNonceCall {
            singleton: self.singleton,
            initializer: Bytes::from(init),
            saltNonce: U256::from(salt),
        }
        .abi_encode();
        let ret = chain.view(self.factory, call.clone()).await;
        let addr = Address::abi_decode(&ret).expect("proxy address");
        chain.send(chain.deployer(), self.factory, call).await;
        addr
    }
}

/// Run `data` on `to` as a Safe 1.4.1: every signer pre-approves the hash
/// (`approveHash`; signers that are Safes approve through their own
/// `execTransaction`), then the transaction carries pre-validated
/// signatures (v = 1, r = signer), sorted by signer address.
pub fn safe141_exec<'a>(
    chain: &'a Chain,
    safe: Address,
    signers: &'a [Owner],
    to: Address,
    data: Vec<u8>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
    Box::pin(async move {
        let nonce = U256::abi_decode(&chain.view(safe, calls::nonceCall {}.abi_encode()).await)
            .expect("nonce");
        let hash = B256::abi_decode(
            &chain
                .view(
                    safe,
                    calls::getTransactionHashCall {
                        to,
                        value: U256::ZERO,
                        data: Bytes::from(data.clone()),
                        operation: 0,
                        safeTxGas: U256::ZERO,
                        baseGas: U256::ZERO,
                        gasPrice: U256::ZERO,
                        gasToken: Address::ZERO,
                        refundReceiver: Address::ZERO,
                        _nonce: nonce,
                    }
                    .abi_encode(),
                )
                .await,
        )
        .expect("safe tx hash");
        let approve = calls::approveHashCall {
            hashToApprove: hash,
        }
        .abi_encode();
        let mut addrs = Vec::new();
        for s in signers {
            match s {
                Owner::Key(k) => {
                    chain.impersonate(*k).await;
                    chain.send(*k, safe, approve.clone()).await;
                    addrs.push(*k);
                }
                Owner::Safe(inner, inner_signers) => {
                    safe141_exec(chain, *inner, inner_signers, safe, approve.clone()).await;
                    addrs.push(*inner);
                }
            }
        }
        addrs.sort();
        let mut sigs = Vec::new();
        for a in addrs {
            sigs.extend_from_slice(B256::left_padding_from(a.as_slice()).as_slice());
            sigs.extend_from_slice(&[0u8; 32]);
            sigs.push(1);
        }
        chain
            .send(
                chain.deployer(),
                safe,
                calls::execTransactionCall {
                    to,
                    value: U256::ZERO,
                    data: Bytes::from(data),
                    operation: 0,
                    safeTxGas: U256::ZERO,
                    baseGas: U256::ZERO,
                    gasPrice: U256::ZERO,
                    gasToken: Address::ZERO,
                    refundReceiver: Address::ZERO,
                    signatures: Bytes::from(sigs),
                }
                .abi_encode(),
            )
            .await;
    })
}

/// `swapOwner(prev, old, new)` calldata for a Safe (prev is the owner
/// before `old` in the linked list, or the sentinel 0x…01).
pub async fn swap_owner_call(chain: &Chain, safe: Address, old: Address, new: Address) -> Vec<u8> {
    let owners =
        Vec::<Address>::abi_decode(&chain.view(safe, calls::getOwnersCall {}.abi_encode()).await)
            .expect("owners");
    let i = owners
        .iter()
        .position(|o| *o == old)
        .expect("owner to swap");
    let prev = if i == 0 {
        Address::with_last_byte(1)
    } else {
        owners[i - 1]
    };
    calls::swapOwnerCall {
        prevOwner: prev,
        oldOwner: old,
        newOwner: new,
    }
    .abi_encode()
}

/// `n` distinct key addresses (impersonated when they sign), from `seed`.
pub fn keys(seed: u8, n: usize) -> Vec<Address> {
    (0..n)
        .map(|i| {
            let mut b = [0u8; 20];
            b[0] = 0x5a;
            b[1] = seed;
            b[19] = i as u8 + 1;
            Address::from(b)
        })
        .collect()
}

pub fn upgrade_and_call(proxy: Address, implementation: Address, data: Vec<u8>) -> Vec<u8> {
    upgradeAndCallCall {
        proxy,
        implementation,
        data: Bytes::from(data),
    }
    .abi_encode()
}

pub fn transfer_ownership(to: Address) -> Vec<u8> {
    transferOwnershipCall { newOwner: to }.abi_encode()
}
