//! OP Mainnet's L1 governance, built on anvil from the real bytecode of
//! `@eth-optimism/contracts-bedrock` 0.17.3 and Safe 1.4.1.
//!
//! The shape and values follow L2BEAT's discovery of OP Mainnet
//! (https://github.com/l2beat/l2beat/blob/main/packages/config/src/projects/optimism/discovered.json
//! and .../optimism/ethereum/discovered.json, accessed 2026-12-06, as
//! catalog/op-mainnet.toml cites them; the dispute game parameters are the
//! OP Stack's standard deploy config, ethereum-optimism/optimism
//! packages/contracts-bedrock deploy-config/mainnet.json): the ProxyAdmin owned by a 2-of-2 Safe of the
//! Optimism Foundation's Safe (5 of 7) and the Security Council (10 of 13);
//! the guardian a Safe owned by the Security Council; respected game type 0
//! (CANNON, permissionless); proof maturity 7 d, dispute game finality 3.5 d,
//! DelayedWETH delay 3.5 d, max game depth 73, split depth 30, clock
//! extension 3 h, max clock duration 3.5 d, L2 chain id 10.

use alloy::primitives::{Address, B256, U256};
use alloy::sol_types::{SolCall, SolValue};

use super::Chain;
use super::real::{SafeKit, bedrock, keys, transfer_ownership, upgrade_and_call};

mod calls {
    alloy::sol! {
        struct ResourceConfig { uint32 maxResourceLimit; uint8 elasticityMultiplier; uint8 baseFeeMaxChangeDenominator; uint32 minimumBaseFee; uint32 systemTxMaxGas; uint128 maximumBaseFee; }
        struct Addresses { address l1CrossDomainMessenger; address l1ERC721Bridge; address l1StandardBridge; address disputeGameFactory; address optimismPortal; address optimismMintableERC20Factory; address gasPayingToken; }
        struct OutputRoot { bytes32 root; uint256 l2BlockNumber; }
        struct StartingAnchorRoot { uint32 gameType; OutputRoot outputRoot; }
        function initialize(address _guardian, bool _paused) external;
        function initialize(address _owner) external;
        function initialize(address _owner, address _config) external;
        function initialize(StartingAnchorRoot[] _startingAnchorRoots) external;
        function initialize(address _owner, uint32 _basefeeScalar, uint32 _blobbasefeeScalar, bytes32 _batcherHash, uint64 _gasLimit, address _unsafeBlockSigner, ResourceConfig _config, address _batchInbox, Addresses _addresses) external;
        function initialize(address _disputeGameFactory, address _systemConfig, address _superchainConfig, uint32 _initialRespectedGameType) external;
        function setImplementation(uint32 _gameType, address _impl) external;
    }
}

pub const PROOF_MATURITY: u64 = 604_800; // 7 d
pub const GAME_FINALITY: u64 = 302_400; // 3.5 d
pub const WETH_DELAY: u64 = 302_400; // 3.5 d

/// The deployed system.
pub struct OpSystem {
    pub foundation: Address,
    pub foundation_keys: Vec<Address>,
    pub council: Address,
    pub council_keys: Vec<Address>,
    /// 2 of 2 of (foundation, council): owns the ProxyAdmin and the factory.
    pub upgrader: Address,
    /// Owned by the council: SuperchainConfig's guardian.
    pub guardian: Address,
    pub proxy_admin: Address,
    pub portal: Address,
    pub system_config: Address,
    pub superchain_config: Address,
    pub factory: Address,
    pub anchor_registry: Address,
    pub weth: Address,
    pub weth_permissioned: Address,
    pub mips: Address,
    pub oracle: Address,
    pub game: Address,
    pub permissioned_game: Address,
    pub proposer: Address,
    pub challenger: Address,
    pub batcher: Address,
    pub kit: SafeKit,
}

impl OpSystem {
    /// Signers that make the upgrader act: 5 foundation keys, 10 council keys.
    pub fn upgrader_signers(&self) -> Vec<super::Owner> {
        use super::Owner;
        vec![
            Owner::Safe(
                self.foundation,
                self.foundation_keys[..5]
                    .iter()
                    .map(|k| Owner::Key(*k))
                    .collect(),
            ),
            Owner::Safe(
                self.council,
                self.council_keys[..10]
                    .iter()
                    .map(|k| Owner::Key(*k))
                    .collect(),
            ),
        ]
    }
    pub fn council_signers(&self) -> Vec<super::Owner> {
        self.council_keys[..10]
            .iter()
            .map(|k| super::Owner::Key(*k))
            .collect()
    }
}

