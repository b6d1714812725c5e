//! The contract interfaces discovery reads, and strict decoding of what they
//! return. Known interfaces (Ownable, Safe, TimelockController,
//! AccessControl, beacons, Multicall3) are declared with alloy's `sol!`;
//! view functions named in a discovery config are parsed from their
//! signature (`guardian()`, `gameImpls(uint32)`) and encoded by hand (static
//! argument types only).

use alloy::primitives::{Address, B256, Bytes, U256, keccak256};
use alloy::sol;
use alloy::sol_types::SolCall;

sol! {
    /// Ownable.
    function owner() external view returns (address);
    /// Gnosis Safe.
    function getOwners() external view returns (address[]);
    function getThreshold() external view returns (uint256);
    function getModulesPaginated(address start, uint256 pageSize) external view returns (address[] array, address next);
    /// OpenZeppelin TimelockController.
    function getMinDelay() external view returns (uint256);
    /// Upgradeable beacon.
    function implementation() external view returns (address);
    /// AccessControl.
    function hasRole(bytes32 role, address account) external view returns (bool);
    function getRoleAdmin(bytes32 role) external view returns (bytes32);
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);

    /// Multicall3 (deployed at the same address on most chains).
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }
    struct Result3 {
        bool success;
        bytes returnData;
    }
    function aggregate3(Call3[] calls) external payable returns (Result3[] returnData);
}

/// `bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1)`
pub const IMPLEMENTATION_SLOT: B256 =
    alloy::primitives::b256!("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc");
/// `bytes32(uint256(keccak256("eip1967.proxy.admin")) - 1)`
pub const ADMIN_SLOT: B256 =
    alloy::primitives::b256!("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103");
/// `bytes32(uint256(keccak256("eip1967.proxy.beacon")) - 1)`
pub const BEACON_SLOT: B256 =
    alloy::primitives::b256!("a3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50");

/// Multicall3's canonical address (same on most EVM chains).
pub const MULTICALL3: Address =
    alloy::primitives::address!("cA11bde05977b3631167028862bE2a173976CA11");

/// The Safe's linked-list sentinel, where module pagination starts.
pub const SENTINEL: Address =
    alloy::primitives::address!("0000000000000000000000000000000000000001");

/// Role id of a named AccessControl role: `keccak256(name)`, except the
/// default admin role, which is zero.
pub fn role_id(name: &str) -> B256 {
    if name == "DEFAULT_ADMIN_ROLE" {
        B256::ZERO
    } else {
        keccak256(name.as_bytes())
    }
}

/// Role names every crawl recognises (OpenZeppelin's TimelockController and
/// AccessControl defaults); configs add their own.
pub const KNOWN_ROLES: &[&str] = &[
    "DEFAULT_ADMIN_ROLE",
    "PROPOSER_ROLE",
    "EXECUTOR_ROLE",
    "CANCELLER_ROLE",
    "TIMELOCK_ADMIN_ROLE",
    "ADMIN_ROLE",
    "PAUSER_ROLE",
    "UNPAUSER_ROLE",
    "GUARDIAN_ROLE",
    "UPGRADER_ROLE",
    "OPERATOR_ROLE",
    "SEQUENCER_ROLE",
    "CHALLENGER_ROLE",
    "VALIDATOR_ROLE",
    "MINTER_ROLE",
    "BURNER_ROLE",
    "BLACKLISTER_ROLE",
    "BLOCKLISTER_ROLE",
    "SECURITY_COUNCIL_ROLE",
];

/// The generic power a well-known role name stands for when no config
/// maps it (an assumption, listed as such in discover's header).
pub fn generic_role_power(name: &str) -> Option<l2stage_model::governance::PowerKind> {
    use l2stage_model::governance::PowerKind as P;
    Some(match name {
        "PAUSER_ROLE" | "GUARDIAN_ROLE" => P::PauseWithdrawals,
        "UPGRADER_ROLE" => P::Upgrade,
        "SEQUENCER_ROLE" => P::Sequence,
        "BLACKLISTER_ROLE" | "BLOCKLISTER_ROLE" => P::Blocklist,
        _ => return None,
    })
}

pub fn owner_call() -> Bytes {
    ownerCall {}.abi_encode().into()
}
pub fn get_owners_call() -> Bytes {
    getOwnersCall {}.abi_encode().into()
}
pub fn get_threshold_call() -> Bytes {
    getThresholdCall {}.abi_encode().into()
}
pub fn get_modules_call() -> Bytes {
    getModulesPaginatedCall {
        start: SENTINEL,
        pageSize: U256::from(MODULE_PAGE),
    }
    .abi_encode()
    .into()
}
/// Modules read per Safe; more are reported as an error, not cut off.
pub const MODULE_PAGE: u64 = 50;
pub fn get_min_delay_call() -> Bytes {
    getMinDelayCall {}.abi_encode().into()
}
pub fn implementation_call() -> Bytes {
    implementationCall {}.abi_encode().into()
}
pub fn has_role_call(role: B256, account: Address) -> Bytes {
    hasRoleCall { role, account }.abi_encode().into()
}
pub fn get_role_admin_call(role: B256) -> Bytes {
    getRoleAdminCall { role }.abi_encode().into()
}