pub async fn deploy_op_mainnet(chain: &Chain) -> OpSystem {
    let me = chain.deployer();
    let kit = SafeKit::deploy(chain).await;
    let foundation_keys = keys(1, 7);
    let council_keys = keys(2, 13);
    let foundation = kit.safe(chain, &foundation_keys, 5).await;
    let council = kit.safe(chain, &council_keys, 10).await;
    let upgrader = kit.safe(chain, &[foundation, council], 2).await;
    let guardian = kit.safe(chain, &[council], 1).await;
    let proposer = keys(3, 1)[0];
    let challenger = keys(4, 1)[0];
    let batcher = keys(5, 1)[0];

    let proxy_admin = chain
        .deploy_real(&bedrock("ProxyAdmin"), (me,).abi_encode_params())
        .await;
    let proxy = || async {
        chain
            .deploy_real(&bedrock("Proxy"), (proxy_admin,).abi_encode_params())
            .await
    };
    let superchain_config = proxy().await;
    let factory = proxy().await;
    let anchor_registry = proxy().await;
    let weth = proxy().await;
    let weth_permissioned = proxy().await;
    let system_config = proxy().await;
    let portal = proxy().await;

    let upgrade = |p: Address, code: Address, init: Vec<u8>| async move {
        chain
            .send(me, proxy_admin, upgrade_and_call(p, code, init))
            .await
    };
    let i = chain
        .deploy_real(&bedrock("SuperchainConfig"), vec![])
        .await;
    upgrade(
        superchain_config,
        i,
        calls::initialize_0Call {
            _guardian: guardian,
            _paused: false,
        }
        .abi_encode(),
    )
    .await;
    let i = chain
        .deploy_real(&bedrock("DisputeGameFactory"), vec![])
        .await;
    upgrade(
        factory,
        i,
        calls::initialize_1Call { _owner: me }.abi_encode(),
    )
    .await;
    let i = chain
        .deploy_real(
            &bedrock("AnchorStateRegistry"),
            (factory,).abi_encode_params(),
        )
        .await;
    let root = |t: u32| calls::StartingAnchorRoot {
        gameType: t,
        outputRoot: calls::OutputRoot {
            root: B256::with_last_byte(0x42),
            l2BlockNumber: U256::from(1),
        },
    };
    upgrade(
        anchor_registry,
        i,
        calls::initialize_3Call {
            _startingAnchorRoots: vec![root(0), root(1)],
        }
        .abi_encode(),
    )
    .await;
    let i = chain
        .deploy_real(
            &bedrock("DelayedWETH"),
            (U256::from(WETH_DELAY),).abi_encode_params(),
        )
        .await;
    for w in [weth, weth_permissioned] {
        upgrade(
            w,
            i,
            calls::initialize_2Call {
                _owner: upgrader,
                _config: superchain_config,
            }
            .abi_encode(),
        )
        .await;
    }
    let i = chain.deploy_real(&bedrock("SystemConfig"), vec![]).await;
    upgrade(
        system_config,
        i,
        calls::initialize_4Call {
            _owner: upgrader,
            _basefeeScalar: 1368,
            _blobbasefeeScalar: 810_949,
            _batcherHash: B256::left_padding_from(batcher.as_slice()),
            _gasLimit: 30_000_000,
            _unsafeBlockSigner: keys(6, 1)[0],
            _config: calls::ResourceConfig {
                maxResourceLimit: 20_000_000,
                elasticityMultiplier: 10,
                baseFeeMaxChangeDenominator: 8,
                minimumBaseFee: 1_000_000_000,
                systemTxMaxGas: 1_000_000,
                maximumBaseFee: u128::MAX,
            },
            _batchInbox: Address::with_last_byte(0x10),
            _addresses: calls::Addresses {
                l1CrossDomainMessenger: Address::ZERO,
                l1ERC721Bridge: Address::ZERO,
                l1StandardBridge: Address::ZERO,
                disputeGameFactory: factory,
                optimismPortal: portal,
                optimismMintableERC20Factory: Address::ZERO,
                gasPayingToken: Address::ZERO,
            },
        }
        .abi_encode(),
    )
    .await;
    let i = chain
        .deploy_real(
            &bedrock("OptimismPortal2"),
            (U256::from(PROOF_MATURITY), U256::from(GAME_FINALITY)).abi_encode_params(),
        )
        .await;
    upgrade(
        portal,
        i,
        calls::initialize_5Call {
            _disputeGameFactory: factory,
            _systemConfig: system_config,
            _superchainConfig: superchain_config,
            _initialRespectedGameType: 0,
        }
        .abi_encode(),
    )
    .await;

    let oracle = chain
        .deploy_real(
            &bedrock("PreimageOracle"),
            (U256::from(126_000), U256::from(86_400)).abi_encode_params(),
        )
        .await;
    let mips = chain
        .deploy_real(&bedrock("MIPS"), (oracle,).abi_encode_params())
        .await;
    let prestate = B256::with_last_byte(0x77);
    let common = |weth: Address| {
        (
            prestate,
            U256::from(73),
            U256::from(30),
            10_800u64,
            302_400u64,
            mips,
            weth,
            anchor_registry,
            U256::from(10),
        )
    };
    let (p, d, s, c, m, v, w, a, l) = common(weth);
    let game = chain
        .deploy_real(
            &bedrock("FaultDisputeGame"),
            (0u32, p, d, s, c, m, v, w, a, l).abi_encode_params(),
        )
        .await;
    let (p, d, s, c, m, v, w, a, l) = common(weth_permissioned);
    let permissioned_game = chain
        .deploy_real(
            &bedrock("PermissionedDisputeGame"),
            (1u32, p, d, s, c, m, v, w, a, l, proposer, challenger).abi_encode_params(),
        )
        .await;
    for (t, g) in [(0u32, game), (1u32, permissioned_game)] {
        chain
            .send(
                me,
                factory,
                calls::setImplementationCall {
                    _gameType: t,
                    _impl: g,
                }
                .abi_encode(),
            )
            .await;
    }
    chain.send(me, factory, transfer_ownership(upgrader)).await;
    chain
        .send(me, proxy_admin, transfer_ownership(upgrader))
        .await;
    chain.mine().await;
    OpSystem {
        foundation,
        foundation_keys,
        council,
        council_keys,
        upgrader,
        guardian,
        proxy_admin,
        portal,
        system_config,
        superchain_config,
        factory,
        anchor_registry,
        weth,
        weth_permissioned,
        mips,
        oracle,
        game,
        permissioned_game,
        proposer,
        challenger,
        batcher,
        kit,
    }
}