/// Names of the known view functions by selector, for messages.
pub fn known_signatures() -> Vec<([u8; 4], String)> {
    vec![
        (ownerCall::SELECTOR, "owner()".into()),
        (getOwnersCall::SELECTOR, "getOwners()".into()),
        (getThresholdCall::SELECTOR, "getThreshold()".into()),
        (
            getModulesPaginatedCall::SELECTOR,
            "getModulesPaginated(address,uint256)".into(),
        ),
        (getMinDelayCall::SELECTOR, "getMinDelay()".into()),
        (implementationCall::SELECTOR, "implementation()".into()),
        (hasRoleCall::SELECTOR, "hasRole(bytes32,address)".into()),
        (getRoleAdminCall::SELECTOR, "getRoleAdmin(bytes32)".into()),
        (
            aggregate3Call::SELECTOR,
            "aggregate3((address,bool,bytes)[])".into(),
        ),
    ]
}

/// A 32-byte word holding an address: the upper 12 bytes must be zero.
pub fn word_address(w: &[u8]) -> Option<Address> {
    if w.len() != 32 || w[..12].iter().any(|b| *b != 0) {
        return None;
    }
    Some(Address::from_slice(&w[12..]))
}

/// Exactly one word holding an address.
pub fn decode_address(data: &[u8]) -> Option<Address> {
    if data.len() != 32 {
        return None;
    }
    word_address(data)
}

/// Exactly one word holding a uint256.
pub fn decode_uint(data: &[u8]) -> Option<U256> {
    (data.len() == 32).then(|| U256::from_be_slice(data))
}

/// Exactly one word holding a bool (0 or 1).
pub fn decode_bool(data: &[u8]) -> Option<bool> {
    match decode_uint(data)? {
        v if v == U256::ZERO => Some(false),
        v if v == U256::from(1) => Some(true),
        _ => None,
    }
}

pub fn decode_owners(data: &[u8]) -> Option<Vec<Address>> {
    getOwnersCall::abi_decode_returns_validate(data).ok()
}

pub fn decode_modules(data: &[u8]) -> Option<(Vec<Address>, Address)> {
    getModulesPaginatedCall::abi_decode_returns_validate(data)
        .ok()
        .map(|r| (r.array, r.next))
}

pub fn decode_bytes32(data: &[u8]) -> Option<B256> {
    (data.len() == 32).then(|| B256::from_slice(data))
}

pub fn encode_aggregate3(calls: &[(Address, Bytes)]) -> Bytes {
    aggregate3Call {
        calls: calls
            .iter()
            .map(|(target, data)| Call3 {
                target: *target,
                allowFailure: true,
                callData: data.clone(),
            })
            .collect(),
    }
    .abi_encode()
    .into()
}

/// `(success, returnData)` per sub-call, or `None` if malformed.
pub fn decode_aggregate3(data: &[u8], expected: usize) -> Option<Vec<(bool, Bytes)>> {
    let r = aggregate3Call::abi_decode_returns_validate(data).ok()?;
    (r.len() == expected).then(|| r.into_iter().map(|x| (x.success, x.returnData)).collect())
}

pub fn role_granted_topic() -> B256 {
    use alloy::sol_types::SolEvent;
    RoleGranted::SIGNATURE_HASH
}
pub fn role_revoked_topic() -> B256 {
    use alloy::sol_types::SolEvent;
    RoleRevoked::SIGNATURE_HASH
}

/// A static ABI type a config may name in a view function's arguments or
/// return value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaticType {
    Address,
    Uint,
    Int,
    Bool,
    Bytes32,
}

/// A view function named by signature, e.g. `gameImpls(uint32)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub name: String,
    pub inputs: Vec<StaticType>,
    /// Canonical form, hashed for the selector.
    pub canonical: String,
}

fn parse_type(t: &str) -> Option<(StaticType, String)> {
    let t = t.trim();
    let canon = match t {
        "uint" => "uint256".to_string(),
        "int" => "int256".to_string(),
        other => other.to_string(),
    };
    let ty = if canon == "address" {
        StaticType::Address
    } else if canon == "bool" {
        StaticType::Bool
    } else if canon == "bytes32" {
        StaticType::Bytes32
    } else if let Some(bits) = canon.strip_prefix("uint") {
        valid_bits(bits)?;
        StaticType::Uint
    } else if let Some(bits) = canon.strip_prefix("int") {
        valid_bits(bits)?;
        StaticType::Int
    } else {
        return None;
    };
    Some((ty, canon))
}

fn valid_bits(bits: &str) -> Option<()> {
    let n: u32 = bits.parse().ok()?;
    (n > 0 && n <= 256 && n.is_multiple_of(8)).then_some(())
}

impl Signature {
    /// Parse `name(type,...)`; only static types are accepted as arguments.
    pub fn parse(s: &str) -> Result<Signature, String> {
        let s = s.trim();
        let open = s
            .find('(')
            .ok_or_else(|| format!("`{s}`: expected `name(argument types)`, e.g. `guardian()`"))?;
        if !s.ends_with(')') {
            return Err(format!("`{s}`: expected `name(argument types)`"));
        }
        let name = &s[..open];
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || name.starts_with(|c: char| c.is_ascii_digit())
        {
            return Err(format!("`{s}`: invalid function name"));
        }
        let inner = &s[open + 1..s.len() - 1];
        let mut inputs = Vec::new();
        let mut canon = Vec::new();
        if !inner.trim().is_empty() {
            for t in inner.split(',') {
                let (ty, c) = parse_type(t).ok_or_else(|| {
                    format!("`{s}`: unsupported argument type `{}` (address, uintN, intN, bool, bytes32)", t.trim())
                })?;
                inputs.push(ty);
                canon.push(c);
            }
        }
        Ok(Signature {
            name: name.to_string(),
            inputs,
            canonical: format!("{name}({})", canon.join(",")),
        })
    }

    pub fn selector(&self) -> [u8; 4] {
        let h = keccak256(self.canonical.as_bytes());
        [h[0], h[1], h[2], h[3]]
    }

    /// Calldata for the given argument values (written as TOML strings or
    /// numbers by the config).
    pub fn encode(&self, args: &[String]) -> Result<Bytes, String> {
        if args.len() != self.inputs.len() {
            return Err(format!(
                "`{}` takes {} argument(s), {} given",
                self.canonical,
                self.inputs.len(),
                args.len()
            ));
        }
        let mut out = self.selector().to_vec();
        for (ty, a) in self.inputs.iter().zip(args) {
            out.extend_from_slice(
                &encode_arg(*ty, a).map_err(|e| format!("`{}`: {e}", self.canonical))?,
            );
        }
        Ok(out.into())
    }
}

fn encode_arg(ty: StaticType, a: &str) -> Result<[u8; 32], String> {
    let a = a.trim();
    let mut w = [0u8; 32];
    match ty {
        StaticType::Address => {
            let addr: Address = a.parse().map_err(|_| format!("`{a}` is not an address"))?;
            w[12..].copy_from_slice(addr.as_slice());
        }
        StaticType::Bool => match a {
            "true" => w[31] = 1,
            "false" => {}
            _ => return Err(format!("`{a}` is not a bool")),
        },
        StaticType::Bytes32 => {
            let b: B256 = a.parse().map_err(|_| format!("`{a}` is not a bytes32"))?;
            w.copy_from_slice(b.as_slice());
        }
        StaticType::Uint => {
            let v: U256 = a
                .parse()
                .map_err(|_| format!("`{a}` is not an unsigned integer"))?;
            w = v.to_be_bytes();
        }
        StaticType::Int => {
            let neg = a.starts_with('-');
            let v: U256 = a
                .trim_start_matches('-')
                .parse()
                .map_err(|_| format!("`{a}` is not an integer"))?;
            let v = if neg { v.wrapping_neg() } else { v };
            w = v.to_be_bytes();
        }
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_the_eip1967_ones() {
        let minus_one = |s: &str| {
            let h = U256::from_be_bytes(keccak256(s.as_bytes()).0);
            B256::from(h - U256::from(1))
        };
        assert_eq!(
            IMPLEMENTATION_SLOT,
            minus_one("eip1967.proxy.implementation")
        );
        assert_eq!(ADMIN_SLOT, minus_one("eip1967.proxy.admin"));
        assert_eq!(BEACON_SLOT, minus_one("eip1967.proxy.beacon"));
    }

    #[test]
    fn signatures_parse_and_encode() {
        let s = Signature::parse("gameImpls(uint32)").unwrap();
        assert_eq!(s.canonical, "gameImpls(uint32)");
        let data = s.encode(&["1".into()]).unwrap();
        assert_eq!(data.len(), 36);
        assert_eq!(data[35], 1);
        assert_eq!(
            Signature::parse("owner()").unwrap().selector(),
            ownerCall::SELECTOR
        );
        assert_eq!(
            Signature::parse("hasRole(bytes32, address)")
                .unwrap()
                .selector(),
            hasRoleCall::SELECTOR
        );
        assert!(Signature::parse("f(string)").is_err());
        assert!(Signature::parse("f(uint7)").is_err());
        assert!(Signature::parse("1f()").is_err());
        assert!(Signature::parse("f").is_err());
        assert!(s.encode(&[]).is_err());
    }

    #[test]
    fn strict_decoding() {
        let mut w = [0u8; 32];
        w[31] = 1;
        assert_eq!(decode_bool(&w), Some(true));
        w[31] = 2;
        assert_eq!(decode_bool(&w), None);
        assert_eq!(decode_address(&w), Some(Address::with_last_byte(2)));
        w[0] = 1;
        assert_eq!(decode_address(&w), None, "dirty upper bytes");
        assert_eq!(decode_uint(&w[..31]), None);
        assert_eq!(decode_owners(&[0u8; 31]), None);
        assert_eq!(role_id("DEFAULT_ADMIN_ROLE"), B256::ZERO);
    }
}
